/**
 * The trace viewer page: one self-contained HTML document (styles, the compiled script of
 * `viewer/app.ts` and the run trace inline, nothing fetched, so it works offline) that any HTTP
 * host can serve — `skillc trace view`, and `skillc serve` later — with the Content-Security-Policy
 * that goes with it (only this page's own script and style may run).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RunTrace } from '@sdl/runtime';

const STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7280; --line: #d9dee7; --bg: #fff; --sel: #e8f0fe;
  --run: #64748b; --step: #2563eb; --item: #60a5fa; --skill: #7c3aed; --model: #059669; --hop: #0d9488; --attempt: #a3a3a3; --tool: #d97706; --err: #dc2626; }
@media (prefers-color-scheme: dark) { :root { --fg: #e5e7eb; --muted: #9ca3af; --line: #374151; --bg: #111827; --sel: #1e3a5f; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 20px; font: 13px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; } h1 small { color: var(--muted); font-weight: normal; }
h2 { font-size: 15px; margin: 18px 0 8px; } h3 { font-size: 13px; margin: 12px 0 4px; }
#totals { color: var(--muted); margin: 0; }
table { border-collapse: collapse; } th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); text-align: right; } th:first-child, td:first-child { text-align: left; }
.main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 2fr); gap: 16px; align-items: start; }
#waterfall { border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.row { display: grid; grid-template-columns: minmax(280px, 2fr) 3fr 130px 70px; gap: 8px; align-items: center; padding: 2px 8px; border-bottom: 1px solid var(--line); cursor: pointer; }
.row.header { cursor: default; font-weight: 600; background: color-mix(in srgb, var(--line) 40%, transparent); }
.row:focus, .row:hover { outline: none; background: color-mix(in srgb, var(--sel) 60%, transparent); } .row.selected { background: var(--sel); }
.label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; } .kind { color: var(--muted); font-style: normal; font-size: 11px; }
.mark { color: var(--err); font-style: normal; font-weight: 600; }
.track { position: relative; height: 14px; } .axis { position: relative; height: 14px; } .axis span { position: absolute; font-size: 10px; color: var(--muted); transform: translateX(-50%); white-space: nowrap; } .axis span:first-child { transform: none; }
.bar { position: absolute; top: 2px; height: 10px; border-radius: 2px; background: var(--step); }
.bar.run { background: var(--run); } .bar.item { background: var(--item); } .bar.skill { background: var(--skill); } .bar.model_call { background: var(--model); }
.bar.hop { background: var(--hop); } .bar.attempt { background: var(--attempt); } .bar.tool_call { background: var(--tool); }
.bar.error { background: repeating-linear-gradient(45deg, var(--err) 0 4px, color-mix(in srgb, var(--err) 60%, transparent) 4px 8px); }
.tokens, .cost { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
#details { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; position: sticky; top: 12px; max-height: calc(100vh - 24px); overflow: auto; }
#details h2 { margin-top: 0; } dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; margin: 0; } dt { color: var(--muted); } dd { margin: 0; }
pre { white-space: pre-wrap; word-break: break-word; margin: 2px 0 8px; padding: 6px 8px; border-radius: 4px; background: color-mix(in srgb, var(--line) 35%, transparent); }
.message b { font-size: 11px; text-transform: uppercase; color: var(--muted); } .hint { color: var(--muted); } .error { color: var(--err); }
`;

let script: string | undefined;

/** The compiled page script (`npm run build` makes it from `viewer/app.ts`). */
function viewerScript(): string {
  if (script === undefined) {
    // From src/trace-viewer/ (tests) and dist/trace-viewer/ (built) alike: the package's dist/viewer.
    const file = new URL('../../dist/viewer/app.js', import.meta.url);
    try {
      script = readFileSync(file, 'utf8');
    } catch {
      throw new Error(`the trace viewer's script is missing (${file.pathname}); run \`npm run build\``);
    }
  }
  return script;
}

const hash = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** JSON that is safe inside a `<script>` element: no `</script>`, no comment openers, no line separators. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A rendered viewer page and the headers to send with it. */
export interface TraceViewerPage {
  html: string;
  /** The `Content-Security-Policy` header value: nothing but the page's own script and style, nothing fetched. */
  contentSecurityPolicy: string;
}

/** Renders the viewer page of one run trace. */
export function renderTraceViewerPage(trace: RunTrace): TraceViewerPage {
  const code = viewerScript();
  const html = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>SDL run trace</title>',
    `<style>${STYLE}</style>`,
    '</head><body><main id="app"><p>Loading the trace…</p></main>',
    `<script id="sdl-trace" type="application/json">${inlineJson(trace)}</script>`,
    `<script type="module">${code}</script>`,
    '</body></html>',
  ].join('\n');
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${hash(code)}`,
    `style-src ${hash(STYLE)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
