/**
 * The SDL live demo: compiles skills/, starts three emulated engines in this process and runs
 * skills through the real adapters and the runtime, scene by scene. `runDemo` is what
 * `npm run demo` (demo/run.mjs) and the CI test (test/demo.test.ts) call.
 */
import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import { startDemoEngines } from './engines.mjs';
import { UsageTotals } from './events.mjs';
import { createOut } from './format.mjs';
import { compileScene } from './scenes/compile.mjs';
import { costScene } from './scenes/costs.mjs';
import { enginesScene } from './scenes/engines.mjs';
import { failoverScene } from './scenes/failover.mjs';
import { hotSwitchScene } from './scenes/hot-switch.mjs';
import { sessionScene } from './scenes/session.mjs';
import { streamingScene } from './scenes/streaming.mjs';
import { toolCallScene } from './scenes/tool-call.mjs';
import { demoTools } from './tools.mjs';

/** The repository root (the demo compiles `skills/` from there). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * @typedef {object} DemoOptions
 * @property {(text: string) => void} write   where the output goes
 * @property {boolean} [interactive]  pauses and streaming animation for a person watching (default false)
 * @property {boolean} [color]        ANSI colours (default false)
 * @property {string} [root]          repository root (default: this checkout)
 * @property {string} [traceDir]      write the run trace of each failover-scene ticket here (skillc trace view opens them)
 */

/**
 * Runs every scene; resolves to a summary of what happened (the CI test checks it too).
 * @param {DemoOptions} options
 */
export async function runDemo(options) {
  const interactive = options.interactive ?? false;
  const out = createOut({ write: options.write, color: options.color ?? false, interactive });
  const root = options.root ?? ROOT;
  const started = performance.now();
  banner(out);

  const { skills, outDir } = await compileScene(out, { root });
  await out.pause(800);
  const demo = await startDemoEngines({ tools: demoTools, streamDelayMs: interactive ? 18 : 0 });
  const totals = new UsageTotals();
  try {
    enginesScene(out, demo);
    await out.pause(1200);
    await streamingScene(out, demo, skills, totals);
    await out.pause(1200);
    await toolCallScene(out, demo, skills, totals);
    await out.pause(1200);
    const session = await sessionScene(out, demo, skills, totals);
    await out.pause(1200);
    const failover = await failoverScene(out, demo, skills, totals, options.traceDir);
    await out.pause(1200);
    const hotSwitch = await hotSwitchScene(out, demo, totals, { root });
    await out.pause(800);
    const cost = costScene(out, demo, totals);
    out.line();
    out.line(out.c.bold(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`) + ' All engines were emulated: no network, no API keys, no cost.');
    out.line(out.c.dim('Next: README.md (write, check, test and run your own skill) · spec/ · docs/editor.md'));
    return { skills: [...skills.keys()], session, failover, hotSwitch, cost };
  } finally {
    await demo.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

/** @param {import('./format.mjs').Out} out */
function banner(out) {
  const lines = [
    'SDL live demo: skills running on EMULATED engines',
    '',
    'Anthropic, OpenAI and Cohere are wire-compatible emulators started in this',
    'process. The official SDKs talk HTTP to them; replies are scripted per skill',
    '(demo/replies.mjs). No network, no API keys, no cost. Faults are injected.',
  ];
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  out.line(out.c.yellow(`╭${'─'.repeat(width - 2)}╮`));
  for (const [i, l] of lines.entries()) out.line(out.c.yellow('│ ') + (i === 0 ? out.c.bold(l) : l) + ' '.repeat(width - 4 - l.length) + out.c.yellow(' │'));
  out.line(out.c.yellow(`╰${'─'.repeat(width - 2)}╯`));
}
