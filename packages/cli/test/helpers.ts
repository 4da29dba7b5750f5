import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type CliIO, main } from '@sdl/cli';

/** Runs `skillc` in-process and captures its output. */
export async function skillc(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, cwd, env };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A temporary project directory holding the given files. */
export function project(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'skillc-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export const GOOD = `sdl: "1.0"
name: answer-question
version: 1.0.0
description: Answer a question in one paragraph.
inputs:
  type: object
  required: [question]
  properties:
    question: { type: string }
steps:
  - id: answer
    prompt:
      user: "{{ inputs.question }}"
policies:
  retry: { max_attempts: 4 }
`;

export const good = (name: string) => GOOD.replace('name: answer-question', `name: ${name}`);

/**
 * A compiled bundle as one document: the content-addressed form's skill references
 * (`"sha256:<hex>"`) replaced by `objects/<hex>.json` beside it, a standalone bundle as it is.
 */
export function readIr(file: string): any {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  for (const [id, ref] of Object.entries(doc.skills as Record<string, unknown>)) {
    if (typeof ref === 'string') doc.skills[id] = JSON.parse(readFileSync(join(dirname(file), 'objects', `${ref.slice('sha256:'.length)}.json`), 'utf8'));
  }
  return doc;
}
