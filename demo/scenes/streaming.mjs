/**
 * Scene 3: streaming. summarize-document splits a report into sections (a host tool, through the
 * `uses:` chunk-text skill), summarizes them concurrently with `for_each` and merges the parts.
 * Text is printed as it arrives; concurrent items are shown one after another, in order.
 */
import { engineLabel, liveWrap, section, wrap } from '../format.mjs';
import { consume } from '../events.mjs';

const REPORT = `# Northwind Outfitters: Q3 operations report

## Logistics
We shipped 412,000 parcels in the third quarter, 18% more than in Q2. The Leipzig hub opened on
4 August; since then the average delivery time inside the EU fell from 3.9 to 3.1 days. Late
deliveries (more than two days after the promised date) dropped to 2.4% of orders.

## Customer support
The team handled 61,300 tickets; 22% were written in Japanese or Chinese and answered by the Osaka
and Shenzhen desks. First-response time averaged 41 minutes. The new self-service returns form went
live in July and cut "where is my refund" tickets by a third.

## Payments
Express Checkout now carries 37% of all orders. Chargebacks stayed at 0.3%. We moved card processing
to a new processor on 14 September, which lowers fees by 0.2 percentage points.
`;

/** @param {import('../format.mjs').Out} out */
export async function streamingScene(out, demo, skills, totals) {
  section(out, 3, 'Streaming: summarize a long document', 'summarize-document · for_each over sections · text deltas as they arrive');
  out.line(`  input: Q3 operations report (${REPORT.length} characters, 3 sections)`);
  out.line();

  const partialText = new Map(); // index -> text so far (items not yet shown)
  const finished = new Set();
  const labels = new Map();
  let current = 0;
  let open = false;
  let text = liveWrap(out, { indent: '        ' });
  const header = (i, total) => {
    out.write(`  ${out.c.bold(`§ ${i + 1}/${total}`)} `);
    text = liveWrap(out, { indent: '        ', startColumn: 8 });
    open = true;
  };
  let total = 3;
  const closeItem = (i) => {
    out.line();
    const usage = labels.get(i);
    if (usage) out.line(`        ${engineLabel(out, usage.engine, usage.model)} ${out.c.dim(`${usage.usage.inputTokens} in / ${usage.usage.outputTokens} out`)}`);
    open = false;
  };

  let merge = { engine: '?', model: '' };
  const result = await consume(demo.runtime.stream(skills.get('summarize-document'), { text: REPORT, language: 'en', max_words: 120 }), totals, (e) => {
    if (e.step === 'sections' && e.type === 'step-end' && e.path.length === 1) {
      total = Array.isArray(e.output?.chunks) ? e.output.chunks.length : total;
      out.line(out.c.dim(`  sections → ${total} chunks (host tool split_text via uses: chunk-text)`));
      out.line();
    }
    if (e.step === 'merge' && e.type === 'usage') merge = e;
    if (e.step !== 'partials') return;
    if (e.type === 'text-delta') {
      if (e.index === current) {
        if (!open) header(current, total);
        text.write(e.text);
      } else partialText.set(e.index, (partialText.get(e.index) ?? '') + e.text);
    } else if (e.type === 'usage' && e.index !== undefined) {
      // One model call per section: its usage event marks the section as complete.
      labels.set(e.index, e);
      finished.add(e.index);
      while (finished.has(current)) {
        if (!open) {
          header(current, total);
          text.write(partialText.get(current) ?? '');
        }
        closeItem(current);
        current += 1;
        if (partialText.has(current) && !finished.has(current)) {
          header(current, total);
          text.write(partialText.get(current));
        }
        partialText.delete(current);
      }
    }
  });

  out.line();
  out.line(`  ${out.c.bold('merged summary')} ${engineLabel(out, merge.engine, merge.model)}`);
  out.line(wrap(result.output.summary, 78, '    '));
  out.line();
  for (const point of result.output.key_points) out.line(`    • ${point}`);
  return result;
}
