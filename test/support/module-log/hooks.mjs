// Module hooks (off-thread): append the URL of every ES module and CommonJS entry loaded through
// `import` to the file named by SDL_MODULE_LOG.
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  appendFileSync(process.env.SDL_MODULE_LOG, `${url}\n`);
  return next(url, context);
}
