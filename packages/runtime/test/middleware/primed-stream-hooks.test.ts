import type { EngineResponse, StreamEvent } from '@sdl/adapters';
import { forEachEvent, primeStream, StreamInterruptedError, tapStream, type StreamHooks } from '@sdl/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

// The stages' end hooks on the primed stream (joined, run without a promise while no hook returns
// one) against the same hooks as tapStream's generators run them around any other stream.

type Behaviour = 'absent' | 'ok' | 'throws' | 'resolves' | 'rejects';
const behaviours: Behaviour[] = ['absent', 'ok', 'throws', 'resolves', 'rejects'];
type Layer = { complete: Behaviour; error: Behaviour; finally: Behaviour };

const response: EngineResponse = {
  text: 'ab',
  toolCalls: [],
  usage: { inputTokens: 1, outputTokens: 2 },
  stopReason: 'end',
  model: 'm',
} as EngineResponse;

async function* source(fails: boolean): AsyncGenerator<StreamEvent> {
  yield { type: 'text-delta', text: 'a' };
  if (fails) throw new Error('source failed');
  yield { type: 'text-delta', text: 'b' };
  yield { type: 'stop', response };
}

/** Names an error as the trace shows it: the source's failure reads alike however it was wrapped. */
const nameOf = (error: unknown): string => {
  if (error instanceof StreamInterruptedError) return nameOf(error.cause);
  return (error as Error).message;
};

function hooksOf(name: string, layer: Layer, trace: string[]): StreamHooks {
  const hook = (what: string, behaviour: Behaviour, detail: () => string) => {
    if (behaviour === 'absent') return undefined;
    return () => {
      trace.push(`${name}:${what}:${detail()}`);
      const failure = new Error(`${name} ${what} failed`);
      if (behaviour === 'throws') throw failure;
      if (behaviour === 'resolves') return new Promise<void>((resolve) => queueMicrotask(resolve));
      if (behaviour === 'rejects') return new Promise<void>((_, reject) => queueMicrotask(() => reject(failure)));
      return undefined;
    };
  };
  const hooks: StreamHooks = {};
  let seen: unknown;
  const complete = hook('complete', layer.complete, () => String((seen as EngineResponse | undefined)?.text));
  if (complete) hooks.onComplete = (final) => ((seen = final), complete());
  const error = hook('error', layer.error, () => nameOf(seen));
  if (error) hooks.onError = (e) => ((seen = e), error());
  const fin = hook('finally', layer.finally, () => '');
  if (fin) hooks.onFinally = fin;
  return hooks;
}

async function outcome(events: AsyncIterable<StreamEvent>, drained: boolean): Promise<string> {
  try {
    if (drained) await forEachEvent(events, () => {});
    else for await (const event of events) void event;
    return 'ok';
  } catch (error) {
    return `error:${nameOf(error)}`;
  }
}

describe('the primed stream runs its stages’ end hooks as their generators would', () => {
  const layer = fc.record({ complete: fc.constantFrom(...behaviours), error: fc.constantFrom(...behaviours), finally: fc.constantFrom(...behaviours) });

  it('same hooks called, same order, same outcome, iterated and drained, for a stream that ends and one that fails', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(layer, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean(), async (layers, fails, drained) => {
        const expected: string[] = [];
        let wrapped: AsyncIterable<StreamEvent> = source(fails);
        layers.forEach((l, i) => (wrapped = tapStream(wrapped, hooksOf(`s${i}`, l, expected))));
        const expectedOutcome = await outcome(wrapped, false);

        const actual: string[] = [];
        const primed = await primeStream('e', source(fails));
        layers.forEach((l, i) => expect(tapStream(primed, hooksOf(`s${i}`, l, actual))).toBe(primed));
        const actualOutcome = await outcome(primed, drained);

        expect(actual).toEqual(expected);
        expect(actualOutcome).toBe(expectedOutcome);
      }),
      { numRuns: 300 },
    );
  });
});
