/** Scene 2: the three emulated engines and the config that points the real adapters at them. */
import { section, table } from '../format.mjs';

/** @param {import('../format.mjs').Out} out */
export function enginesScene(out, demo) {
  section(out, 2, 'Engines (emulated)', 'wire-compatible emulators on 127.0.0.1; the official SDKs talk HTTP to them');
  const rows = Object.values(demo.config.engines).map((e) => [
    e.name + (e.name === demo.config.defaultEngine ? out.c.dim(' (default)') : ''),
    e.provider,
    e.model,
    out.c.dim(demo.emulators[e.name].origin),
  ]);
  table(out, ['engine', 'provider / SDK', 'model', 'emulator'], rows);
  out.line();
  out.line(out.c.dim('  sdl.config.yaml (demo copy; a real one uses your provider URLs, here the emulators):'));
  for (const line of demo.configText.trimEnd().split('\n')) out.line(out.c.dim(`    ${line.replace(/base_url: "[^"]+"/, 'base_url: "http://127.0.0.1:…"')}`));
}
