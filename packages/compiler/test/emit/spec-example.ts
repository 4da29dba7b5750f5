import { readFileSync } from 'node:fs';

/** The worked example of spec/ir.md: its two skill files and the IR it documents for `summarize`. */
const md = readFileSync(new URL('../../../../spec/ir.md', import.meta.url), 'utf8');

function block(after: string, lang: string): string {
  const at = md.indexOf(after);
  if (at < 0) throw new Error(`spec/ir.md has no "${after}"`);
  const open = md.indexOf('```' + lang + '\n', at) + lang.length + 4;
  return md.slice(open, md.indexOf('\n```', open) + 1);
}

export const SPEC_FILES: Record<string, string> = {
  'package.json': '{ "name": "spec-example", "private": true }\n',
  'skills/chunk.skill.yaml': block('`skills/chunk.skill.yaml`:', 'yaml'),
  'skills/summarize.skill.yaml': block('`skills/summarize.skill.yaml`:', 'yaml'),
};

/** `dist/summarize.skill.json` as the spec shows it: the file's JSON, indented for reading. */
export const SPEC_SUMMARIZE_IR = block('`dist/summarize.skill.json`, indented for reading', 'json');
