/** Scene 4: a tool call. The model asks the host's glossary before translating into Japanese. */
import { engineLabel, section, wrap } from '../format.mjs';
import { consume } from '../events.mjs';

const brief = (value) => {
  const text = JSON.stringify(value);
  return text.length > 90 ? `${text.slice(0, 89)}…` : text;
};

/** @param {import('../format.mjs').Out} out */
export async function toolCallScene(out, demo, skills, totals) {
  section(out, 4, 'Tool call: translation with a glossary', 'translate-with-glossary · host tool lookup_term registered by this demo');
  const input = { text: 'Use Express Checkout to pay in one click. Your order {order_id} ships today.', target_language: 'ja', register: 'polite' };
  out.line(`  input (en → ja, polite): ${input.text}`);
  out.line();
  let engine = '';
  let model = '';
  const result = await consume(demo.runtime.stream(skills.get('translate-with-glossary'), input), totals, (e) => {
    if (e.type === 'usage') ({ engine, model } = e);
    if (e.type === 'tool-call') out.line(`  ${out.c.yellow('→ model calls')} ${e.call.name}(${brief(e.call.arguments)})`);
    if (e.type === 'tool-result') out.line(`  ${out.c.yellow('← host returns')} ${brief(e.result)}`);
  });
  out.line(`  ${out.c.green('✓')} translation ${engineLabel(out, engine, model)}`);
  out.line(wrap(result.output.translation, 70, '    '));
  out.line(out.c.dim(`    glossary terms used: ${result.output.glossary_terms.join(', ')}`));
  return result;
}
