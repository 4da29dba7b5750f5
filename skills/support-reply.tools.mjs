// Test stand-ins for the host tools of support-reply.skill.yaml, used by `skillc test`.
// They answer from a small in-memory order book and help centre, the way a staging host would.

const ORDERS = {
  'DE-204981': { status: 'shipped', carrier: 'DHL', last_event: 'Parcel handed to carrier in Leipzig', refundable: true },
  'JP-550132': { status: 'delivered', carrier: 'Yamato', last_event: 'Delivered to the front desk', refundable: true },
  'CN-771045': { status: 'placed', carrier: 'SF Express', last_event: 'Awaiting pick-up', refundable: false },
};

const ARTICLES = [
  { title: 'Returns within 30 days', text: 'Unworn items can be returned within 30 days of delivery for a full refund.' },
  { title: 'Late deliveries', text: 'If tracking has not moved for 3 business days we open an investigation with the carrier.' },
  { title: 'Changing your delivery address', text: 'Addresses can be changed until the order ships.' },
];

export default {
  get_order: {
    execute({ order_id }) {
      const order = ORDERS[order_id];
      if (order === undefined) throw new Error(`order ${order_id} not found`);
      return order;
    },
  },
  search_help_center: {
    execute({ query, limit = 3 }) {
      const words = String(query).toLowerCase().split(/\W+/).filter(Boolean);
      return ARTICLES.filter((a) => words.some((w) => `${a.title} ${a.text}`.toLowerCase().includes(w))).slice(0, limit);
    },
  },
};
