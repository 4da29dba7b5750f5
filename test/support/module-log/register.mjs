// `node --import ./register.mjs ...` records which modules a process loads (see module-log.ts):
// ES modules through the hooks, CommonJS modules (which `require` each other without them) from
// the require cache when the process exits.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

register('./hooks.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('exit', () => {
  appendFileSync(process.env.SDL_MODULE_LOG, `${Object.keys(require.cache).map((file) => `cjs:${file}`).join('\n')}\n`);
});
