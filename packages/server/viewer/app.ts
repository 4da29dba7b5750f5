/**
 * The trace viewer page's script (plain DOM, no library): reads the run trace embedded in the page
 * (`<script id="sdl-trace" type="application/json">`) and draws the summary by engine, the waterfall
 * of spans on a time axis (retries and engine switches marked, tokens and cost per row) and, for
 * the selected row, its details (a model call's prompt and reply). Trace text is only ever set as
 * `textContent`, so nothing in a trace can inject markup or script.
 */
import type { RunTrace, RunTraceSpan } from '@sdl/runtime';

type Row = { span: RunTraceSpan; depth: number };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
    if (name === 'style') for (const rule of value.split(';')) node.style.setProperty(rule.slice(0, rule.indexOf(':')), rule.slice(rule.indexOf(':') + 1));
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

const ms = (value: number): string => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`);
const usd = (value: number | undefined): string => (value === undefined ? '' : value === 0 ? '$0' : `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(4)}`);
const tokens = (span: { usage?: { inputTokens: number; outputTokens: number } }): string =>
  span.usage === undefined ? '' : `${span.usage.inputTokens} in / ${span.usage.outputTokens} out`;

/** Spans in tree order (children after their parent, by start time), with their depth. */
function treeRows(trace: RunTrace): Row[] {
  const children = new Map<string | undefined, RunTraceSpan[]>();
  const ids = new Set(trace.spans.map((s) => s.id));
  for (const span of trace.spans) {
    const parent = span.parentId !== undefined && ids.has(span.parentId) ? span.parentId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const rows: Row[] = [];
  const walk = (parent: string | undefined, depth: number): void => {
    const list = (children.get(parent) ?? []).slice().sort((a, b) => a.startMs - b.startMs);
    for (const span of list) {
      rows.push({ span, depth });
      walk(span.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return rows;
}

/** What marks a row: a retried attempt, a failover hop, a model call that switched engines. */
function marks(span: RunTraceSpan): string[] {
  const out: string[] = [];
  if (span.kind === 'attempt' && span.retryInMs !== undefined) out.push(`↻ retry in ${ms(span.retryInMs)}`);
  if (span.kind === 'hop' && span.failoverReason !== undefined) out.push(`⇢ failover (${span.failoverReason})`);
  for (const s of span.switches ?? []) out.push(`⇄ ${s.from} → ${s.to}`);
  return out;
}

const KIND_LABEL: Record<RunTraceSpan['kind'], string> = {
  run: 'run', skill: 'skill', step: 'step', item: 'item', model_call: 'model call', hop: 'engine', attempt: 'attempt', tool_call: 'tool',
};

function label(span: RunTraceSpan): string {
  if (span.kind === 'model_call') return `${span.responseModel ?? span.model ?? span.name} on ${span.engine ?? '?'}`;
  return span.name;
}

function summary(trace: RunTrace): HTMLElement {
  type Line = { calls: number; failed: number; input: number; output: number; cost: number; latency: number };
  const byEngine = new Map<string, Line>();
  const line = (engine: string): Line => {
    let entry = byEngine.get(engine);
    if (entry === undefined) byEngine.set(engine, (entry = { calls: 0, failed: 0, input: 0, output: 0, cost: 0, latency: 0 }));
    return entry;
  };
  for (const span of trace.spans) {
    if (span.kind === 'model_call' && span.status === 'ok' && span.engine !== undefined) {
      const entry = line(span.engine);
      entry.calls++;
      entry.input += span.usage?.inputTokens ?? 0;
      entry.output += span.usage?.outputTokens ?? 0;
      entry.cost += span.costUsd ?? 0;
      entry.latency += span.durationMs;
    }
    if (span.kind === 'attempt' && span.status === 'error' && span.engine !== undefined) line(span.engine).failed++;
  }
  const head = el('tr', {}, ...['engine', 'calls', 'failed attempts', 'input tokens', 'output tokens', 'cost', 'mean latency'].map((h) => el('th', {}, h)));
  const body = [...byEngine].map(([engine, l]) =>
    el('tr', { 'data-engine': engine }, el('td', {}, engine), el('td', {}, String(l.calls)), el('td', {}, String(l.failed)), el('td', {}, String(l.input)), el('td', {}, String(l.output)), el('td', {}, usd(l.cost)), el('td', {}, l.calls === 0 ? '' : ms(l.latency / l.calls))),
  );
  return el('table', { id: 'summary' }, el('thead', {}, head), el('tbody', {}, ...body));
}

function block(title: string, text: string): HTMLElement {
  return el('section', {}, el('h3', {}, title), el('pre', {}, text));
}

function details(span: RunTraceSpan): HTMLElement[] {
  const out: HTMLElement[] = [el('h2', {}, `${KIND_LABEL[span.kind]}: ${label(span)}`)];
  const facts: Array<[string, string]> = [
    ['status', span.status + (span.error !== undefined ? ` — ${span.error}` : '')],
    ['start', ms(span.startMs)],
    ['duration', ms(span.durationMs)],
  ];
  if (span.requestedEngine !== undefined && span.requestedEngine !== span.engine) facts.push(['requested engine', span.requestedEngine]);
  if (span.engine !== undefined) facts.push(['engine', span.engine]);
  if (span.provider !== undefined) facts.push(['provider', span.provider]);
  if (span.responseModel !== undefined) facts.push(['response model', span.responseModel]);
  if (span.finishReason !== undefined) facts.push(['finish reason', span.finishReason]);
  if (span.usage !== undefined) facts.push(['tokens', tokens(span)]);
  if (span.costUsd !== undefined) facts.push(['cost', usd(span.costUsd)]);
  for (const mark of marks(span)) facts.push(['note', mark]);
  out.push(el('dl', {}, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
  if (span.prompt !== undefined) {
    const prompt = el('section', { id: 'prompt' }, el('h3', {}, 'Prompt'));
    if (span.prompt.system !== undefined) prompt.append(el('div', { class: 'message', 'data-role': 'system' }, el('b', {}, 'system'), el('pre', {}, span.prompt.system)));
    for (const m of span.prompt.messages) {
      const text = m.toolCalls === undefined ? m.content : `${m.content}\n${m.toolCalls.map((c) => `→ ${c.name}(${JSON.stringify(c.arguments)})`).join('\n')}`;
      prompt.append(el('div', { class: 'message', 'data-role': m.role }, el('b', {}, m.role), el('pre', {}, text)));
    }
    out.push(prompt);
  }
  if (span.reply !== undefined) {
    const calls = span.reply.toolCalls.map((c) => `→ ${c.name}(${JSON.stringify(c.arguments)})`).join('\n');
    out.push(el('section', { id: 'reply' }, el('h3', {}, 'Reply'), el('pre', {}, [span.reply.text, calls].filter((t) => t !== '').join('\n'))));
  }
  if (span.arguments !== undefined) out.push(block('Arguments', JSON.stringify(span.arguments, null, 2)));
  if (span.result !== undefined) out.push(block('Result', JSON.stringify(span.result, null, 2)));
  return out;
}

function waterfall(trace: RunTrace, onSelect: (span: RunTraceSpan, row: HTMLElement) => void): HTMLElement {
  const total = Math.max(trace.durationMs, ...trace.spans.map((s) => s.startMs + s.durationMs), 1);
  const axis = el('div', { class: 'axis' });
  for (let i = 0; i <= 4; i++) axis.append(el('span', { style: `left:${i * 25}%` }, ms((total * i) / 4)));
  const rows = el('div', { id: 'waterfall', role: 'list' }, el('div', { class: 'row header' }, el('span', { class: 'label' }, 'span'), el('span', { class: 'track' }, axis), el('span', { class: 'tokens' }, 'tokens'), el('span', { class: 'cost' }, 'cost')));
  for (const { span, depth } of treeRows(trace)) {
    const left = (span.startMs / total) * 100;
    const width = Math.max((span.durationMs / total) * 100, 0.4);
    const bar = el('span', { class: `bar ${span.kind} ${span.status}`, style: `left:${left}%;width:${width}%`, title: `${ms(span.startMs)} + ${ms(span.durationMs)}` });
    const markText = marks(span).join('  ');
    const row = el(
      'div',
      { class: `row ${span.kind} ${span.status}`, role: 'listitem', tabindex: '0', 'data-id': span.id, 'data-kind': span.kind, 'data-status': span.status },
      el('span', { class: 'label', style: `padding-left:${depth * 14}px` }, el('i', { class: 'kind' }, KIND_LABEL[span.kind]), ' ', label(span), markText === '' ? '' : el('em', { class: 'mark' }, ` ${markText}`)),
      el('span', { class: 'track' }, bar),
      el('span', { class: 'tokens' }, span.kind === 'step' || span.kind === 'item' || span.kind === 'model_call' ? tokens(span) : ''),
      el('span', { class: 'cost' }, span.kind === 'step' || span.kind === 'item' || span.kind === 'model_call' ? usd(span.costUsd) : ''),
    );
    const select = (): void => onSelect(span, row);
    row.addEventListener('click', select);
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select();
      }
    });
    rows.append(row);
  }
  return rows;
}

function main(): void {
  const data = document.getElementById('sdl-trace')?.textContent ?? '';
  const root = document.getElementById('app')!;
  let trace: RunTrace;
  try {
    trace = JSON.parse(data) as RunTrace;
    if (trace.format !== 'sdl-run-trace' || !Array.isArray(trace.spans)) throw new Error('not an SDL run trace');
  } catch (error) {
    root.replaceChildren(el('p', { class: 'error' }, `This page holds no readable run trace: ${(error as Error).message}`));
    return;
  }
  document.title = `${trace.skill.name} ${trace.skill.version} — SDL trace`;
  const panel = el('aside', { id: 'details' }, el('p', { class: 'hint' }, 'Select a row to see its details; a model call shows its prompt and reply.'));
  let selected: HTMLElement | undefined;
  const header = el(
    'header',
    {},
    el('h1', {}, `${trace.skill.name} `, el('small', {}, trace.skill.version)),
    el('p', { id: 'totals' }, `${trace.status === 'ok' ? '✓ ok' : `✗ ${trace.error?.message ?? 'failed'}`} · ${ms(trace.durationMs)} · ${trace.usage.inputTokens} input / ${trace.usage.outputTokens} output tokens · ${usd(trace.costUsd)} · engines: ${trace.engines.join(', ') || 'none'}`),
  );
  root.replaceChildren(
    header,
    el('h2', {}, 'Cost and latency by engine'),
    summary(trace),
    el('h2', {}, 'Waterfall'),
    el(
      'div',
      { class: 'main' },
      waterfall(trace, (span, row) => {
        selected?.classList.remove('selected');
        selected = row;
        row.classList.add('selected');
        panel.replaceChildren(...details(span));
      }),
      panel,
    ),
  );
}

main();
