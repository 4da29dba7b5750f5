import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeLens, SemanticTokens, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { formatSkill } from '@sdl/compiler';
import { LspClient, pos, project } from './support/client.js';
import { HELPER, MAIN } from './support/skills.js';

/** Applies LSP text edits to a text (edits do not overlap). */
function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split(/(?<=\n)/);
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).join('').length + p.character;
  return [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)).reduce((t, e) => t.slice(0, offset(e.range.start)) + e.newText + t.slice(offset(e.range.end)), text);
}

describe('rename, formatting, semantic tokens and code lenses over stdio', () => {
  const p = project({ 'main.skill.yaml': MAIN, 'helper.skill.yaml': HELPER });
  const main = p.uri('main.skill.yaml');
  const helper = p.uri('helper.skill.yaml');
  let client: LspClient;
  beforeAll(async () => {
    client = await LspClient.start(p.root);
    await client.open(main, MAIN);
    await client.open(helper, HELPER);
    await client.diagnostics(main);
  });
  afterAll(async () => {
    await client.stop();
    p.cleanup();
  });

  const rename = async (uri: string, text: string, needle: string, delta: number, newName: string) => {
    const at = pos(text, needle, delta);
    return client.at<WorkspaceEdit>('textDocument/rename', uri, at.line, at.character, { newName });
  };

  it('formats through skillc fmt\'s formatter (CRLF in, canonical LF out)', async () => {
    const messy = MAIN.replace('version: 1.0.0\n', '').replace('name: main\n', 'name: main\nversion:   1.0.0\n').replace(/\n/g, '\r\n');
    await client.change(main, messy);
    const edits = await client.connection.sendRequest<TextEdit[]>('textDocument/formatting', { textDocument: { uri: main }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.range.start).toEqual({ line: 0, character: 0 });
    expect(edits[0]!.newText).toBe(formatSkill(messy).text);
    expect(edits[0]!.newText).toContain('name: main\nversion: 1.0.0\ndescription: Test skill.\n');
    expect(edits[0]!.newText).not.toContain('\r');
    await client.change(main, edits[0]!.newText);
    expect(await client.connection.sendRequest<TextEdit[]>('textDocument/formatting', { textDocument: { uri: main }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
  });

  describe.each([['LF', (t: string) => t], ['CRLF', (t: string) => t.replace(/\n/g, '\r\n')]])('in %s files', (_eol, eol) => {
    const T = eol(MAIN);
    const H = eol(HELPER);
    beforeAll(async () => {
      await client.change(helper, H);
      const v = await client.change(main, T);
      await client.diagnostics(main, (d) => d.version === v);
    });

    it('renames an input across two files: its schema, required, expressions, tests and the with: key of the skill that uses it', async () => {
      const edit = await rename(main, T, 'with: { body: inputs.text }', 8, 'content');
      expect(Object.keys(edit.changes!).sort()).toEqual([helper, main].sort());
      const renamedHelper = apply(H, edit.changes![helper]!);
      expect(renamedHelper).toContain(eol('required: [content]'));
      expect(renamedHelper).toContain(eol('    content: { type: string, description: The text to summarize. }'));
      expect(renamedHelper).toContain(eol('user: "{{ inputs.content }}"'));
      expect(edit.changes![main]).toEqual([{ range: { start: pos(T, eol('body: inputs')), end: pos(T, eol('body: inputs'), 4) }, newText: 'content' }]);
      // The renamed pair checks clean.
      await client.change(helper, renamedHelper);
      const v = await client.change(main, apply(T, edit.changes![main]!));
      expect(await client.diagnostics(main, (d) => d.version === v)).toEqual([]);
      await client.change(helper, H);
      await client.change(main, T);
    });

    it('renames a step id in its id:, inside a | block template and in tests\' replies:', async () => {
      const edit = await rename(main, T, '  - id: second', 8, 'summary_step');
      const text = apply(T, edit.changes![main]!);
      expect(text).toContain(eol('  - id: summary_step\n'));
      expect(text).toContain(eol('return: steps.summary_step.output'));
      expect(text).toContain(eol('      summary_step: ok'));
      expect(edit.changes![main]).toHaveLength(3);
      const fromTemplate = await rename(main, T, 'steps.first.output.summary', 7, 'intro');
      expect(apply(T, fromTemplate.changes![main]!)).toContain(eol('Summarize {{ steps.intro.output.summary }}'));
      expect(apply(T, fromTemplate.changes![main]!)).toContain(eol('  - id: intro\n'));
    });

    it('renames a tool and a uses: alias; refuses a name that is not an identifier', async () => {
      const tool = apply(T, (await rename(main, T, 'tool: lookup', 7, 'define_word')).changes![main]!);
      expect(tool).toContain(eol('  define_word:\n    description: Looks a word up.'));
      expect(tool).toContain(eol('    tool: define_word\n'));
      const alias = apply(T, (await rename(main, T, '  helper: { skill', 3, 'summarizer')).changes![main]!);
      expect(alias).toContain(eol('  summarizer: { skill: ./helper.skill.yaml'));
      expect(alias).toContain(eol('    use: summarizer\n'));
      await expect(rename(main, T, 'tool: lookup', 7, '2bad')).rejects.toThrow(/not a valid name/);
    });

    it('prepareRename gives the name\'s range, inside a flow mapping', async () => {
      const at = pos(T, eol('with: { word: inputs.text }'), 22);
      expect(await client.at('textDocument/prepareRename', main, at.line, at.character)).toEqual({ range: { start: pos(T, eol('text }\n  - id: second')), end: pos(T, eol('text }\n  - id: second'), 4) }, placeholder: 'text' });
    });

    it('semantic tokens for expressions inside YAML strings, block scalars included', async () => {
      const v = await client.change(main, T);
      await client.diagnostics(main, (d) => d.version === v);
      const { data } = await client.connection.sendRequest<SemanticTokens>('textDocument/semanticTokens/full', { textDocument: { uri: main } });
      const types = ['variable', 'property', 'function', 'string', 'number', 'keyword', 'operator', 'macro', 'parameter'];
      const tokens: [number, number, number, string][] = [];
      let line = 0;
      let character = 0;
      for (let i = 0; i < data.length; i += 5) {
        line += data[i]!;
        character = data[i]! === 0 ? character + data[i + 1]! : data[i + 1]!;
        tokens.push([line, character, data[i + 2]!, types[data[i + 3]!]!]);
      }
      const token = (needle: string, delta: number, length: number, type: string, n = 0) => {
        const at = pos(T, needle, delta, n);
        return [at.line, at.character, length, type];
      };
      expect(tokens).toContainEqual(token('with: { body: inputs.text }', 14, 6, 'variable'));
      expect(tokens).toContainEqual(token('with: { body: inputs.text }', 21, 4, 'property'));
      expect(tokens).toContainEqual(token('Summarize {{ steps', 10, 2, 'keyword'));
      expect(tokens).toContainEqual(token('Summarize {{ steps', 13, 5, 'variable'));
      expect(tokens).toContainEqual(token('for {{ tag }}', 7, 3, 'variable'));
      expect(tokens).toContainEqual(token('{{#each inputs', 2, 5, 'keyword'));
      expect(tokens).toContainEqual(token('return: steps.second', 14, 6, 'property'));
    });

    it('code lenses run a test (skillc test --name) and show a step\'s rendered prompt for a test\'s input', async () => {
      const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: main } });
      expect(lenses.map((l) => [l.range.start, l.command?.title])).toEqual([
        [pos(T, eol('name: basic')), '▶ Run test'],
        [pos(T, eol('id: second')), 'Show prompt for test "basic"'],
      ]);
      const shown = await client.connection.sendRequest<string>('workspace/executeCommand', lenses[1]!.command);
      // `first` has no reply: its output shows as placeholders shaped by helper's `outputs`; the loop renders its first item.
      expect(shown).toBe(('--- system ---\nYou summarize for a in one line.\n\n--- user ---\nSummarize ‹steps.first.output.summary› and hello\n- a\n'));
      const run = await client.connection.sendRequest<{ passed: boolean; output: string }>('workspace/executeCommand', lenses[0]!.command);
      expect(run.output).toContain(eol('main › basic'));
      expect(run.output).toMatch(/1 passed, 0 failed|0 passed, 1 failed/);
    });
  });
});
