/** Attachment values are untrusted input: only URLs, data URLs and files confined to the media directory. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CompiledExpression, PromptAttachment } from '../../src/load/loaded-skill.js';
import { resolveAttachment } from '../../src/run/media.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const base = mkdtempSync(path.join(tmpdir(), 'sdl-media-'));
const root = path.join(base, 'media');
mkdirSync(root);
writeFileSync(path.join(root, 'pixel.png'), PNG);
writeFileSync(path.join(root, 'notes.txt'), 'plain text');
writeFileSync(path.join(base, 'secret.png'), PNG);
symlinkSync(path.join(base, 'secret.png'), path.join(root, 'link.png'));
mkdirSync(path.join(root, 'dir.png'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const value = { text: 'inputs.photo', source: { file: 'a.skill.yaml', line: 7, column: 18 } } as unknown as CompiledExpression;
const spec = (kind: 'image' | 'document', media: PromptAttachment['media']): PromptAttachment => ({ kind, media, value, cache: false });
const image = spec('image', 'image');

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect((error as { code?: string }).code).toBe('attachment_invalid');
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('resolveAttachment', () => {
  it('reads a file inside the media directory as base64 with its media type', async () => {
    expect(await resolveAttachment('pixel.png', image, 'look', root)).toEqual({ type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG.toString('base64') } });
    expect(await resolveAttachment('notes.txt', { ...spec('document', 'text'), title: 'Notes', cache: true }, 'look', root)).toEqual({
      type: 'document',
      title: 'Notes',
      cache: true,
      source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('plain text').toString('base64') },
    });
  });

  it('passes URLs and data URLs through', async () => {
    expect(await resolveAttachment('https://example.com/a.png', image, 'look', undefined)).toEqual({ type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } });
    expect(await resolveAttachment(`data:image/png;base64,${PNG.toString('base64')}`, image, 'look', undefined)).toMatchObject({ source: { kind: 'base64', mediaType: 'image/png' } });
  });

  it.each([
    ['../secret.png', root, /is outside the media directory|does not exist in the media directory/],
    ['link.png', root, /is outside the media directory/],
    [path.join(root, 'pixel.png'), root, /must be a path relative to the media directory/],
    ['pixel.png\0.png', root, /must be a path relative to the media directory/],
    ['missing.png', root, /does not exist in the media directory/],
    ['dir.png', root, /is not a file/],
    ['notes.txt', root, /is text\/plain, but the attachment takes an image/],
    ['../../etc/passwd', root, /has an unknown extension/],
    ['pixel.png', undefined, /this runtime reads no local files \(set `mediaRoot`/],
    ['data:application/pdf;base64,JVBERi0=', root, /is application\/pdf, but the attachment takes an image/],
    ['data:image/png,notbase64', root, /is not a base64 data URL/],
    ['', root, /must be a non-empty string/],
  ])('refuses %j', async (input, mediaRoot, message) => {
    const text = await refusal(resolveAttachment(input, image, 'look', mediaRoot));
    expect(text).toMatch(/^a\.skill\.yaml:7:18: step `look`: image `inputs\.photo` /);
    expect(text).toMatch(message);
    expect(text).not.toContain(base);
  });

  it('refuses a value that is not a string', async () => {
    expect(await refusal(resolveAttachment(42, image, 'look', root))).toMatch(/must be a non-empty string .* got 42/);
  });

  it('refuses a text document by URL (text documents are inline)', async () => {
    expect(await refusal(resolveAttachment('https://example.com/a.txt', spec('document', 'text'), 'look', root))).toMatch(/a text document must be given inline/);
  });
});
