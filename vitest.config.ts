import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source, so `vitest` needs no prior build.
const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));
const alias = {
  '@sdl/compiler': src('compiler'),
  '@sdl/adapters': src('adapters'),
  '@sdl/runtime': src('runtime'),
  '@sdl/cli': src('cli'),
};

const project = (name: string, include: string[]) => ({
  resolve: { alias },
  test: { name, include, environment: 'node' as const, testTimeout: 20_000 },
});

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      project('compiler', ['packages/compiler/test/**/*.test.ts']),
      project('adapters', ['packages/adapters/test/**/*.test.ts']),
      project('runtime', ['packages/runtime/test/**/*.test.ts']),
      project('cli', ['packages/cli/test/**/*.test.ts']),
      project('e2e', ['test/**/*.test.ts']),
    ],
  },
});
