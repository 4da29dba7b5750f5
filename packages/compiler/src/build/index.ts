export { buildProject, InternalCompilerError, ProjectBuilder, type BuildOptions, type BuildResult, type BuildStats, type BuiltOutput } from './builder.js';
export { expandSkillPaths } from './expand.js';
export { watchProject, type WatchOptions } from './watch.js';
