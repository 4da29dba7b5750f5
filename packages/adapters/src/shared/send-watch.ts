/**
 * When a call's HTTP request actually leaves: Node's `fetch` (undici, which every SDK here sends
 * through) publishes `undici:request:create` in the caller's async context and
 * `undici:client:sendHeaders` once the request is written to its socket. The rate limiter needs
 * that moment, not the grant's: a call granted at once but sent late (a cold process, a new
 * connection, a descheduled process) reaches the provider together with the calls granted after it.
 * SDL's own transport (shared/transport.ts, the adapters' default) sends through `node:http`, not
 * undici: it reports the same moment through {@link currentSendWatcher}.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';

type OnSent = (at: number) => void;

const current = new AsyncLocalStorage<OnSent>();
const watched = new WeakMap<object, OnSent>();
let subscribed = false;

function listen(): void {
  subscribed = true;
  subscribe('undici:request:create', (message) => {
    const onSent = current.getStore();
    if (onSent !== undefined) watched.set((message as { request: object }).request, onSent);
  });
  subscribe('undici:client:sendHeaders', (message) => {
    const request = (message as { request: object }).request;
    const onSent = watched.get(request);
    if (onSent === undefined) return;
    watched.delete(request);
    onSent(Date.now());
  });
}

/**
 * The watcher of the calling context, for a transport that does not send through undici (SDL's own,
 * shared/transport.ts): it reads this when a request is created, in the caller's async context,
 * and calls it once the request is written to its socket, as `undici:client:sendHeaders` does.
 */
export function currentSendWatcher(): OnSent | undefined {
  return subscribed ? current.getStore() : undefined;
}

/**
 * Runs `fn`; `onSent` is called (with `Date.now()`) each time an HTTP request started inside it
 * is written to its socket. Requests made outside `fn` (or by a client that sends through neither
 * Node's `fetch` nor SDL's transport) are not reported.
 */
export function watchSends<T>(onSent: OnSent, fn: () => T): T {
  if (!subscribed) listen();
  return current.run(onSent, fn);
}
