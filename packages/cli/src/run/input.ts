/** `--input '<json>'`, `--input @file` or `--input -` (stdin): the run's input object, or a message saying what is wrong. */
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

async function readAll(stdin: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** One JSON value per non-empty line, two or more of them: JSON Lines (many inputs). */
function jsonLinesCount(text: string): number {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length < 2) return 0;
  for (const line of lines) {
    try {
      JSON.parse(line);
    } catch {
      return 0;
    }
  }
  return lines.length;
}

const ONE_INPUT = 'skillc run takes one input object; running a skill over many inputs (a batch) is not part of `skillc run` yet';

/**
 * Reads and parses the input; no `--input` means `{}` (the skill's defaults and `required` decide).
 * `-` reads standard input. Many inputs (a `.jsonl` file, JSON Lines on stdin) are refused with a
 * message saying so, rather than failing as invalid JSON.
 */
export async function readRunInput(value: string | undefined, cwd: string, stdin?: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<unknown> {
  if (value === undefined) return {};
  let text = value;
  let where = '--input';
  if (value === '-') {
    if (stdin === undefined) throw new RunInputError('--input - reads the input from standard input, and there is none here; pass --input \'<json>\' or --input @file.json', 2);
    text = await readAll(stdin);
    where = 'standard input (--input -)';
    if (text.trim() === '') throw new RunInputError(`${where} was empty; pipe one JSON object, e.g. echo '{"text": "..."}' | skillc run <skill> --input -`, 1);
  } else if (value.startsWith('@')) {
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
  const lines = jsonLinesCount(text);
  if (lines > 0) throw new RunInputError(`${where} holds ${lines} JSON lines: ${ONE_INPUT}; pass one object (--input '<json>', @file.json or -)`, 1);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RunInputError(
      `${where} is not valid JSON: ${describeJsonError(text, error)}; pass an object, e.g. --input '{"text": "..."}' or --input @input.json`,
      1,
    );
  }
}
