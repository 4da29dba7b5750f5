import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, type QueuedDeadline } from '../src/shared/deadline-queue.js';
import { CallDeadline, markDeadlineSignal } from '../src/shared/deadline.js';

const T0 = Date.parse('2026-12-03T07:00:00Z');

/** A deadline `ms` from now that records when it expired into `log`. */
function deadline(name: string, ms: number, log: string[]): QueuedDeadline {
  return {
    dueAt: performance.now() + ms,
    prev: undefined,
    next: undefined,
    queued: false,
    expire: () => log.push(`${name}@${Date.now() - T0}`),
  };
}

describe('DeadlineQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires each deadline when it passes, in order of expiry, whatever the order they were added in', () => {
    const queue = new DeadlineQueue();
    const log: string[] = [];
    for (const [name, ms] of [['c', 300], ['a', 100], ['d', 300], ['b', 200]] as const) queue.add(deadline(name, ms, log));
    vi.advanceTimersByTime(99);
    expect(log).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['a@100']);
    vi.advanceTimersByTime(200);
    expect(log).toEqual(['a@100', 'b@200', 'c@300', 'd@300']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a removed deadline never expires; removing the earliest leaves the timer, which fires early and waits for the next', () => {
    const queue = new DeadlineQueue();
    const log: string[] = [];
    const a = deadline('a', 100, log);
    queue.add(a);
    queue.add(deadline('b', 250, log));
    queue.remove(a);
    queue.remove(a); // twice: nothing
    vi.advanceTimersByTime(100);
    expect(log).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(150);
    expect(log).toEqual(['b@250']);
  });

  it('a deadline earlier than the armed timer re-arms it', () => {
    const queue = new DeadlineQueue();
    const log: string[] = [];
    queue.add(deadline('late', 1000, log));
    vi.advanceTimersByTime(100);
    queue.add(deadline('soon', 50, log));
    vi.advanceTimersByTime(50);
    expect(log).toEqual(['soon@150']);
    vi.advanceTimersByTime(850);
    expect(log).toEqual(['soon@150', 'late@1000']);
  });

  it('an empty queue keeps its timer unreferenced, and a later deadline references it again', () => {
    const timers: Array<{ ref: ReturnType<typeof vi.fn>; unref: ReturnType<typeof vi.fn> }> = [];
    const realSetTimeout = globalThis.setTimeout;
    const spy = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      const timer = realSetTimeout(fn, ms) as unknown as { ref: () => unknown; unref: () => unknown };
      const ref = vi.fn(() => timer), unref = vi.fn(() => timer);
      timers.push({ ref, unref });
      return Object.assign(timer, { ref, unref });
    }) as unknown as typeof setTimeout);
    try {
      const queue = new DeadlineQueue();
      const log: string[] = [];
      const a = deadline('a', 100, log);
      queue.add(a);
      queue.remove(a);
      expect(timers).toHaveLength(1);
      expect(timers[0]!.unref).toHaveBeenCalledTimes(1);
      const b = deadline('b', 200, log);
      queue.add(b);
      expect(timers).toHaveLength(1); // the same timer, referenced again
      expect(timers[0]!.ref).toHaveBeenCalledTimes(1);
      vi.advanceTimersByTime(200);
      expect(log).toEqual(['b@200']);
    } finally {
      spy.mockRestore();
    }
  });

  it('a deadline queued while others expire is timed from the earliest left', () => {
    const queue = new DeadlineQueue();
    const log: string[] = [];
    const first = deadline('first', 100, log);
    first.expire = () => {
      log.push(`first@${Date.now() - T0}`);
      queue.add(deadline('retry', 500, log)); // queued from inside an expiry, later than 'second'
    };
    queue.add(first);
    queue.add(deadline('second', 200, log));
    vi.advanceTimersByTime(200);
    expect(log).toEqual(['first@100', 'second@200']);
    vi.advanceTimersByTime(400);
    expect(log).toEqual(['first@100', 'second@200', 'retry@600']);
  });

  it('keeps time as a timer does: a step of the system clock neither expires deadlines early nor holds them late', () => {
    const queue = new DeadlineQueue();
    const log: string[] = [];
    queue.add(deadline('short', 100, log));
    queue.add(deadline('long', 60_000, log));
    vi.advanceTimersByTime(50);
    vi.setSystemTime(Date.now() + 120_000); // e.g. NTP stepping the clock after a VM resumed
    vi.advanceTimersByTime(50);
    expect(log).toEqual(['short@120100']);
    vi.setSystemTime(Date.now() - 240_000); // and back, further than it went forward
    vi.advanceTimersByTime(59_899);
    expect(log).toEqual(['short@120100']);
    vi.advanceTimersByTime(1);
    expect(log).toEqual(['short@120100', 'long@-60000']);
  });
});

describe('CallDeadline on the queue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts the SDK controller it was lent when its budget passes, and reports a timeout', () => {
    const deadline = new CallDeadline('anthropic', 250, undefined, true, true);
    const controller = new AbortController();
    deadline.attach(controller);
    vi.advanceTimersByTime(249);
    expect(controller.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(controller.signal.aborted).toBe(true);
    expect(deadline.abortError()?.kind).toBe('timeout');
    deadline.dispose();
  });

  it('reports a timeout once its budget has passed, even when an SDK timer of the same budget fires before the queue’s', () => {
    // A deadline queued behind an earlier one that left: the queue's timer fires for the earlier
    // time and is armed again, after the SDK's own timer for this call was made.
    const earlier = new CallDeadline('cohere', 100, undefined);
    const call = new CallDeadline('cohere', 250, undefined);
    let seen: string | undefined = 'not called';
    setTimeout(() => (seen = call.abortError()?.kind), 250); // the SDK's own timeout, made before the re-arm
    earlier.dispose();
    vi.advanceTimersByTime(249);
    expect(seen).toBe('not called');
    expect(call.abortError()).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(seen).toBe('timeout');
    call.dispose();
  });

  it('once disposed it never fires', () => {
    const deadline = new CallDeadline('anthropic', 250, undefined, true, true);
    const controller = new AbortController();
    deadline.attach(controller);
    deadline.dispose();
    vi.advanceTimersByTime(1000);
    expect(controller.signal.aborted).toBe(false);
    expect(deadline.abortError()).toBeUndefined();
  });

  it('a call without a finite budget is not queued', () => {
    const deadline = new CallDeadline('anthropic', Number.POSITIVE_INFINITY, undefined, true, true);
    expect(deadline.queued).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    deadline.dispose();
  });

  // What the timeout middleware hands an adapter on every call through the default chain: a signal
  // marked to fire by the call's deadline. The SDK must not be handed it (it would link it with a
  // closure, a WeakMap entry and a FinalizationRegistry entry per request); the deadline links it.
  const callers = [
    ['a caller signal marked to fire by the deadline', () => marked(Date.now() + 100), false],
    ['a caller signal marked to fire after the deadline', () => marked(Date.now() + 10_000), true],
    ['an unmarked caller signal', () => new AbortController(), true],
  ] as const;
  function marked(expiresAt: number): AbortController {
    const caller = new AbortController();
    markDeadlineSignal(caller.signal, expiresAt);
    return caller;
  }

  describe.each(callers)('with linkCaller and %s', (_, makeCaller, queued) => {
    it('hands the SDK no signal, and the caller aborting aborts the SDK controller it was lent', () => {
      const caller = makeCaller();
      const deadline = new CallDeadline('anthropic', 250, caller.signal, true, true);
      expect(deadline.signal).toBeUndefined();
      expect(deadline.queued).toBe(queued);
      const controller = new AbortController();
      deadline.attach(controller);
      caller.abort(new Error('stop'));
      expect(controller.signal.aborted).toBe(true);
      expect(deadline.abortError()?.kind).toBe('cancelled');
      deadline.dispose();
    });

    it('once disposed it no longer listens to the caller', () => {
      const caller = makeCaller();
      const deadline = new CallDeadline('anthropic', 250, caller.signal, true, true);
      const heard = vi.spyOn(deadline, 'handleEvent');
      const controller = new AbortController();
      deadline.attach(controller);
      deadline.dispose();
      expect(deadline.queued).toBe(false);
      caller.abort();
      expect(heard).not.toHaveBeenCalled();
      expect(controller.signal.aborted).toBe(false);
    });
  });

  it('without linkCaller a marked caller signal goes to the SDK as it is, and nothing is queued', () => {
    const caller = marked(Date.now() + 100);
    for (const sdkController of [true, false]) {
      const deadline = new CallDeadline('openai', 250, caller.signal, sdkController);
      expect(deadline.signal).toBe(caller.signal);
      expect(deadline.queued).toBe(false);
      deadline.dispose();
    }
  });
});
