// Bundles the built library packages (after tsc) into a few ES modules each, at build time, so a
// host's start-up reads and links a handful of files instead of ~170 small ones (issue 14, cold
// start: module loading was the largest cost of the SDL host over the bare-SDK host).
//   packages/<pkg>/dist/bundle/   one file per entry in `exports`, plus chunks for shared code and
//                                 for every dynamic import() (those stay lazy)
//   packages/runtime/generated/*.cjs   one-file copies of the CommonJS packages the runtime
//                                 requires on first use (ajv, semver's satisfies)
// Input is tsc's JavaScript (dist/), so the code run is what tsc emitted; npm packages stay
// external (imported as before, and only where the source imports them), except that the
// compiler's yaml and semver are read from one-file copies (ONE_FILE_IMPORTS). The bundles sit at
// dist/bundle/, the same depth as dist/<folder>/, so the `new URL('../../generated/…',
// import.meta.url)` paths of the modules inside them still resolve.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = (relative) => fileURLToPath(new URL(`../${relative}`, import.meta.url));

/**
 * CommonJS packages a bundle imports from a one-file copy (`generated/<name>.cjs` of that package,
 * written below) instead of the package's many files: `skillc check` loaded yaml's 72 files and
 * semver's 47 one by one. Each import of the package in the bundle becomes a module that uses the
 * copy when it was made from the installed version (else the installed package, as before) and
 * re-exports the package's names, listed here from the installed package.
 */
const ONE_FILE_IMPORTS = { compiler: ['yaml', 'semver'] };

function oneFileImports(pkg, dist) {
  const names = ONE_FILE_IMPORTS[pkg] ?? [];
  const require = createRequire(`${dist}/`);
  const generatedModule = `${dist}/util/generated-module.js`;
  return {
    name: 'one-file-imports',
    setup(builder) {
      if (names.length === 0) return;
      const filter = new RegExp(`^(${names.join('|')})$`);
      builder.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'one-file-import' }));
      builder.onLoad({ filter: /.*/, namespace: 'one-file-import' }, ({ path: name }) => {
        const exported = Object.keys(require(name)).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default');
        return {
          resolveDir: dist,
          loader: 'js',
          contents: `import { createRequire } from 'node:module';
import { requireOneFileCopy } from ${JSON.stringify(generatedModule)};
const require = createRequire(import.meta.url);
// The bundles sit in dist/bundle: the package root is two levels up.
const module = requireOneFileCopy(new URL(${JSON.stringify(`../../generated/${name}.cjs`)}, import.meta.url), ${JSON.stringify(name)}, () => ({ exports: require(${JSON.stringify(name)}) })).exports;
export default module;
export const { ${exported.join(', ')} } = module;
`,
        };
      });
    },
  };
}

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
    plugins: [oneFileImports(name, dist)],
    logLevel: 'warning',
  });
}

// CommonJS dependencies the runtime requires on first use, each as one file with the installed
// package's version (requireOneFileCopy, packages/compiler/src/util/generated-module.ts, uses a copy only when that matches):
// the same code, read as one file instead of dozens.
const ONE_FILE_COPIES = {
  // ajv 2020 and ajv-formats (packages/runtime/src/load/validators.ts): ~80 files.
  ajv: "module.exports = { Ajv2020: require('ajv/dist/2020.js').Ajv2020, addFormats: require('ajv-formats'), version: require('ajv/package.json').version };",
  // semver's satisfies (packages/runtime/src/load/prepare.ts): 19 files.
  'semver-satisfies': "module.exports = { satisfies: require('semver/functions/satisfies.js'), version: require('semver/package.json').version };",
};
// The packages of ONE_FILE_IMPORTS, whole (`exports`), with their version.
for (const [pkg, names] of Object.entries(ONE_FILE_IMPORTS)) {
  for (const name of names) ONE_FILE_COPIES[`${pkg}:${name}`] = `module.exports = { exports: require('${name}'), version: require('${name}/package.json').version };`;
}
for (const [key, contents] of Object.entries(ONE_FILE_COPIES)) {
  const [pkg, name] = key.includes(':') ? key.split(':') : ['runtime', key];
  await build({
    stdin: { contents, resolveDir: root(`packages/${pkg}`), loader: 'js' },
    outfile: root(`packages/${pkg}/generated/${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // No keepNames, as for the packages' bundles: with it the yaml copy parsed ~7 % slower than the
    // installed package (238 `__name` wrappers, some on closures its parser makes per node). Nothing in
    // these packages reads a function's or class's name.
    keepNames: false,
    legalComments: 'inline',
    logLevel: 'warning',
  });
}
