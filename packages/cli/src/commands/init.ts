/**
 * `skillc init <name>`: scaffolds `<name>.skill.yaml` — editor schema line, a realistic prompt
 * step with typed inputs and outputs, and one offline test — that passes `skillc check` and
 * `skillc test` as written. `skillc init` without a name sets up a whole project (see
 * `../init/project.ts`). Never overwrites a file.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initProject } from '../init/project.js';
import { type Command, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';

const usage = `Usage: skillc init              set up SDL in this folder (a new or an existing npm project)
       skillc init <name> [--dir <dir>]   add one skill

Without a name: writes what is missing of package.json (the SDL packages and scripts),
sdl.config.yaml (engines and keys from the environment), .gitignore, skills/answer-question.skill.yaml
with its test, host.mjs (a program that runs the compiled skill) and .vscode/settings.json (the
editor schema, offline). Existing files are kept; package.json only gains what it lacks.

With a name: create <name>.skill.yaml with a prompt step, input and output schemas and one test, ready for
\`skillc check\` and \`skillc test\`. The first line points editors at the SDL schema: a relative
path to the schema installed with @sdl/compiler (node_modules/@sdl/compiler/schemas/sdl.schema.json),
else the schema's published URL.

Options:
  --dir <dir>  where to create the file (default: the current directory; created if missing)
  -h, --help   show this help

Exit codes: 0 created, 2 bad name, existing skill file or I/O error.
`;

/** Skill names: lower-case words of letters and digits joined by `-` or `_` (SDL3006), at most 64. */
const SKILL_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/** The schema's `$id`; editors fetch it when the skill lives outside the SDL repository. */
export const SCHEMA_URL = 'https://sdl.dev/schema/sdl-1.schema.json';

/** Where the schema sits below a project root: in a checkout of the SDL repository, or installed with `@sdl/compiler`. */
const SCHEMA_LOCATIONS = [
  ['packages', 'compiler', 'schemas', 'sdl.schema.json'],
  ['node_modules', '@sdl', 'compiler', 'schemas', 'sdl.schema.json'],
];

/**
 * The `$schema` reference for a file created in `dir`: a relative path to the schema shipped in
 * `@sdl/compiler` when `dir` or a parent has it installed (or is the SDL repository), so editors
 * work offline; else the schema's published URL.
 */
export function schemaReference(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    for (const location of SCHEMA_LOCATIONS) {
      const candidate = path.join(at, ...location);
      if (existsSync(candidate)) {
        const relative = path.relative(path.resolve(dir), candidate).split(path.sep).join('/');
        return relative.startsWith('.') ? relative : `./${relative}`;
      }
    }
    if (path.dirname(at) === at) return SCHEMA_URL;
  }
}

/** The scaffolded file; already in `skillc fmt`'s canonical layout. */
export function skillTemplate(name: string, schema: string): string {
  return `# yaml-language-server: $schema=${schema}
sdl: "1.0"
name: ${name}
version: 0.1.0
description: Answer a question about a document in a few sentences, quoting the passage the answer rests on.

inputs:
  type: object
  required: [document, question]
  properties:
    document: { type: string, minLength: 1, description: The text to answer from (plain text or Markdown). }
    question: { type: string, minLength: 1, description: What the reader wants to know. }
    language: { type: string, enum: [en, de, fr, es, zh, ja], default: en, description: Language of the answer. }

outputs:
  type: object
  required: [answer, quote]
  properties:
    answer: { type: string, description: At most three sentences. }
    quote: { type: string, description: "The sentence of the document the answer rests on, verbatim." }

engines:
  prefer: [claude, openai]
  params: { temperature: 0.2, max_tokens: 400 }

steps:
  - id: answer
    prompt:
      system: |
        You answer questions strictly from the document you are given. If the document does not
        contain the answer, say so in "answer" and leave "quote" empty. Never invent facts.
      user: |
        Answer in {{ inputs.language }}, as JSON with the fields "answer" and "quote".

        Question: {{ inputs.question }}

        Document:
        {{ inputs.document }}
    output: outputs

return: steps.answer.output

policies:
  retry: { max_attempts: 3, base_ms: 500, max_ms: 10000, jitter: 0.2 }
  timeout_ms: 30000

tests:
  - name: answers from the document
    input:
      document: Orders ship within two business days. Returns are accepted for 30 days after delivery.
      question: How long do I have to return an item?
    replies:
      answer: '{"answer": "You can return an item within 30 days of delivery.", "quote": "Returns are accepted for 30 days after delivery."}'
    expect:
      output.answer: { contains: 30 days }
      output.quote: { equals: Returns are accepted for 30 days after delivery. }
`;
}

/** \`skillc init\`: writes a new skill file, refusing to overwrite one. */
export const command: Command = {
  name: 'init',
  summary: 'Scaffold a new skill file',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { dir: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length === 0 && values.dir === undefined) return initProject(io);
    if (positionals.length !== 1) throw new UsageError('give one skill name, e.g. `skillc init answer-question`, or none to set up a project');
    const name = positionals[0]!.replace(/\.skill\.yaml$/, '');
    if (name.length > 64 || !SKILL_NAME.test(name)) {
      throw new UsageError(
        `\`${name}\` is not a valid skill name: use lower-case letters and digits, words joined by \`-\` or \`_\`, at most 64 characters (e.g. \`summarize-ticket\`)`,
      );
    }
    const dir = path.resolve(io.cwd, values.dir ?? '.');
    const file = path.join(dir, `${name}.skill.yaml`);
    const relative = path.relative(io.cwd, file);
    const shown = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
    try {
      await mkdir(dir, { recursive: true });
      // `wx` creates the file only if it does not exist, so an existing skill is never overwritten.
      await writeFile(file, skillTemplate(name, schemaReference(dir)), { encoding: 'utf8', flag: 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      io.stderr.write(
        code === 'EEXIST'
          ? `skillc init: ${shown} already exists; choose another name or --dir (nothing was written)\n`
          : `skillc init: cannot create ${shown}: ${code ?? (error as Error).message}\n`,
      );
      return EXIT_USAGE;
    }
    io.stdout.write(`created ${shown}\n\nNext:\n  skillc check ${shown}\n  skillc test ${shown}\n`);
    return EXIT_OK;
  },
};
