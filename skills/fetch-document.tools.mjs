// Test stand-in for the document store of fetch-document.skill.yaml, used by `skillc test`.

const DOCUMENTS = {
  'report-2026': {
    title: 'Q3 2026 customer support report',
    language: 'en',
    text: [
      'Ticket volume rose 18% over Q2, driven by the new subscription plans.',
      'Median first response time fell from 4.2 to 2.9 hours after the APAC queue opened.',
      'Refund requests are the largest category in Japan; shipping delays lead in Germany.',
    ].join('\n\n'),
  },
  'memo-7': {
    title: '2026年第三季度客服总结',
    language: 'zh',
    text: '第三季度工单量增长18%。\n\n亚太队列上线后，首次响应时间从4.2小时降至2.9小时。',
  },
};

export default {
  get_document: {
    execute({ id }) {
      const document = DOCUMENTS[id];
      if (document === undefined) throw new Error(`document ${id} not found`);
      return document;
    },
  },
};
