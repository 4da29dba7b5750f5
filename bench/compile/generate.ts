/** Generates realistic, varied, valid skill files for the compile benchmark (deterministic). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DOMAINS = [
  { noun: 'support ticket', field: 'ticket', task: 'Draft a reply to', out: 'reply' },
  { noun: 'contract', field: 'contract', task: 'Extract the key clauses from', out: 'clauses' },
  { noun: 'meeting transcript', field: 'transcript', task: 'Write minutes for', out: 'minutes' },
  { noun: 'product review', field: 'review', task: 'Classify the sentiment of', out: 'sentiment' },
  { noun: 'research paper', field: 'paper', task: 'Summarize', out: 'summary' },
  { noun: 'job posting', field: 'posting', task: 'Extract requirements from', out: 'requirements' },
  { noun: 'incident report', field: 'report', task: 'Find the root cause in', out: 'root_cause' },
  { noun: 'email thread', field: 'thread', task: 'Propose next actions for', out: 'actions' },
];
const LANGS = ['en', 'de', 'fr', 'es', 'ja', 'zh'];

/** A small deterministic PRNG so every run benchmarks the same files. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const majorOf = (i: number) => 1 + (i % 3);

/** The `uses:` of skill `i`: see the comment in `generateSkill`. */
export function dependenciesOf(i: number): { alias: string; index: number }[] {
  const k = i % 10;
  if (k === 0) return [];
  const deps = [{ alias: 'prev', index: i - 1 }];
  if (k % 2 === 0 && k > 1) deps.push({ alias: 'base', index: i - k });
  return deps;
}

export function generateSkill(i: number): string {
  const r = rng(i + 1);
  const d = DOMAINS[i % DOMAINS.length]!;
  const name = `${d.field.replace(/_/g, '-')}-${d.out.replace(/_/g, '-')}-${i}`;
  const withTool = r() < 0.6;
  const withLoop = r() < 0.4;
  const withTests = r() < 0.7;
  const steps = 2 + Math.floor(r() * 4);
  const lines: string[] = [
    '# yaml-language-server: $schema=../../packages/compiler/schemas/sdl.schema.json',
    'sdl: "1.0"',
    `name: ${name}`,
    `version: ${majorOf(i)}.${i % 10}.${i % 7}`,
    `description: ${d.task} a ${d.noun} and return the ${d.out.replace('_', ' ')} as structured JSON.`,
    'inputs:',
    '  type: object',
    `  required: [${d.field}]`,
    '  properties:',
    `    ${d.field}:`,
    '      type: string',
    `      description: The full ${d.noun}.`,
    '      minLength: 1',
    '    language:',
    '      type: string',
    `      enum: [${LANGS.join(', ')}]`,
    `      default: ${LANGS[i % LANGS.length]}`,
    'outputs:',
    '  type: object',
    `  required: [${d.out}]`,
    '  properties:',
    `    ${d.out}: { type: string, description: "The ${d.out.replace('_', ' ')}, in the requested language." }`,
    '    confidence: { type: number, minimum: 0, maximum: 1 }',
    'requires:',
    `  context_window: ${[8000, 32000, 128000][i % 3]}`,
    `  features: [json_schema${withTool ? ', tools' : ''}]`,
    'engines:',
    '  prefer: [claude, openai, cohere]',
    '  models: { claude: claude-sonnet-5, openai: gpt-5.4, cohere: command-a-plus-05-2026 }',
    `  params: { temperature: ${(r() * 0.8).toFixed(2)}, max_tokens: ${400 + Math.floor(r() * 1200)} }`,
  ];
  if (withTool) {
    lines.push(
      'tools:',
      '  search_knowledge_base:',
      `    description: Search internal documentation relevant to a ${d.noun}.`,
      '    parameters:',
      '      type: object',
      '      required: [query]',
      '      properties:',
      '        query: { type: string, description: Search terms. }',
      '        limit: { type: integer, minimum: 1, maximum: 10, default: 5 }',
      '    returns:',
      '      type: array',
      '      items: { type: object, properties: { title: { type: string }, excerpt: { type: string } } }',
    );
  }
  // Dependencies: groups of ten skills; in each, skill k uses k-1 (a chain) and, for even k, also the
  // group's first skill (a diamond: k-1 reaches it too). Closures stay at most ten skills deep.
  const deps = dependenciesOf(i);
  if (deps.length > 0) {
    lines.push('uses:');
    for (const dep of deps) lines.push(`  ${dep.alias}: { skill: ./skill-${String(dep.index).padStart(4, '0')}.skill.yaml, version: "^${majorOf(dep.index)}.0.0" }`);
  }
  lines.push('steps:');
  for (const dep of deps) {
    const depField = DOMAINS[dep.index % DOMAINS.length]!.field;
    lines.push(`  - id: ${dep.alias}_result`, `    use: ${dep.alias}`, `    with: { ${depField}: inputs.${d.field}, language: inputs.language }`);
  }
  if (withLoop) {
    lines.push(
      '  - id: sections',
      `    for_each: inputs.${d.field}.split("\\n\\n")`,
      '    as: section',
      '    concurrency: 4',
      '    prompt:',
      `      system: You read one section of a ${d.noun} and list its important facts.`,
      '      user: "Section {{ index + 1 }}: {{ section }}"',
    );
  }
  for (let s = 0; s < steps; s++) {
    const last = s === steps - 1;
    lines.push(
      `  - id: step_${s}`,
      `    description: Pass ${s + 1} over the ${d.noun}.`,
      ...(s > 0 ? [`    when: steps.step_${s - 1}.output != ""`] : []),
      '    prompt:',
      '      system: |',
      `        You are an expert analyst. ${d.task} the ${d.noun} below.`,
      '        Be precise, quote the source where possible, and answer in {{ inputs.language }}.',
      '      user: |',
      `        {{ inputs.${d.field} }}`,
      ...(s > 0 ? [`        Previous notes: {{ steps.step_${s - 1}.output }}`] : []),
      ...(withTool && s === 0 ? ['    tools: [search_knowledge_base]', '    max_tool_iterations: 4'] : []),
      ...(last ? ['    output: outputs'] : []),
    );
  }
  lines.push(
    `return: steps.step_${steps - 1}.output`,
    'policies:',
    `  retry: { max_attempts: ${2 + (i % 4)}, base_ms: 500, max_ms: 30000, jitter: 0.2 }`,
    '  rate_limit: { rpm: 120, tpm: 100000, concurrency: 8 }',
    '  timeout_ms: 30000',
    '  circuit_breaker: { failures: 5, reset_ms: 30000 }',
    '  redact: [email, phone, credit_card]',
  );
  if (withTests) {
    lines.push(
      'tests:',
      '  - name: basic',
      `    input: { ${d.field}: "A short ${d.noun} for testing.", language: en }`,
      '    replies:',
      ...(withLoop ? ['      sections: ["Fact one."]'] : []),
      ...Array.from({ length: steps - 1 }, (_, s) => `      step_${s}: "Notes ${s}."`),
      `      step_${steps - 1}: '{"${d.out}": "Done.", "confidence": 0.9}'`,
      '    expect:',
      `      output.${d.out}: { equals: Done. }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The file name of skill `i`: sorted by name is sorted by index (each group of ten is contiguous). */
export const skillFileName = (i: number): string => `skill-${String(i).padStart(4, '0')}.skill.yaml`;

/**
 * Writes `files` generated skills into `dir` (emptied first), with a package.json that makes `dir`
 * its own project root: ids are `skill-NNNN.skill.yaml` and sdl.lock lands in `dir`.
 */
export function writeProject(dir: string, files: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "bench-compile", "private": true }\n');
  for (let i = 0; i < files; i++) writeFileSync(join(dir, skillFileName(i)), generateSkill(i));
}
