// The floor of the `skillc compile` process row (bench/compile/run.ts): a Node process that does the
// least a compile must do, reading every skill file of a directory and parsing it with positions.
// Usage: node floor.mjs <dir>
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';

const [dir] = process.argv.slice(2);
let documents = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith('.skill.yaml')).sort()) {
  if (parseDocument(readFileSync(path.join(dir, name), 'utf8')).contents) documents++;
}
process.stdout.write(`${documents} documents\n`);
