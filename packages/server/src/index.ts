/**
 * `@sdl/server`: serves compiled skills over HTTP. The package is being built (issue 16); until then
 * it exports only its version, so the workspace, the build and the pack test know it.
 */

/** The package's version. */
export const SERVER_PACKAGE_VERSION = '0.1.0';
export { renderTraceViewerPage, type TraceViewerPage } from './trace-viewer/page.js';
