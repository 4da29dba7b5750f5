import { BASE, replaceLine, withLines } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** One front-end code's case: an input and the exact range of the one diagnostic with that code. */
export interface Case {
  code: string;
  why: string;
  input: string | Uint8Array;
  /** [startLine, startCol, endLine, endCol] of the diagnostic with `code`. */
  range: [number, number, number, number];
  message?: RegExp;
  hint?: RegExp;
}

// One case per front-end code: the exact range and the key words of message and hint.
export const CASES: Case[] = [
  { code: 'SDL1001', why: 'invalid UTF-8 byte', input: new Uint8Array([...enc('sdl: "1.0"\nname: d'), 0xff, ...enc('x\n')]), range: [2, 8, 2, 9], message: /0xFF/ },
  { code: 'SDL1002', why: 'byte order mark', input: new Uint8Array([0xef, 0xbb, 0xbf, ...enc(BASE)]), range: [1, 1, 1, 1] },
  { code: 'SDL1003', why: 'unclosed flow sequence', input: replaceLine(4, 'description: [Answer'), range: [5, 1, 5, 2], hint: /close the bracket/ },
  { code: 'SDL1004', why: 'duplicate key', input: withLines('name: again'), range: [9, 1, 9, 5], message: /duplicate key/ },
  { code: 'SDL1005', why: 'tab indentation', input: replaceLine(8, '\t\tuser: hi'), range: [8, 1, 8, 3], hint: /spaces/ },
  {
    code: 'SDL1006',
    why: 'alias bomb',
    input: withLines('x-a: &a [q, q, q, q, q, q, q, q, q, q]', 'x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'x-d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]'),
    range: [10, 10, 10, 12],
  },
  { code: 'SDL1007', why: 'empty file', input: '# nothing yet\n', range: [1, 1, 2, 1] },
  { code: 'SDL1008', why: 'two documents', input: `${BASE}\n---\nname: other\n`, range: [9, 1, 11, 1] },
  { code: 'SDL1009', why: 'file over 1 MiB', input: enc(`${BASE}\n# ${'x'.repeat(1024 * 1024)}\n`), range: [1, 1, 1, 1] },
  { code: 'SDL1010', why: 'collection as key', input: withLines('? [a, b]', ': 1'), range: [9, 3, 9, 9] },
  { code: 'SDL1011', why: 'unknown tag', input: replaceLine(4, 'description: !secret Answer'), range: [4, 14, 4, 21] },
  { code: 'SDL1012', why: 'brackets nested past the limit', input: withLines(`x: ${'['.repeat(120)}${']'.repeat(120)}`), range: [9, 101, 9, 102], message: /deeper than 100 levels/ },
  { code: 'SDL1013', why: 'more than 200 diagnostics in one file', input: withLines(...Array.from({ length: 205 }, (_, i) => `k${i}: 1`)), range: [209, 1, 209, 5], message: /^and 5 more diagnostics in this file \(5 of them errors\); only the first 200 are shown$/ },
  { code: 'SDL2001', why: 'misspelled key', input: replaceLine(4, 'descripton: Answer a question.'), range: [4, 1, 4, 11], hint: /did you mean `description`\?/ },
  { code: 'SDL2002', why: 'missing required key in a step', input: replaceLine(8, '      system: Be brief.'), range: [7, 5, 7, 11], message: /missing the required key `user`/ },
  { code: 'SDL2003', why: 'unquoted number where a string is expected', input: replaceLine(3, 'version: 1.10'), range: [3, 10, 3, 14], hint: /"1.10"/ },
  { code: 'SDL2004', why: 'value outside an enum', input: withLines('requires:', '  features: [tools, jsonschema]'), range: [10, 21, 10, 31], hint: /did you mean `json_schema`\?/ },
  { code: 'SDL2005', why: 'unsupported sdl version', input: replaceLine(1, 'sdl: "2.0"'), range: [1, 6, 1, 11] },
  { code: 'SDL2006', why: 'number out of range', input: withLines('engines:', '  params: { temperature: 3.5 }'), range: [10, 26, 10, 29], message: /at most 2/ },
  { code: 'SDL2007', why: 'step id not an identifier', input: replaceLine(6, '  - id: final-answer'), range: [6, 9, 6, 21], message: /identifier/ },
  { code: 'SDL2008', why: 'empty description', input: replaceLine(4, 'description: ""'), range: [4, 14, 4, 16], message: /must not be empty/ },
  { code: 'SDL2010', why: 'step without a kind', input: replaceLine(8, '      user: x', replaceLine(7, '    promt:')), range: [7, 5, 7, 10], message: /step `answer` needs one of/, hint: /did you mean `prompt`\?/ },
  { code: 'SDL2011', why: 'step with two kinds', input: withLines('    tool: search'), range: [9, 5, 9, 9] },
  { code: 'SDL2012', why: 'duplicate list item', input: withLines('requires:', '  features: [tools, vision, tools]'), range: [10, 29, 10, 34] },
  { code: 'SDL2013', why: 'assertion with two checks', input: withLines('tests:', '  - name: t', '    input: {}', '    expect:', '      output: { equals: a, contains: a }'), range: [13, 7, 13, 13] },
  { code: 'SDL3001', why: 'duplicate step id', input: withLines('  - id: answer', '    prompt: { user: again }'), range: [9, 9, 9, 15] },
  { code: 'SDL3002', why: 'replies for an unknown step', input: withLines('tests:', '  - name: t', '    input: {}', '    replies: { anwser: hi }'), range: [12, 16, 12, 22], hint: /did you mean `answer`\?/ },
  { code: 'SDL3003', why: 'undeclared uses alias', input: withLines('  - id: more', '    use: chunk'), range: [10, 10, 10, 15] },
  { code: 'SDL3004', why: 'undeclared tool', input: withLines('    tools: [search]'), range: [9, 13, 9, 19] },
  { code: 'SDL3005', why: 'invalid semver', input: replaceLine(3, 'version: "1.0"'), range: [3, 10, 3, 15], hint: /1\.0\.0/ },
  { code: 'SDL3006', why: 'bad skill name', input: replaceLine(2, 'name: Demo Skill'), range: [2, 7, 2, 17], hint: /demo-skill/ },
  { code: 'SDL3007', why: 'model for an engine not preferred', input: withLines('engines:', '  prefer: [claude]', '  models: { claude: claude-sonnet-5, opnai: gpt-5.4 }'), range: [11, 38, 11, 43] },
  { code: 'SDL3008', why: 'engine listed twice', input: withLines('engines:', '  prefer: [claude, openai, claude]'), range: [10, 28, 10, 34] },
  { code: 'SDL3009', why: 'max_ms below base_ms', input: withLines('policies:', '  retry: { base_ms: 2000, max_ms: 500 }'), range: [10, 35, 10, 38] },
  { code: 'SDL3010', why: 'max_tokens above tpm', input: withLines('engines:', '  params: { max_tokens: 5000 }', 'policies:', '  rate_limit: { tpm: 4000 }'), range: [10, 25, 10, 29] },
  { code: 'SDL3011', why: 'API key in a prompt', input: replaceLine(8, '      user: "use key sk-proj-Abcdefghijklmnopqrstuvwx123456"'), range: [8, 22, 8, 60], message: /OpenAI API key/ },
  { code: 'SDL3012', why: 'api_key field', input: withLines('x:', '  api_key: hunter2'), range: [10, 3, 10, 10] },
  { code: 'SDL3013', why: 'output: outputs without outputs', input: withLines('    output: outputs'), range: [9, 13, 9, 20] },
  { code: 'SDL3014', why: 'duplicate test name', input: withLines('tests:', '  - { name: basic, input: {} }', '  - { name: basic, input: {} }'), range: [11, 13, 11, 18] },
  { code: 'SDL3015', why: 'unused tool', input: withLines('tools:', '  search: { description: Search., parameters: { type: object } }'), range: [10, 3, 10, 9] },
  { code: 'SDL3016', why: 'unused dependency', input: withLines('uses:', '  chunk: { skill: ./chunk.skill.yaml }'), range: [10, 3, 10, 8] },
  { code: 'SDL3017', why: 'as without for_each', input: withLines('    as: part'), range: [9, 5, 9, 7] },
  { code: 'SDL3018', why: 'loop variable named inputs', input: withLines('    for_each: inputs.parts', '    as: inputs'), range: [10, 9, 10, 15] },
  { code: 'SDL3019', why: 'required property not declared', input: withLines('inputs:', '  type: object', '  required: [qestion]', '  properties: { question: { type: string } }'), range: [11, 14, 11, 21], hint: /did you mean `question`\?/ },
  { code: 'SDL3020', why: 'reply for a tool step', input: withLines('  - id: look', '    tool: search', 'tools:', '  search: { description: Search., parameters: { type: object } }', 'tests:', '  - name: t', '    input: {}', '    replies: { look: x }'), range: [16, 16, 16, 20] },
  { code: 'SDL3022', why: 'default outside the enum', input: withLines('inputs:', '  type: object', '  properties: { lang: { type: string, enum: [en, ja], default: jp } }'), range: [11, 64, 11, 66], hint: /did you mean `ja`\?/ },
  { code: 'SDL3023', why: 'length bounds that allow nothing', input: withLines('tests:', '  - name: t', '    input: {}', '    expect:', '      output: { not: { length: { min: 5, max: 2 } } }'), range: [13, 47, 13, 48], message: /`max` \(2\) is below `min` \(5\)/, hint: /at least 5/ },
  { code: 'SDL3040', why: 'few-shot examples starting with the assistant', input: withLines('      messages:', '        - { role: assistant, content: ok }'), range: [10, 19, 10, 28], message: /example turn 1 is an `assistant` turn/, hint: /role: user/ },
  {
    code: 'SDL3041',
    why: 'five cache marks',
    input: withLines('      attach:', ...[1, 2, 3, 4, 5].map((n) => `        - { image: inputs.a${n}, cache: true }`)),
    range: [14, 38, 14, 42],
    message: /marks 5 cache breakpoints; at most 4/,
  },
  { code: 'SDL3042', why: 'thinking budget above max_tokens', input: withLines('    params: { max_tokens: 2000, reasoning: { budget_tokens: 4096 } }'), range: [9, 61, 9, 65], message: /must be less than `max_tokens` \(2000\)/ },
  { code: 'SDL3043', why: 'temperature on a reasoning step', input: withLines('    params: { temperature: 0.5, reasoning: { effort: high } }'), range: [9, 15, 9, 26], message: /`temperature` is not sent/ },
  { code: 'SDL3044', why: 'cache mark on tools of a step without tools', input: withLines('      cache: [tools]'), range: [9, 15, 9, 20], hint: /remove `tools`/ },
  { code: 'SDL3045', why: 'a PDF as the system prompt', input: withLines('      system: { document: inputs.contract }'), range: [9, 15, 9, 44], message: /system prompt takes text only/, hint: /attach/ },
  {
    code: 'SDL4120',
    why: 'an image attachment of an integer input',
    input: withLines('      attach: [{ image: inputs.n }]', 'inputs:', '  type: object', '  properties: { n: { type: integer }, question: { type: string } }'),
    range: [9, 25, 9, 33],
    message: /an `image:` attachment must be a string .* this expression is int/,
  },
  {
    code: 'SDL4121',
    why: 'an image attachment of a PDF input',
    input: withLines('      attach: [{ image: inputs.doc }]', 'inputs:', '  type: object', '  properties: { doc: { type: string, contentMediaType: application/pdf }, question: { type: string } }'),
    range: [9, 25, 9, 35],
    message: /`inputs.doc` is declared `contentMediaType: application\/pdf`/,
    hint: /attach it as `document: inputs.doc`/,
  },
];

