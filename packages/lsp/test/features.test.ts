import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, Hover, Location } from 'vscode-languageserver-protocol';
import { LspClient, pos, project } from './support/client.js';
import { HELPER, MAIN } from './support/skills.js';

const CONFIG = `engines:
  claude: { provider: anthropic, model: claude-sonnet-5, api_key: "\${env:ANTHROPIC_API_KEY}" }
  openai: { provider: openai, model: gpt-5.4, api_key: "\${env:OPENAI_API_KEY}" }
`;

const labels = (items: CompletionItem[] | null) => (items ?? []).map((i) => i.label);
const hoverText = (h: Hover | null) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');

describe('completion, hover and navigation over stdio', () => {
  const p = project({ 'main.skill.yaml': MAIN, 'helper.skill.yaml': HELPER, 'sdl.config.yaml': CONFIG });
  const main = p.uri('main.skill.yaml');
  let client: LspClient;
  beforeAll(async () => {
    client = await LspClient.start(p.root);
  });
  afterAll(async () => {
    await client.stop();
    p.cleanup();
  });

  /** Opens (or replaces) main with `text` and waits until the server has checked that version. */
  const show = async (text: string, uri = main) => {
    const version = await client.change(uri, text);
    await client.diagnostics(uri, (d) => d.version === version);
  };
  beforeAll(async () => {
    await client.open(main, MAIN);
    await client.diagnostics(main);
  });

  it('reports engines sdl.config.yaml does not define (SDL3050, as skillc check does), at the name', async () => {
    const text = MAIN.replace('tools:\n', 'engines:\n  prefer: [claud]\ntools:\n');
    const version = await client.change(main, text);
    const diagnostics = await client.diagnostics(main, (d) => d.version === version);
    expect(diagnostics.filter((d) => d.code === 'SDL3050').map((d) => [d.range, d.severity, d.message])).toEqual([
      [{ start: pos(text, 'claud]'), end: pos(text, 'claud]', 5) }, 2, 'engine `claud` is not defined in sdl.config.yaml (engines: claude, openai)\nhint: did you mean `claude`?'],
    ]);
    const clean = await client.change(main, MAIN);
    expect(await client.diagnostics(main, (d) => d.version === clean)).toEqual([]);
  });

  describe('completion', () => {
    it.each([
      ['| block: inputs fields with their types and docs', (t: string) => t.replace('and {{ inputs.text }}', 'and {{ inputs. }}'), 'and {{ inputs.', 14, ['text', 'tags']],
      ['| block: a used skill\'s outputs through steps.<id>.output', (t: string) => t.replace('{{ steps.first.output.summary }}', '{{ steps.first.output. }}'), '{{ steps.first.output.', 22, ['summary']],
      ['flow mapping: a tool\'s result fields', (t: string) => t.replace('with: { word: inputs.text }', 'with: { word: steps.define.output. }'), 'with: { word: steps.define.output.', 34, ['meaning']],
      ['flow mapping: inputs', (t: string) => t.replace('with: { body: inputs.text }', 'with: { body: inputs. }'), 'with: { body: inputs.', 21, ['text', 'tags']],
    ])('%s', async (_name, edit, needle, delta, expected) => {
      const text = edit(MAIN);
      await show(text);
      const items = await client.at<CompletionItem[]>('textDocument/completion', main, pos(text, needle).line, pos(text, needle, delta).character);
      const fields = items.filter((i) => i.kind === 5 /* Field */);
      expect(fields.map((i) => i.label)).toEqual(expected);
      if (expected.includes('text')) expect(fields.find((i) => i.label === 'text')).toMatchObject({ detail: 'string', documentation: { value: 'The text.' } });
      if (expected.includes('tags')) expect(fields.find((i) => i.label === 'tags')?.detail).toBe('list(string)');
    });

    it('> folded scalar: the loop variable, index, the globals and the functions with signatures', async () => {
      const text = MAIN.replace('for {{ tag }}', 'for {{ ta }}');
      await show(text);
      const at = pos(text, 'for {{ ta }}', 9);
      const items = await client.at<CompletionItem[]>('textDocument/completion', main, at.line, at.character);
      expect(items.filter((i) => i.kind === 6 /* Variable */).map((i) => [i.label, i.detail])).toEqual([['inputs', 'object {text, tags}'], ['steps', 'object {first, define, second}'], ['tag', 'string'], ['index', 'int']]);
      expect(items.find((i) => i.label === 'size')).toMatchObject({ kind: 3, detail: 'size(string|bytes|list|map) -> int' });
      expect(labels(items)).toContain('has');
    });

    it('{{#each}} variables and the string methods on them', async () => {
      const text = MAIN.replace('- {{ t }}', '- {{ t. }}');
      await show(text);
      const at = pos(text, '- {{ t. }}', 7);
      const items = await client.at<CompletionItem[]>('textDocument/completion', main, at.line, at.character);
      expect(labels(items)).toEqual(expect.arrayContaining(['contains', 'startsWith', 'lowerAscii', 'size', 'split']));
      expect(labels(items)).not.toContain('all');
    });

    it('keys of a step from the schema, with documentation, leaving out those present', async () => {
      const text = MAIN.replace('    tool: lookup\n', '    tool: lookup\n    wh\n');
      await show(text);
      const at = pos(text, '    wh\n', 6);
      const items = await client.at<CompletionItem[]>('textDocument/completion', main, at.line, at.character);
      expect(labels(items)).toEqual(expect.arrayContaining(['when', 'for_each', 'description']));
      expect(labels(items)).not.toContain('tool');
      expect(labels(items)).not.toContain('id');
      expect((items.find((i) => i.label === 'when')?.documentation as { value: string }).value).toMatch(/\S/);
    });

    it('top-level keys with their documentation', async () => {
      const text = MAIN.replace('return: steps.second.output\n', 'return: steps.second.output\npol\n');
      await show(text);
      const at = pos(text, '\npol\n', 4);
      const items = await client.at<CompletionItem[]>('textDocument/completion', main, at.line, at.character);
      expect(labels(items)).toEqual(expect.arrayContaining(['policies', 'requires', 'engines', 'outputs']));
      expect(labels(items)).not.toContain('steps');
    });

    it('values: uses: aliases, tool names, engine names from sdl.config.yaml, model ids', async () => {
      const text = MAIN.replace('    use: helper\n', '    use: \n').replace('    tool: lookup\n', '    tool: \n').replace('tools:\n', 'engines:\n  prefer: [claude]\n  models:\n    claude: \ntools:\n');
      await show(text);
      const complete = async (needle: string, delta: number) => {
        const at = pos(text, needle, delta);
        return labels(await client.at<CompletionItem[]>('textDocument/completion', main, at.line, at.character));
      };
      expect(await complete('    use: \n', 9)).toEqual(['helper']);
      expect(await complete('    tool: \n', 10)).toEqual(['lookup']);
      expect(await complete('  prefer: [claude]', 12)).toEqual(['claude', 'openai']);
      expect(await complete('    claude: \n', 12)).toEqual(expect.arrayContaining(['claude-sonnet-5']));
    });

    it('with: keys: the used skill\'s inputs and the tool\'s parameters, with types and docs', async () => {
      const text = MAIN.replace('with: { body: inputs.text }', 'with: {  }').replace('with: { word: inputs.text }', 'with: {  }');
      await show(text);
      const complete = async (n: number) => {
        const at = pos(text, 'with: {  }', 8, n);
        return client.at<CompletionItem[]>('textDocument/completion', main, at.line, at.character);
      };
      expect((await complete(0)).map((i) => [i.label, i.detail, (i.documentation as { value?: string } | undefined)?.value])).toEqual([['body', 'string (required)', 'The text to summarize.']]);
      expect((await complete(1)).map((i) => [i.label, i.detail])).toEqual([['word', 'string']]);
    });

    it('works in CRLF files', async () => {
      const text = MAIN.replace('and {{ inputs.text }}', 'and {{ inputs. }}').replace(/\n/g, '\r\n');
      await show(text);
      const at = pos(text, 'and {{ inputs.', 14);
      const items = await client.at<CompletionItem[]>('textDocument/completion', main, at.line, at.character);
      expect(items.filter((i) => i.kind === 5).map((i) => i.label)).toEqual(['text', 'tags']);
    });
  });

  describe.each([['LF', (t: string) => t], ['CRLF', (t: string) => t.replace(/\n/g, '\r\n')]])('in %s files', (_eol, eol) => {
    const T = eol(MAIN);
    const H = eol(HELPER);
    describe('hover', () => {
      beforeAll(() => show(T));
      it('the type of an expression and its field documentation, in a | block', async () => {
        const at = pos(T, eol('and {{ inputs.text }}'), 15);
        const h = await client.at<Hover>('textDocument/hover', main, at.line, at.character);
        expect(hoverText(h)).toBe('```\ninputs.text: string\n```\n\nThe text.');
        expect(h.range).toEqual({ start: pos(T, eol('inputs.text }}\n')), end: pos(T, eol('inputs.text }}\n'), 11) });
      });

      it('a loop variable inside a > folded scalar', async () => {
        const at = pos(T, eol('for {{ tag }}'), 8);
        const h = await client.at<Hover>('textDocument/hover', main, at.line, at.character);
        expect(hoverText(h)).toBe('```\ntag: string\n```');
        expect(h.range).toEqual({ start: pos(T, eol('for {{ tag }}'), 7), end: pos(T, eol('for {{ tag }}'), 10) });
      });

      it('a sub-expression: the operand of a select in a flow mapping', async () => {
        const at = pos(T, eol('with: { word: inputs.text }'), 16);
        const h = await client.at<Hover>('textDocument/hover', main, at.line, at.character);
        expect(hoverText(h)).toContain('inputs: object {text, tags}');
      });

      it('a key\'s documentation from the schema', async () => {
        const at = pos(T, eol('for_each:'), 2);
        expect(hoverText(await client.at<Hover>('textDocument/hover', main, at.line, at.character))).toMatch(/^\*\*for_each\*\*\n\n\S/);
      });

      it('a with: argument: the used skill\'s input it fills, with its type and description', async () => {
        const at = pos(T, eol('with: { body: inputs.text }'), 9);
        expect(hoverText(await client.at<Hover>('textDocument/hover', main, at.line, at.character))).toBe('**body**: string — input of `helper`\n\nThe text to summarize.');
      });

      it('a dependency\'s version and description', async () => {
        const at = pos(T, eol('use: helper'), 7);
        expect(hoverText(await client.at<Hover>('textDocument/hover', main, at.line, at.character))).toBe('**helper** 1.2.0 (wanted ^1.0.0)\n\nSummarizes a body of text.');
      });
    });

    describe('definition and references', () => {
      beforeAll(() => show(T));
      const definition = async (needle: string, delta: number) => {
        const at = pos(T, needle, delta);
        return client.at<Location | Location[] | null>('textDocument/definition', main, at.line, at.character);
      };
      it('a step reference in a template goes to its id', async () => {
        expect(await definition('steps.first.output', 7)).toEqual([{ uri: main, range: { start: pos(T, eol('first\n')), end: pos(T, eol('first\n'), 5) } }]);
      });
      it('use: goes to the used skill\'s file', async () => {
        expect(await definition('use: helper', 6)).toEqual({ uri: p.uri('helper.skill.yaml'), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
      });
      it('a tool goes to its declaration, an input to its schema property, a loop variable to as:', async () => {
        expect(await definition('tool: lookup', 7)).toEqual([{ uri: main, range: { start: pos(T, eol('lookup:')), end: pos(T, eol('lookup:'), 6) } }]);
        expect(await definition('with: { word: inputs.text }', 22)).toEqual([{ uri: main, range: { start: pos(T, eol('text: {')), end: pos(T, eol('text: {'), 4) } }]);
        expect(await definition('for {{ tag }}', 8)).toEqual({ uri: main, range: { start: pos(T, eol('as: tag'), 4), end: pos(T, eol('as: tag'), 7) } });
      });
      it('a with: key goes to the used skill\'s input declaration', async () => {
        expect(await definition(eol('with: { body: inputs.text }'), 9)).toEqual([{ uri: p.uri('helper.skill.yaml'), range: { start: pos(H, eol('body: {')), end: pos(H, eol('body: {'), 4) } }]);
      });
      it('references of an input across both files, including the with: key of the skill that uses it', async () => {
        const at = pos(H, eol('body: {'));
        await client.open(p.uri('helper.skill.yaml'), H);
        const refs = await client.at<Location[]>('textDocument/references', p.uri('helper.skill.yaml'), at.line, at.character, { context: { includeDeclaration: true } });
        expect(refs.map((r) => [r.uri.endsWith('main.skill.yaml') ? 'main' : 'helper', r.range.start])).toEqual([
          ['helper', pos(H, eol('body]'))],
          ['helper', pos(H, eol('body: {'))],
          ['helper', pos(H, eol('body }}'))],
          ['main', pos(T, eol('body: inputs'))],
        ]);
      });
    });
  });
});
