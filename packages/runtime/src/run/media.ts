/**
 * Turns the value of an `attach:` item into an engine-neutral attachment. Inputs are untrusted: a
 * string is an https/http URL (the provider fetches it), a `data:` URL, or a path to a file inside
 * the runtime's media directory (`createRuntime({ mediaRoot })`), read only when it resolves, links
 * followed, inside that directory, has a known media extension, and is not too large.
 */
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Attachment, JsonValue, MediaSource } from '@sdl/adapters';
import type { PromptAttachment, SourceLocation } from '../load/loaded-skill.js';
import { SdlRuntimeError } from './errors.js';

/** Largest attachment read from a file or a data URL (32 MiB, Anthropic's request limit). */
const MAX_ATTACHMENT_BYTES = 32 * 1024 * 1024;

const EXTENSIONS: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
};

/** A value an attachment cannot use; `code` is `attachment_invalid`, the message says which step and why. */
class AttachmentError extends SdlRuntimeError {
  constructor(stepId: string, message: string, location: SourceLocation) {
    super('attachment_invalid', `step \`${stepId}\`: ${message}`, { location });
  }
}

/** Whether a media type fits what the attachment needs (`image` any image type, `pdf` a PDF, `text` plain text). */
function fits(media: PromptAttachment['media'], mediaType: string): boolean {
  return media === 'image' ? mediaType.startsWith('image/') : media === 'pdf' ? mediaType === 'application/pdf' : mediaType === 'text/plain';
}

const NEEDS: Record<PromptAttachment['media'], string> = { image: 'an image (png, jpeg, gif, webp)', pdf: 'a PDF', text: 'plain text' };

/** Resolves one attachment value; throws {@link AttachmentError} naming the step and the attachment. */
export async function resolveAttachment(value: JsonValue, spec: PromptAttachment, stepId: string, mediaRoot: string | undefined): Promise<Attachment> {
  const fail = (why: string): never => {
    throw new AttachmentError(stepId, `${spec.kind} \`${spec.value.text}\` ${why}`, spec.value.source);
  };
  if (typeof value !== 'string' || value === '') return fail(`must be a non-empty string (a URL, a data URL or a file path), got ${value === '' ? 'an empty string' : JSON.stringify(value)?.slice(0, 40)}`);
  const source = await sourceOf(value, spec, mediaRoot, fail);
  const part: Attachment = spec.kind === 'image' ? { type: 'image', source } : { type: 'document', source };
  if (part.type === 'document' && spec.title !== undefined) part.title = spec.title;
  if (spec.cache) part.cache = true;
  return part;
}

async function sourceOf(value: string, spec: PromptAttachment, mediaRoot: string | undefined, fail: (why: string) => never): Promise<MediaSource> {
  if (/^https?:\/\//i.test(value)) {
    if (spec.media === 'text') fail('is a URL, but a text document must be given inline (a data URL or a file)');
    return { kind: 'url', url: value };
  }
  if (value.startsWith('data:')) {
    const m = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/.exec(value);
    if (!m) fail('is not a base64 data URL (`data:<media type>;base64,<data>`)');
    const [, mediaType, data] = m!;
    if (!fits(spec.media, mediaType!)) fail(`is ${mediaType}, but the attachment takes ${NEEDS[spec.media]}`);
    if ((data!.length / 4) * 3 > MAX_ATTACHMENT_BYTES) fail(`is larger than ${MAX_ATTACHMENT_BYTES} bytes`);
    return { kind: 'base64', mediaType: mediaType!, data: data! };
  }
  return { kind: 'base64', ...(await readMediaFile(value, spec, mediaRoot, fail)) };
}

/** Reads a file named in the input, confined to `mediaRoot` (links followed before the check). */
async function readMediaFile(name: string, spec: PromptAttachment, mediaRoot: string | undefined, fail: (why: string) => never): Promise<{ mediaType: string; data: string }> {
  if (mediaRoot === undefined) fail('names a local file, but this runtime reads no local files (set `mediaRoot` in createRuntime to allow a directory)');
  if (name.includes('\0') || path.isAbsolute(name) || /^[a-z]:/i.test(name)) fail('must be a path relative to the media directory');
  const mediaType = EXTENSIONS[path.extname(name).toLowerCase()];
  if (mediaType === undefined) fail(`has an unknown extension; allowed: ${Object.keys(EXTENSIONS).join(', ')}`);
  if (!fits(spec.media, mediaType!)) fail(`is ${mediaType}, but the attachment takes ${NEEDS[spec.media]}`);
  let root: string;
  let real: string;
  try {
    root = await realpath(mediaRoot!);
    real = await realpath(path.resolve(root, name));
  } catch {
    return fail('does not exist in the media directory');
  }
  const relative = path.relative(root, real);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) fail('is outside the media directory');
  const handle = await open(real, 'r').catch(() => fail('cannot be read'));
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) fail('is not a file');
    if (stat.size > MAX_ATTACHMENT_BYTES) fail(`is larger than ${MAX_ATTACHMENT_BYTES} bytes`);
    const bytes = await handle.readFile();
    return { mediaType: mediaType!, data: bytes.toString('base64') };
  } finally {
    await handle.close();
  }
}
