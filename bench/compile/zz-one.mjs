import { buildProject } from '@sdl/compiler';
const r = buildProject(['.'], { cwd: '/tmp/prof/gen/' });
console.log(r.outputs.length);
