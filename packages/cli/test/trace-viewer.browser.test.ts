/**
 * The trace viewer in a real browser: Debian's chromium (no browser download) driven by
 * playwright-core. Loads the trace of the demo's failover scene (ticket 1: openai answers 503,
 * retried, then the router fails over to claude) through `skillc trace view`, checks the
 * waterfall's rows, the summary by engine, clicks the model call and reads its prompt and reply,
 * and saves a screenshot under a temporary folder. Fails (never skips) when chromium is missing:
 * `.ci/run` installs it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CliIO, main } from '@sdl/cli';
import type { RunTrace } from '@sdl/runtime';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../../demo/demo.mjs';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const work = mkdtempSync(path.join(tmpdir(), 'sdl-trace-viewer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Starts `skillc trace view <file>` in-process; resolves with the URL it prints and a stop function. */
async function serve(file: string): Promise<{ url: string; stop: () => Promise<number> }> {
  const abort = new AbortController();
  let out = '';
  let announced: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => (announced = resolve));
  const io: CliIO = {
    stdout: { write: (s: string) => ((out += s), /(http:\S+)/.test(out) && announced(/(http:\S+)/.exec(out)![1]!)) },
    stderr: { write: () => true },
    cwd: work,
    env: {},
    signal: abort.signal,
  };
  const exit = main(['trace', 'view', file, '--port', '0'], io);
  const first = await Promise.race([url, exit.then((code) => `exit ${code}`)]);
  if (!first.startsWith('http')) throw new Error(`skillc trace view ended: ${first}`);
  return { url: first, stop: () => (abort.abort(), exit) };
}

describe('skillc trace view in headless chromium', () => {
  it('shows the failover scene: waterfall rows, retries and the switch, the summary, a call\'s prompt and reply; screenshot saved', async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)`).toBe(true);
    const summary = await runDemo({ write: () => {}, traceDir: path.join(work, 'demo-traces') });
    const file = summary.failover.traces[0]!;
    const trace = JSON.parse(readFileSync(file, 'utf8')) as RunTrace;
    expect(trace.engines).toEqual(['claude']);

    const { url, stop } = await serve(file);
    const origin = new URL(url).origin;
    const context = await chromium.launchPersistentContext(path.join(work, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS });
    const elsewhere: string[] = [];
    const problems: string[] = [];
    try {
      // Offline: any request but the page itself is refused and recorded.
      await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : (elsewhere.push(route.request().url()), route.abort())));
      const page = context.pages()[0] ?? (await context.newPage());
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
      const response = await page.goto(url);
      expect(response!.headers()['content-security-policy']).toContain("default-src 'none'");
      await page.waitForSelector('#waterfall .row[data-kind="model_call"]');

      const rows = await page.$$eval('#waterfall .row:not(.header)', (els) =>
        els.map((e) => `${e.getAttribute('data-kind')} ${e.getAttribute('data-status')} ${e.querySelector('.label')!.textContent!.replace(/\s+/g, ' ').trim()}`),
      );
      expect(rows).toEqual([
        'run ok run classify-ticket',
        'step ok step triage',
        'model_call ok model call claude-haiku-4-5 on claude ⇄ openai → claude',
        expect.stringMatching(/^hop error engine openai ⇢ failover \(overloaded\)$/),
        expect.stringMatching(/^attempt error attempt openai #1 ↻ retry in \d+ ms$/),
        expect.stringMatching(/^attempt error attempt openai #2 ↻ retry in \d+ ms$/),
        'attempt error attempt openai #3',
        'hop ok engine claude',
        'attempt ok attempt claude #1',
      ]);
      const stepTokens = await page.$eval('#waterfall .row[data-kind="step"] .tokens', (e) => e.textContent);
      expect(stepTokens).toMatch(/^\d+ in \/ \d+ out$/);
      const engines = await page.$$eval('#summary tbody tr', (els) => els.map((e) => [...e.querySelectorAll('td')].map((td) => td.textContent)));
      expect(engines.map((r) => [r[0], r[1], r[2]])).toEqual([
        ['claude', '1', '0'],
        ['openai', '0', '3'],
      ]);

      await page.click('#waterfall .row[data-kind="model_call"]');
      const prompt = await page.textContent('#details #prompt');
      expect(prompt).toContain('返金について');
      expect(prompt).toContain('先週キャンセルした注文の返金がまだ届いていません');
      expect(await page.textContent('#details #reply')).toContain('"category"');

      const shot = path.join(work, 'screenshots', 'failover.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(await page.content()).not.toContain('emulator-only-key');
    } finally {
      await context.close();
      expect(await stop()).toBe(0);
    }
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('refuses a file that is not a run trace, at file:line:col (exit 1)', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(work, 'broken.json'), '{\n  "format": "sdl-run-trace",\n  oops\n}\n');
    writeFileSync(path.join(work, 'other.json'), '{"hello": 1}\n');
    for (const [name, expected] of [
      ['broken.json', /^skillc trace view: broken\.json:3:3: not valid JSON/],
      ['other.json', /^skillc trace view: other\.json:1:1: not an SDL run trace/],
    ] as const) {
      let err = '';
      const code = await main(['trace', 'view', name], { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) }, cwd: work, env: {} });
      expect(code).toBe(1);
      expect(err).toMatch(expected);
    }
  });
});
