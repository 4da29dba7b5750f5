/**
 * `@sdl/lsp`: the SDL language server. The package is being built (issue 19); until then it exports
 * only its version, so the workspace, the build and the pack test know it.
 */

/** The package's version. */
export const LSP_PACKAGE_VERSION = '0.1.0';
