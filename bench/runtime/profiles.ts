/** What the harnesses' inspector modes share: a frame's name and the sampled allocations of some work by function. */
import { Session } from 'node:inspector/promises';

/** A profile frame as `function path:line`, the path from `node_modules/` or `packages/` on. */
export const frameKey = (f: { functionName: string; url: string; lineNumber: number }): string =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|packages)\//, '')}:${f.lineNumber + 1}`;

/**
 * Bytes allocated by `work`, by allocating function ({@link frameKey}): the sampling heap profiler
 * every `interval` bytes, objects already collected included (so garbage counts too).
 */
export async function sampledAllocations(work: () => Promise<unknown>, interval: number): Promise<Map<string, number>> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: interval, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  await work();
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const bySite = new Map<string, number>();
  const walk = (node: typeof profile.head) => {
    const key = frameKey(node.callFrame);
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return bySite;
}
