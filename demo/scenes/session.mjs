/**
 * Scene 5: a multi-turn session. support-reply keeps the conversation (memory.conversation), so the
 * second message, which names no order, is answered from what the first turn established.
 */
import { engineLabel, section, wrap } from '../format.mjs';
import { consume } from '../events.mjs';

const SESSION_ID = 'ticket-58213';

/** @param {import('../format.mjs').Out} out */
export async function sessionScene(out, demo, skills, totals) {
  section(out, 5, 'Multi-turn session that remembers', `support-reply · session "${SESSION_ID}" · history kept in the state store`);
  const turns = [
    { ticket: 'My jacket was supposed to arrive on Monday and the tracking page has not moved since Friday.', customer_name: 'Ana', order_id: 'DE-204981' },
    { ticket: 'Thanks. And if it turns up after all, can I still send it back?', customer_name: 'Ana' },
  ];
  const outputs = [];
  for (const [i, input] of turns.entries()) {
    out.line(`  ${out.c.bold(`turn ${i + 1}`)} ${input.order_id ? out.c.dim(`(order ${input.order_id} given)`) : out.c.dim('(no order number given)')}`);
    out.line(wrap(`customer: “${input.ticket}”`, 74, '    '));
    const before = (await demo.state.getSession(SESSION_ID))?.turns.length ?? 0;
    let engine = '';
    let model = '';
    const result = await consume(demo.runtime.stream(skills.get('support-reply'), input, { session: SESSION_ID }), totals, (e) => {
      if (e.type === 'usage') ({ engine, model } = e);
      if (e.type === 'step-end' && e.path.length === 1 && e.status === 'ok') {
        if (e.step === 'classify') out.line(out.c.dim(`    classify → ${e.output}`));
        if (e.step === 'order') out.line(out.c.dim(`    order (host tool get_order) → ${e.output.status}, ${e.output.carrier}: ${e.output.last_event}`));
      }
      if (e.type === 'step-end' && e.status === 'skipped' && e.step === 'order') out.line(out.c.dim('    order → skipped (when: has(inputs.order_id) is false)'));
      if (e.type === 'tool-call') out.line(out.c.dim(`    draft → model calls ${e.call.name}(${JSON.stringify(e.call.arguments)})`));
    });
    const sent = demo.emulators[engine]?.requests.at(-1)?.parsed?.messages.length ?? 0;
    out.line(`    ${out.c.green('reply')} ${engineLabel(out, engine, model)} ${out.c.dim(`category ${result.output.category}, needs_human ${result.output.needs_human}`)}`);
    out.line(wrap(result.output.reply, 74, '      '));
    out.line(out.c.dim(`    history: ${before} stored messages before this turn; the last request carried ${sent} messages`));
    out.line();
    outputs.push(result.output);
  }
  const remembered = /DE-204981/.test(outputs[1].reply);
  out.line(
    remembered
      ? `  ${out.c.green('✓ session remembered:')} turn 2 named order DE-204981, which only turn 1 mentioned`
      : `  ${out.c.red('✗ session did not remember the order from turn 1')}`,
  );
  return { remembered, outputs };
}
