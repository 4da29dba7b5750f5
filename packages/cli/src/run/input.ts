/** `--input '<json>'` or `--input @file`: the run's input object, or a message saying what is wrong. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The input could not be read (exit 2) or is not JSON (exit 1). */
export class RunInputError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** Where `SyntaxError` messages put the failing offset (Node 20: "... in JSON at position 12"). */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const match = /position (\d+)/.exec(message);
  if (match === null) return message;
  const offset = Number(match[1]);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = [...before.slice(before.lastIndexOf('\n') + 1)].length + 1;
  return `${message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

/** Reads and parses the input; no `--input` means `{}` (the skill's defaults and `required` decide). */
export async function readRunInput(value: string | undefined, cwd: string): Promise<unknown> {
  if (value === undefined) return {};
  let text = value;
  let where = '--input';
  if (value.startsWith('@')) {
    const file = path.resolve(cwd, value.slice(1));
    where = path.relative(cwd, file) || file;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new RunInputError(
        `cannot read the input file ${where}: ${code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'I/O error')}`,
        2,
      );
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RunInputError(
      `${where} is not valid JSON: ${describeJsonError(text, error)}; pass an object, e.g. --input '{"text": "..."}' or --input @input.json`,
      1,
    );
  }
}
