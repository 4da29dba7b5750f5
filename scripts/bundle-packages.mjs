// Bundles the built library packages (after tsc) into a few ES modules each, at build time, so a
// host's start-up reads and links a handful of files instead of ~170 small ones (issue 14, cold
// start: module loading was the largest cost of the SDL host over the bare-SDK host).
//   packages/<pkg>/dist/bundle/   one file per entry in `exports`, plus chunks for shared code and
//                                 for every dynamic import() (those stay lazy)
//   packages/runtime/generated/*.cjs   one-file copies of the CommonJS packages the runtime
//                                 requires on first use (ajv, semver's satisfies)
// Input is tsc's JavaScript (dist/), so the code run is what tsc emitted; npm packages stay
// external (imported as before, and only where the source imports them). The bundles sit at
// dist/bundle/, the same depth as dist/<folder>/, so the `new URL('../../generated/…',
// import.meta.url)` paths of the modules inside them still resolve.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = (relative) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

/** Each package's export entries (package.json `exports`, default conditions) by dist file. */
const PACKAGES = {
  compiler: ['index', 'core', 'eval'],
  adapters: ['index'],
  runtime: ['index', 'source'],
};

for (const [name, entries] of Object.entries(PACKAGES)) {
  const dist = root(`packages/${name}/dist`);
  const outdir = `${dist}/bundle`;
  for (const entry of entries) if (!existsSync(`${dist}/${entry}.js`)) throw new Error(`${dist}/${entry}.js is missing: run tsc -b first`);
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(entries.map((entry) => [entry, `${dist}/${entry}.js`])),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // No keepNames: it wraps every function and closure in a `__name` call (an Object.defineProperty
    // each time a hot path creates a closure: ~2 % of a compile, ~10 µs of a streamed run's samples).
    // Bundling renames no class; only module-private functions whose names collide get a digit
    // (describe, emit, findSkillFiles, costOf, errorText, citationOf, usageOf), seen in stack traces.
    keepNames: false,
    sourcemap: 'linked',
    // Chunks beside the entries (not in a sub-folder), at the depth the URLs above assume.
    chunkNames: '[name]-[hash]',
    logLevel: 'warning',
  });
}

// CommonJS dependencies the runtime requires on first use, each as one file with the installed
// package's version (packages/runtime/src/load/one-file-copy.ts uses a copy only when that matches):
// the same code, read as one file instead of dozens.
const ONE_FILE_COPIES = {
  // ajv 2020 and ajv-formats (packages/runtime/src/load/validators.ts): ~80 files.
  ajv: "module.exports = { Ajv2020: require('ajv/dist/2020.js').Ajv2020, addFormats: require('ajv-formats'), version: require('ajv/package.json').version };",
  // semver's satisfies (packages/runtime/src/load/prepare.ts): 19 files.
  'semver-satisfies': "module.exports = { satisfies: require('semver/functions/satisfies.js'), version: require('semver/package.json').version };",
};
for (const [name, contents] of Object.entries(ONE_FILE_COPIES)) {
  await build({
    stdin: { contents, resolveDir: root('packages/runtime'), loader: 'js' },
    outfile: root(`packages/runtime/generated/${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    keepNames: true,
    legalComments: 'inline',
    logLevel: 'warning',
  });
}
