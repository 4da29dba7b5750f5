import { describe, expect, it } from 'vitest';
// The demo is plain ESM JavaScript (it runs on the built packages under `npm run demo`, typed by
// demo/demo.d.mts); here the vitest aliases resolve its `@sdl/*` imports to the sources.
import { runDemo } from '../demo/demo.mjs';

describe('npm run demo (non-interactive)', () => {
  it('runs every scene to completion on the emulated engines', async () => {
    let text = '';
    const summary = await runDemo({ write: (chunk: string) => void (text += chunk), interactive: false, color: false });

    // Clearly labelled, no colour codes when not asked for.
    expect(text).toContain('SDL live demo: skills running on EMULATED engines');
    expect(text).not.toContain('\u001b[');
    for (const [n, title] of [
      [1, 'Compile skills/'],
      [2, 'Engines (emulated)'],
      [3, 'Streaming: summarize a long document'],
      [4, 'Tool call: translation with a glossary'],
      [5, 'Multi-turn session that remembers'],
      [6, 'Live failover: the primary engine starts failing'],
      [7, 'Hot switch of the default engine'],
      [8, 'Usage and cost per engine'],
    ] as const) {
      expect(text).toContain(`━━ ${n}. ${title}`);
    }

    // Compile: every example skill compiled and loaded from IR.
    expect(summary.skills).toEqual(expect.arrayContaining(['support-reply', 'classify-ticket', 'summarize-document', 'translate-with-glossary']));
    expect(text).toMatch(/compiled \d+ skills to /);

    // Streaming: three sections, each labelled with its (emulated) engine.
    expect(text).toMatch(/§ 3\/3 Express Checkout now carries 37% of orders/);
    expect(text).toContain('[emulated claude · claude-sonnet-5]');

    // Tool call: the model asked the host's glossary and used its answer.
    expect(text).toContain('→ model calls lookup_term({"term":"Express Checkout","target_language":"ja"})');
    expect(text).toContain('エクスプレスチェックアウトなら');

    // Session: the second turn knew the order number only the first turn gave.
    expect(summary.session.remembered).toBe(true);
    expect(text).toContain('✓ session remembered: turn 2 named order DE-204981');
    expect(text).toMatch(/turn 2 \(no order number given\)[\s\S]*history: [1-9]\d* stored messages before this turn/);

    // Failover: retries, the breaker opening, traffic moving, the probe closing it again.
    expect(text).toContain('↻ retry openai attempt 1 failed (overloaded)');
    expect(text).toContain('⚡ breaker openai: closed → open');
    expect(text).toContain('⇢ failover openai → claude (reason: overloaded)');
    expect(text).toContain('⇢ failover openai → claude (reason: breaker_open)');
    expect(text).toContain('⚡ breaker openai: half-open → closed');
    expect(summary.failover.served).toEqual(['claude', 'claude', 'claude', 'openai']);
    expect(summary.failover.retries).toBe(4);

    // Hot switch: the in-flight run stayed where it started, the next ones moved.
    expect(summary.hotSwitch).toEqual([
      { language: 'en', engine: 'claude' },
      { language: 'ja', engine: 'claude' },
      { language: 'zh', engine: 'openai' },
      { language: 'de', engine: 'cohere' },
    ]);
    expect(text).toContain("⇄ runtime.setDefaultEngine('openai') was called while this run streamed; it finished on claude");

    // Cost table: a row per engine and a total that adds up.
    expect(text).toMatch(/engine\s+models\s+model calls\s+HTTP requests\s+input tokens\s+output tokens\s+cost \(USD\)/);
    for (const engine of ['claude', 'openai', 'cohere']) expect(text).toMatch(new RegExp(`\\n  ${engine}\\s+\\S.*\\$\\d+\\.\\d{6}\\n`));
    expect(summary.cost.cost).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`total\\s+.*\\$${summary.cost.cost.toFixed(6).replace('.', '\\.')}`));
    expect(text).toMatch(/Done in \d+\.\d s\./);
  }, 90_000);
});
