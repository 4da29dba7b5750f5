/**
 * What the emulated models say. One handler for all three emulators, keyed on the skill's prompt
 * (its system text) and on the conversation so far, so the demo reads like a real run: replies
 * depend on the input, tool results are used, and a second session turn builds on the first.
 * Unknown prompts fall back to the emulators' deterministic default reply.
 */
import { defaultReply } from '@sdl/adapters';

const lastOf = (request, role) => [...request.messages].reverse().find((m) => m.role === role);

/** Section summaries of the quarterly report the streaming scene summarizes. */
const SECTION_SUMMARIES = [
  [/Logistics/, 'Parcels shipped rose 18% to 412,000. Average delivery time in the EU fell from 3.9 to 3.1 days after the Leipzig hub opened in August; late deliveries dropped to 2.4% of orders.'],
  [/Customer support/, 'Support handled 61,300 tickets, 22% of them in Japanese or Chinese. First-response time was 41 minutes, and the new returns form cut "where is my refund" tickets by a third.'],
  [/Payments/, 'Express Checkout now carries 37% of orders. Chargebacks stayed at 0.3%, and the switch of the card processor on 14 September saved 0.2 percentage points in fees.'],
];

const MERGED_SUMMARY = {
  summary:
    'Northwind Outfitters had a strong third quarter: 412,000 parcels shipped (+18%), EU deliveries 0.8 days faster since the Leipzig hub opened, and late deliveries down to 2.4%. Support answered 61,300 tickets in 41 minutes on average, and the new returns form cut refund-status tickets by a third. Express Checkout carries 37% of orders, chargebacks held at 0.3%, and the new card processor lowers fees.',
  key_points: [
    'Parcels shipped +18% to 412,000',
    'EU delivery time 3.9 → 3.1 days (Leipzig hub)',
    '61,300 tickets, 22% in Japanese or Chinese',
    'Express Checkout: 37% of orders',
    'Card processor switch saves 0.2 pp in fees',
  ],
};

function summarizeSection(request) {
  const text = lastOf(request, 'user')?.text ?? '';
  const found = SECTION_SUMMARIES.find(([pattern]) => pattern.test(text));
  return { text: found ? found[1] : 'The section restates figures already given.' };
}

function translate(request) {
  const last = request.messages.at(-1);
  if (last?.role !== 'tool') {
    // First the glossary, as the skill's system prompt demands.
    return { toolCalls: [{ name: 'lookup_term', arguments: { term: 'Express Checkout', target_language: 'ja' } }] };
  }
  const approved = JSON.parse(last.text).approved ?? 'Express Checkout';
  return {
    json: {
      translation: `${approved}なら、ワンクリックでお支払いいただけます。ご注文 {order_id} は本日発送いたします。`,
      glossary_terms: ['Express Checkout'],
    },
  };
}

/** support-reply, step `classify`: one word. */
function triageWord(request) {
  const text = (lastOf(request, 'user')?.text ?? '').toLowerCase();
  return { text: /return|refund|send it back|返品|退货/.test(text) ? 'returns' : 'shipping' };
}

/** support-reply, step `draft`: uses the help centre on the first turn and the history on the second. */
function draftReply(request) {
  const earlier = request.messages.slice(0, -1);
  const previousReply = earlier.find((m) => m.role === 'assistant' && m.text.includes('"reply"'));
  if (previousReply !== undefined) {
    // A follow-up: everything about the order comes from the conversation so far.
    const order = /[A-Z]{2}-\d{6}/.exec(earlier.map((m) => m.text).join('\n'))?.[0] ?? 'your order';
    return {
      json: {
        reply:
          `Hi Ana, yes. If the jacket from order ${order} still arrives, you can return it unworn within 30 days of delivery for a full refund ` +
          '(see "Returns within 30 days"). The carrier investigation I opened stays active, so you do not need to do anything else for now.',
        category: 'returns',
        needs_human: false,
      },
    };
  }
  const last = request.messages.at(-1);
  if (last?.role !== 'tool') {
    return { toolCalls: [{ name: 'search_help_center', arguments: { query: 'late delivery tracking', limit: 2 } }] };
  }
  const articles = JSON.parse(last.text);
  const title = Array.isArray(articles) && articles[0]?.title ? articles[0].title : 'Late deliveries';
  return {
    json: {
      reply:
        'Hi Ana, I am sorry your jacket is late. Your parcel (order DE-204981) was handed to DHL in Leipzig and its tracking has not moved since. ' +
        `As described in "${title}", I have opened an investigation with the carrier today and will write again within 2 business days.`,
      category: 'shipping',
      needs_human: false,
    },
  };
}

/** classify-ticket, step `triage`. */
function triageTicket(request) {
  const text = lastOf(request, 'user')?.text ?? '';
  if (/返金/.test(text)) return { json: { category: 'billing', priority: 'high', language: 'ja' } };
  if (/502|无法登录/.test(text)) return { json: { category: 'technical', priority: 'urgent', language: 'zh' } };
  if (/zip|return/i.test(text)) return { json: { category: 'returns', priority: 'normal', language: 'en' } };
  return { json: { category: 'billing', priority: 'low', language: 'en' } };
}

const BLURBS = {
  en: 'The Fjord rain jacket weighs 310 g and packs into its own chest pocket. Its 2.5-layer membrane keeps out steady rain while the pit zips let heat escape on the climb.',
  de: 'Die Fjord-Regenjacke wiegt 310 g und verschwindet in ihrer eigenen Brusttasche. Die 2,5-Lagen-Membran hält Dauerregen ab, die Unterarm-Reißverschlüsse lassen beim Aufstieg Wärme entweichen.',
  ja: 'フィヨルド・レインジャケットは310gで、胸ポケットに収納できます。2.5層メンブレンが長雨を防ぎ、脇のジッパーで登りの熱を逃がします。',
  zh: 'Fjord 防雨夹克仅重 310 克，可收纳进自身的胸袋。2.5 层防水膜可抵御持续降雨，腋下拉链帮助在爬坡时散热。',
};

function blurb(request) {
  const language = /Language: (\w+)/.exec(lastOf(request, 'user')?.text ?? '')?.[1] ?? 'en';
  return { text: BLURBS[language] ?? BLURBS.en };
}

const HANDLERS = [
  [/You summarize one section/, summarizeSection],
  [/You merge section summaries/, () => ({ json: MERGED_SUMMARY })],
  [/professional translator/, translate],
  [/Answer with one word from/, triageWord],
  [/You are a support agent for Northwind/, draftReply],
  [/You triage support tickets for an online shop\. Decide/, triageTicket],
  [/product blurbs/, blurb],
];

/** The emulators' reply hook (`startEmulator({ reply })`). */
export function demoReply(request) {
  const system = request.system ?? '';
  const handler = HANDLERS.find(([pattern]) => pattern.test(system));
  return handler ? handler[1](request) : defaultReply(request);
}
