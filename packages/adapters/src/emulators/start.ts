/**
 * The provider emulators' entry in the package index: the HTTP server and the three wire dialects
 * (server.ts and what it imports) load on the first {@link startEmulator} call, so a host that
 * imports the adapters and never starts an emulator does not read, compile or run them.
 */
import type { Emulator, EmulatorOptions } from './server.js';

export { FAULT_HEADER } from './faults.js';
export type { Emulator, EmulatorOptions, EmulatedProvider, RecordedRequest } from './server.js';

/**
 * Starts a wire-compatible emulator of one provider's chat API on 127.0.0.1, for offline tests and
 * fault drills (429s, resets, slow or stalled streams) without a real key.
 *
 * @param options - the provider to speak, the replies, and the faults to inject
 * @returns the running emulator, listening on an OS-chosen port unless `port` is given
 * @throws Error when `provider` is unknown or `faults` does not parse ({@link FaultSpecError})
 *
 * @example
 * ```ts
 * import { AnthropicAdapter, startEmulator } from '@sdl/adapters';
 *
 * const emulator = await startEmulator({ provider: 'anthropic', reply: { text: 'Hello from the emulator.' } });
 * try {
 *   const engine = new AnthropicAdapter({ apiKey: 'test-key', baseURL: emulator.url });
 *   const response = await engine.generate({ model: 'claude-sonnet-5', messages: [{ role: 'user', content: 'Hi' }] });
 *   console.log(response.text, emulator.requests.length); // "Hello from the emulator." 1
 * } finally {
 *   await emulator.close();
 * }
 * ```
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const { startEmulator: start } = await import('./server.js');
  return start(options);
}
