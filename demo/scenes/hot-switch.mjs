/**
 * Scene 7: hot switch of the default engine. product-blurb names no `engines.prefer`, so it runs on
 * the host's default engine. The default changes while a run is streaming: that run finishes where
 * it started; the next runs go to the new default. No restart, no reload.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadSkillFile } from '@sdl/runtime';
import { engineLabel, liveWrap, section } from '../format.mjs';
import { consume } from '../events.mjs';

const PRODUCT = 'Fjord rain jacket: 2.5-layer membrane, 310 g, packs into its chest pocket, pit zips';

/** @param {import('../format.mjs').Out} out */
export async function hotSwitchScene(out, demo, totals, { root }) {
  section(out, 7, 'Hot switch of the default engine', 'demo/skills/product-blurb.skill.yaml (no engines.prefer) · runtime.setDefaultEngine() while running');
  // The demo's own skill, loaded from source (the development path; production hosts load IR).
  const file = join(root, 'demo/skills/product-blurb.skill.yaml');
  await readFile(file); // a clear ENOENT before anything else if the checkout is incomplete
  const skill = await loadSkillFile(file);
  const plan = [
    { language: 'en' },
    { language: 'ja', switchTo: 'openai', midStream: true },
    { language: 'zh' },
    { language: 'de', switchBefore: 'cohere' },
  ];
  const served = [];
  for (const step of plan) {
    if (step.switchBefore) {
      demo.runtime.setDefaultEngine(step.switchBefore);
      out.line(`  ${out.c.magenta(`⇄ runtime.setDefaultEngine('${step.switchBefore}')`)} ${out.c.dim('between runs')}`);
    }
    out.line(`  ${out.c.bold(step.language)} ${out.c.dim(`default engine: ${demo.registry.defaultEngine}`)}`);
    out.write('     ');
    let engine = '';
    let model = '';
    let switched = false;
    const text = liveWrap(out, { indent: '     ' });
    await consume(demo.runtime.stream(skill, { product: PRODUCT, language: step.language }), totals, (e) => {
      if (e.type === 'usage') ({ engine, model } = e);
      if (e.type !== 'text-delta') return;
      text.write(e.text);
      if (step.switchTo && !switched) {
        // Mid-stream: this run keeps its engine, runs that start from now on use the new default.
        switched = true;
        demo.runtime.setDefaultEngine(step.switchTo);
      }
    });
    out.line();
    out.line(`     ${engineLabel(out, engine, model)}`);
    if (step.switchTo) out.line(`  ${out.c.magenta(`⇄ runtime.setDefaultEngine('${step.switchTo}')`)} ${out.c.dim(`was called while this run streamed; it finished on ${engine}`)}`);
    served.push({ language: step.language, engine });
  }
  out.line();
  out.line(`  ${out.c.green('✓ hot switch:')} ${served.map((s) => `${s.language} → ${s.engine}`).join(', ')} (one runtime, no restart)`);
  return served;
}
