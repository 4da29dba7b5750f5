#!/usr/bin/env node
/**
 * `npm run demo`: the SDL live demo on emulated engines (see demo/demo.mjs).
 * Interactive on a terminal; with --ci, or when stdout is not a TTY, the same content without
 * pauses or animation. Colours only on a TTY and when NO_COLOR is unset.
 */
import { runDemo } from './demo.mjs';

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('usage: npm run demo [-- --ci]\n\nThe SDL live demo on emulated engines (no network, no API keys).\n  --ci  no pauses, animation or colour (also when stdout is not a terminal)\n');
  process.exit(0);
}
const unknown = args.filter((a) => a !== '--ci');
if (unknown.length > 0) {
  process.stderr.write(`demo: unknown argument ${unknown[0]}\nusage: npm run demo [-- --ci]\n`);
  process.exit(2);
}
const tty = process.stdout.isTTY === true;
const interactive = tty && !args.includes('--ci');
const color = tty && (process.env.NO_COLOR ?? '') === '';

try {
  await runDemo({ write: (text) => process.stdout.write(text), interactive, color });
} catch (error) {
  // A readable message, never a stack trace: the demo is the first thing a newcomer runs.
  process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
