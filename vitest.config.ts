import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source, so `vitest` needs no prior build. Exact matches, so
// `@sdl/compiler/core` is not read as `@sdl/compiler` followed by `/core`.
const file = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const alias = [
  { find: /^@sdl\/compiler\/core$/, replacement: file('./packages/compiler/src/core.ts') },
  { find: /^@sdl\/compiler\/eval$/, replacement: file('./packages/compiler/src/eval.ts') },
  { find: /^@sdl\/runtime\/source$/, replacement: file('./packages/runtime/src/source.ts') },
  { find: /^@sdl\/compiler$/, replacement: file('./packages/compiler/src/index.ts') },
  { find: /^@sdl\/adapters$/, replacement: file('./packages/adapters/src/index.ts') },
  { find: /^@sdl\/runtime$/, replacement: file('./packages/runtime/src/index.ts') },
  { find: /^@sdl\/cli$/, replacement: file('./packages/cli/src/index.ts') },
  { find: /^@sdl\/server$/, replacement: file('./packages/server/src/index.ts') },
  { find: /^@sdl\/lsp$/, replacement: file('./packages/lsp/src/index.ts') },
];

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
      project('server', ['packages/server/test/**/*.test.ts']),
      project('lsp', ['packages/lsp/test/**/*.test.ts']),
      project('e2e', ['test/**/*.test.ts']),
    ],
  },
});
