import { main } from './main.js';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
// Process managers stop services with SIGTERM: long-running commands (worker, emulate) stop cleanly too.
process.once('SIGTERM', () => controller.abort());

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
  stdin: process.stdin,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // An internal failure, not the user's: say so plainly, without a stack unless asked for.
    const detail = process.env.SKILLC_DEBUG ? (err as Error).stack : (err as Error).message;
    process.stderr.write(`skillc: internal error: ${detail}\nPlease report this with the command you ran.\n`);
    process.exitCode = 2;
  },
);
