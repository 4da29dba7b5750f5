import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient, pos, project } from './support/client.js';
import { HELPER, MAIN } from './support/skills.js';

describe('diagnostics over stdio', () => {
  const p = project({ 'main.skill.yaml': MAIN, 'helper.skill.yaml': HELPER, 'a.skill.yaml': cyclic('a', 'b'), 'b.skill.yaml': cyclic('b', 'a') });
  let client: LspClient;
  beforeAll(async () => {
    client = await LspClient.start(p.root);
  });
  afterAll(async () => {
    await client.stop();
    p.cleanup();
  });

  it('reports the files on disk when it starts, and a clean file has none', async () => {
    await client.open(p.uri('main.skill.yaml'), MAIN);
    expect(await client.diagnostics(p.uri('main.skill.yaml'))).toEqual([]);
  });

  it('re-checks as you type: an error inside a | block scalar, at its exact range', async () => {
    const text = MAIN.replace('{{ inputs.text }}\n', '{{ inputs.txt }}\n');
    const version = await client.change(p.uri('main.skill.yaml'), text);
    const diagnostics = await client.diagnostics(p.uri('main.skill.yaml'), (d) => d.version === version);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'SDL4102', severity: 1, source: 'sdl', range: { start: pos(text, 'txt }}'), end: pos(text, 'txt }}', 3) } });
    expect(diagnostics[0]!.message).toContain('did you mean `text`?');
  });

  it('places errors inside > folded scalars and flow mappings', async () => {
    const text = MAIN.replace('for {{ tag }}', 'for {{ tagg }}').replace('with: { word: inputs.text }', 'with: { word: inputs.txt }');
    const version = await client.change(p.uri('main.skill.yaml'), text);
    const diagnostics = await client.diagnostics(p.uri('main.skill.yaml'), (d) => d.version === version);
    expect(diagnostics.map((d) => [d.code, d.range.start, d.range.end])).toEqual([
      ['SDL4102', pos(text, 'txt }'), pos(text, 'txt }', 3)],
      ['SDL4101', pos(text, 'tagg'), pos(text, 'tagg', 4)],
    ]);
  });

  it('checks with: arguments against the used skill, with its inputs declaration as related location', async () => {
    const text = MAIN.replace('with: { body: inputs.text }', 'with: { body: inputs.text, extra: 1 }');
    const version = await client.change(p.uri('main.skill.yaml'), text);
    const [d] = await client.diagnostics(p.uri('main.skill.yaml'), (x) => x.version === version);
    expect(d).toMatchObject({ code: 'SDL4109', range: { start: pos(text, 'extra'), end: pos(text, 'extra', 5) } });
    expect(d!.relatedInformation).toEqual([{ location: { uri: p.uri('helper.skill.yaml'), range: { start: pos(HELPER, 'inputs'), end: pos(HELPER, 'inputs', 6) } }, message: 'the inputs of `helper` are declared here' }]);
  });

  it('re-checks dependents when an open dependency changes (unsaved)', async () => {
    await client.change(p.uri('main.skill.yaml'), MAIN);
    await client.diagnostics(p.uri('main.skill.yaml'), (d) => d.diagnostics.length === 0);
    const helper = HELPER.replace('body: { type: string, description: The text to summarize. }', 'content: { type: string }').replace('required: [body]', 'required: [content]').replace('inputs.body', 'inputs.content');
    await client.open(p.uri('helper.skill.yaml'), helper);
    const diagnostics = await client.diagnostics(p.uri('main.skill.yaml'), (d) => d.diagnostics.length > 0);
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['SDL4109', 'SDL4110']);
    await client.change(p.uri('helper.skill.yaml'), HELPER);
    expect(await client.diagnostics(p.uri('main.skill.yaml'), (d) => d.diagnostics.length === 0)).toEqual([]);
  });

  it('re-checks when a file changes on disk and the client says so (workspace/didChangeWatchedFiles)', async () => {
    await client.close(p.uri('helper.skill.yaml'));
    await client.diagnostics(p.uri('main.skill.yaml'), (d) => d.diagnostics.length === 0);
    writeFileSync(p.file('helper.skill.yaml'), HELPER.replace('required: [body]', 'required: [body, tone]').replace('    body: { type', '    tone: { type: string }\n    body: { type'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: p.uri('helper.skill.yaml'), type: 2 }] });
    const [d] = await client.diagnostics(p.uri('main.skill.yaml'), (x) => x.diagnostics.length > 0);
    expect(d).toMatchObject({ code: 'SDL4110', range: { start: pos(MAIN, 'with: {'), end: pos(MAIN, 'with: {', 4) } });
    expect(d!.message).toContain('tone');
    writeFileSync(p.file('helper.skill.yaml'), HELPER);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: p.uri('helper.skill.yaml'), type: 2 }] });
    expect(await client.diagnostics(p.uri('main.skill.yaml'), (x) => x.diagnostics.length === 0)).toEqual([]);
  });

  it('reports a dependency cycle with the other end as related location', async () => {
    // Reported once, at the alias that closes the loop (b → a), as `skillc check` does.
    const b = cyclic('b', 'a');
    const a = cyclic('a', 'b');
    const [d] = await client.diagnostics(p.uri('b.skill.yaml'), (x) => x.diagnostics.length > 0);
    expect(d).toMatchObject({ code: 'SDL5008', range: { start: pos(b, 'back:'), end: pos(b, 'back:', 4) } });
    expect(d!.relatedInformation).toEqual([{ location: { uri: p.uri('a.skill.yaml'), range: { start: pos(a, 'back:'), end: pos(a, 'back:', 4) } }, message: '`back` in a.skill.yaml leads back here' }]);
  });

  it('leaves YAML files that are not skills alone', async () => {
    await client.open(p.uri('sdl.config.yaml'), 'engines: {}\n');
    // A check runs after both notifications; its report for main says the config was seen too.
    const v = await client.change(p.uri('main.skill.yaml'), MAIN.replace('name: main', 'name: main '));
    await client.diagnostics(p.uri('main.skill.yaml'), (d) => d.version === v);
    const formatted = await client.connection.sendRequest('textDocument/formatting', { textDocument: { uri: p.uri('sdl.config.yaml') }, options: { tabSize: 2, insertSpaces: true } });
    expect(formatted).toEqual([]);
    expect(client.lastDiagnostics(p.uri('sdl.config.yaml'))).toBeUndefined();
    await client.close(p.uri('sdl.config.yaml'));
  });

  it('positions diagnostics of CRLF files', async () => {
    const crlf = MAIN.replace('{{ inputs.text }}\n', '{{ inputs.txt }}\n').replace(/\n/g, '\r\n');
    await client.open(p.uri('crlf.skill.yaml'), crlf.replace('name: main', 'name: crlf'));
    const diagnostics = await client.diagnostics(p.uri('crlf.skill.yaml'), (d) => d.diagnostics.length > 0);
    expect(diagnostics.map((d) => [d.code, d.range])).toEqual([['SDL4102', { start: pos(crlf, 'txt }}'), end: pos(crlf, 'txt }}', 3) }]]);
  });
});

function cyclic(name: string, other: string): string {
  return `sdl: "1.0"
name: ${name}
version: 1.0.0
description: Part of a cycle.
uses:
  back: { skill: ./${other}.skill.yaml }
steps:
  - id: call
    use: back
`;
}
