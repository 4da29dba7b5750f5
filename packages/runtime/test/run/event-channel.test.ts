import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventChannel } from '../../src/run/events.js';

describe('EventChannel', () => {
  it('delivers every value pushed, in order, whether the consumer was waiting or not, then ends after close', async () => {
    // Each op pushes a value or has the (single) consumer ask for the next one, possibly before it exists.
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { maxLength: 40 }), async (ops) => {
        const channel = new EventChannel<number>(() => {});
        const received: number[] = [];
        let pending: Promise<void> | undefined;
        let pushed = 0;
        for (const push of ops) {
          if (push) channel.push(pushed++);
          else
            pending ??= channel.next().then((r) => {
              if (r.done !== true) received.push(r.value);
              pending = undefined;
            });
          await Promise.resolve();
          await Promise.resolve();
        }
        channel.close();
        await pending;
        for await (const value of channel) received.push(value);
        expect(received).toEqual(Array.from({ length: pushed }, (_, i) => i));
      }),
    );
  });

  it('keeps two waiting consumers of two channels apart', async () => {
    const a = new EventChannel<string>(() => {});
    const b = new EventChannel<string>(() => {});
    const fromA = a.next();
    const fromB = b.next();
    b.push('b');
    a.push('a');
    expect(await fromA).toEqual({ value: 'a', done: false });
    expect(await fromB).toEqual({ value: 'b', done: false });
  });

  it('ends a waiting consumer on close, and after return() drops what is buffered and ignores later pushes', async () => {
    const waiting = new EventChannel<number>(() => {});
    const pending = waiting.next();
    waiting.close();
    expect(await pending).toEqual({ value: undefined, done: true });

    let returned = 0;
    const channel = new EventChannel<number>(() => returned++);
    channel.push(1);
    channel.push(2);
    expect(await channel.next()).toEqual({ value: 1, done: false });
    expect(await channel.return()).toEqual({ value: undefined, done: true });
    channel.push(3);
    expect(await channel.next()).toEqual({ value: undefined, done: true });
    await channel.return();
    expect(returned).toBe(1);
  });
});
