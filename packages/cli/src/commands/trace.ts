/**
 * `skillc trace view <trace.json>`: serves the trace viewer page (`@sdl/server`'s
 * `renderTraceViewerPage`) for one run trace on 127.0.0.1 until Ctrl-C. The page is self-contained
 * (works offline); its URL carries a random token, and nothing else is served.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunTrace } from '@sdl/runtime';
import { renderTraceViewerPage } from '@sdl/server';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';

const usage = `Usage: skillc trace view <trace.json> [--port <n>] [--host 127.0.0.1]

Serves a page showing a run trace (written by \`skillc run --trace\`, \`skillc test --trace\` or
runtime.run(..., { trace: true })): the cost and latency by engine, a waterfall of steps, model
calls, engine hops, attempts and tool calls on a time axis (retries and engine switches marked,
tokens and cost per step), and a row's details (a model call's prompt and reply). Open the printed
URL in a browser; the page needs no network. Stops on Ctrl-C.

Options:
  --port <n>    port to listen on (default 0: any free port)
  --host <addr> address to listen on (default 127.0.0.1; the URL's token guards the page)
`;

/** Line and column of a JSON.parse error, from the position V8 reports. */
function positionOf(text: string, error: Error): { line: number; column: number } {
  const match = /position (\d+)/.exec(error.message);
  const line = /line (\d+) column (\d+)/.exec(error.message);
  if (line !== null) return { line: Number(line[1]), column: Number(line[2]) };
  if (match === null) return { line: 1, column: 1 };
  const before = text.slice(0, Number(match[1])).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** Reads and checks the trace file; a string is the message for the user. */
function readTrace(file: string, shown: string): RunTrace | string {
  const text = readFileSync(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { line, column } = positionOf(text, error as Error);
    return `${shown}:${line}:${column}: not valid JSON (${(error as Error).message.replace(/ in JSON at position \d+.*$/, '')}); a run trace is written by \`skillc run --trace <file>\``;
  }
  const trace = value as Partial<RunTrace>;
  if (trace === null || typeof trace !== 'object' || trace.format !== 'sdl-run-trace') {
    return `${shown}:1:1: not an SDL run trace (expected "format": "sdl-run-trace"); write one with \`skillc run --trace <file>\``;
  }
  if (trace.version !== 1 || !Array.isArray(trace.spans)) {
    return `${shown}:1:1: run trace version ${String(trace.version)} is not supported by this skillc (it reads version 1); write it again with this skillc`;
  }
  return trace as RunTrace;
}

async function view(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { port: { type: 'string' }, host: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('name one trace file: skillc trace view <trace.json>');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (values.port !== undefined && !/^\d+$/.test(values.port))) {
    throw new UsageError(`--port must be a port number (0-65535), not \`${values.port}\``);
  }
  const file = path.resolve(io.cwd, positionals[0]!);
  const shown = path.relative(io.cwd, file) || file;
  if (!existsSync(file) || !statSync(file).isFile()) {
    io.stderr.write(`skillc trace view: ${shown} ${existsSync(file) ? 'is not a file' : 'does not exist'}\n`);
    return EXIT_USAGE;
  }
  const trace = readTrace(file, shown);
  if (typeof trace === 'string') {
    io.stderr.write(`skillc trace view: ${trace}\n`);
    return EXIT_INPUT_ERRORS;
  }
  const page = renderTraceViewerPage(trace);
  const token = randomBytes(18).toString('base64url');
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if ((request.method !== 'GET' && request.method !== 'HEAD') || url.pathname !== `/${token}/`) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': page.contentSecurityPolicy,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    response.end(request.method === 'HEAD' ? undefined : page.html);
  });
  const host = values.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  io.stdout.write(`trace viewer: http://${shownHost}:${address.port}/${token}/\n`);
  io.stderr.write(`skillc trace view: ${trace.skill.name} ${trace.skill.version}, ${trace.spans.length} spans; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    if (io.signal === undefined) return; // served until the process ends
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return EXIT_OK;
}

/** `skillc trace`: `view` serves the trace viewer for a run trace file. */
export const command: Command = {
  name: 'trace',
  summary: 'View a run trace in the browser',
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub !== 'view') throw new UsageError(sub === undefined ? 'say what to do: skillc trace view <trace.json>' : `unknown trace command \`${sub}\`; try: skillc trace view <trace.json>`);
    return view(rest, io);
  },
};
