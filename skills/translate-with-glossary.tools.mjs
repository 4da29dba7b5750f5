// Test stand-in for the glossary tool of translate-with-glossary.skill.yaml, used by `skillc test`.

const GLOSSARY = {
  'express checkout': { ja: 'エクスプレスチェックアウト', zh: '快速结账', de: 'Express-Checkout', note: 'UI label; keep as one word in Japanese' },
  'northwind plus': { ja: 'Northwind Plus', zh: 'Northwind Plus', de: 'Northwind Plus', note: 'plan name; never translate' },
};

export default {
  lookup_term: {
    execute({ term, target_language }) {
      const entry = GLOSSARY[String(term).toLowerCase()];
      if (entry === undefined) return { term, approved: term, note: 'not in the glossary; translate normally' };
      return { term, approved: entry[target_language] ?? term, note: entry.note };
    },
  },
};
