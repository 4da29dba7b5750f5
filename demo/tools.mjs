/**
 * The host tools the demo registers, as a small host application would: an order book, a help
 * centre search, the company glossary and a document splitter. Schemas are checked against the
 * skills' `tools:` declarations when the runtime loads a skill.
 */
import { chunkText } from '@sdl/runtime';

const ORDERS = {
  'DE-204981': { status: 'shipped', carrier: 'DHL', last_event: 'Parcel handed to carrier in Leipzig', refundable: true },
  'JP-550132': { status: 'delivered', carrier: 'Yamato', last_event: 'Delivered to the front desk', refundable: true },
};

const ARTICLES = [
  { title: 'Late deliveries', text: 'If tracking has not moved for 3 business days we open an investigation with the carrier.' },
  { title: 'Returns within 30 days', text: 'Unworn items can be returned within 30 days of delivery for a full refund.' },
  { title: 'Changing your delivery address', text: 'Addresses can be changed until the order ships.' },
];

const GLOSSARY = {
  'express checkout': { ja: 'エクスプレスチェックアウト', zh: '快速结账', de: 'Express-Checkout', note: 'UI label; one word in Japanese' },
};

/** @type {Record<string, import('@sdl/runtime').HostTool>} */
export const demoTools = {
  get_order: {
    description: 'Order status from the order book.',
    parameters: { type: 'object', required: ['order_id'], properties: { order_id: { type: 'string' } } },
    execute({ order_id }) {
      const order = ORDERS[String(order_id)];
      if (order === undefined) throw new Error(`order ${String(order_id)} not found`);
      return order;
    },
  },
  search_help_center: {
    description: 'Search the published help-centre articles.',
    parameters: { type: 'object', required: ['query'], properties: { query: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 5 } } },
    execute({ query, limit = 3 }) {
      const words = String(query).toLowerCase().split(/\W+/).filter((w) => w.length > 2);
      const score = (a) => words.filter((w) => `${a.title} ${a.text}`.toLowerCase().includes(w)).length;
      return ARTICLES.map((a) => ({ a, s: score(a) }))
        .filter((x) => x.s > 0)
        .sort((x, y) => y.s - x.s)
        .slice(0, Number(limit))
        .map((x) => x.a);
    },
  },
  lookup_term: {
    description: 'Approved translation of a glossary term.',
    parameters: { type: 'object', required: ['term', 'target_language'], properties: { term: { type: 'string' }, target_language: { type: 'string' } } },
    execute({ term, target_language }) {
      const entry = GLOSSARY[String(term).toLowerCase()];
      if (entry === undefined) return { term, approved: term, note: 'not in the glossary; translate normally' };
      return { term, approved: entry[String(target_language)] ?? term, note: entry.note };
    },
  },
  split_text: {
    description: 'One chunk per top-level Markdown section; long sections are split further under the budget.',
    parameters: {
      type: 'object',
      required: ['text', 'max_tokens'],
      properties: { text: { type: 'string' }, max_tokens: { type: 'integer' }, overlap: { type: 'integer' } },
    },
    execute({ text, max_tokens, overlap = 0 }) {
      const sections = String(text).split(/\n(?=## )/).map((s) => s.trim()).filter(Boolean);
      // A title or preamble before the first section belongs to that section.
      if (sections.length > 1 && !sections[0].startsWith('## ')) sections.splice(0, 2, `${sections[0]}\n\n${sections[1]}`);
      const budget = Number(max_tokens);
      return sections.flatMap((s) => chunkText(s, { maxTokens: budget, overlapTokens: Math.min(Number(overlap), budget - 1) }).map((c) => c.text));
    },
  },
};
