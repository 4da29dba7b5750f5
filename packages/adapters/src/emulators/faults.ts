/**
 * Fault injection for the emulators. A fault spec is a comma-separated list of rules
 * `NAME[@PARAM][:RATE]`, e.g. `429:0.1,reset:0.05,slow@800:0.2`. RATE is the probability per request
 * (default 1), drawn from a seeded RNG so runs repeat. The same `NAME[@PARAM]` form is accepted per
 * request in the `x-emulator-fault` header or queued with `enqueueFault`.
 */

export const FAULT_NAMES = [
  '429', // rate limited, `retry-after: PARAM` seconds (default 1)
  '429ms', // rate limited, `retry-after-ms: PARAM` (default 250)
  '529', // Anthropic's overloaded status
  '500',
  '502',
  '503',
  '401', // bad API key
  'context', // 400: the prompt exceeds the context window
  'reset', // the connection is reset before any response
  'disconnect', // the connection drops in the middle of the body or stream
  'error-event', // HTTP 200, then the provider's error event in the stream
  'malformed', // HTTP 200 with a body (or stream event) that is not JSON
  'slow', // the first byte comes after PARAM ms (default 1000), then a normal reply
  'stall', // headers (and the first stream event), then nothing until the client gives up
] as const;

/** Header a client may set to inject one fault into that request (`429@2`, `reset`, ...). */
export const FAULT_HEADER = 'x-emulator-fault';

/** The name of a fault the emulator can inject (see {@link FAULT_NAMES}). */
export type FaultName = (typeof FAULT_NAMES)[number];

/** One fault to inject into one request, e.g. `429@2` (a 429 with `retry-after: 2`). */
export interface Fault {
  name: FaultName;
  /** Seconds for `429`, milliseconds for `429ms` and `slow`. */
  param?: number;
}

/** A fault applied at random to a share of requests (`429:0.1` in a fault spec). */
export interface FaultRule extends Fault {
  /** Probability per request in [0, 1]. */
  rate: number;
}

/** Thrown for a spec that does not parse; the message names the bad rule and the valid names. */
export class FaultSpecError extends Error {
  override readonly name = 'FaultSpecError';
}

/** Parses one fault (`429@2`), as used in the per-request header and the queue. */
export function parseFault(text: string): Fault {
  const [name, param, ...extra] = text.trim().split('@');
  if (!name || !(FAULT_NAMES as readonly string[]).includes(name) || extra.length > 0) {
    throw new FaultSpecError(`unknown fault \`${text.trim()}\`; expected one of ${FAULT_NAMES.join(', ')}`);
  }
  const fault: Fault = { name: name as FaultName };
  if (param !== undefined) {
    const n = Number(param);
    if (param.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new FaultSpecError(`fault \`${text.trim()}\`: the parameter after @ must be a number ≥ 0`);
    }
    fault.param = n;
  }
  return fault;
}

/** Parses a fault spec (`429:0.1,reset:0.05`); an empty spec means no faults. */
export function parseFaultSpec(spec: string): FaultRule[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const colon = part.lastIndexOf(':');
    const faultText = colon >= 0 ? part.slice(0, colon) : part;
    const rateText = colon >= 0 ? part.slice(colon + 1) : '1';
    const rate = Number(rateText);
    if (rateText.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new FaultSpecError(`fault rule \`${part.trim()}\`: the rate after : must be a number between 0 and 1`);
    }
    return { ...parseFault(faultText), rate };
  });
}

/** mulberry32: a small, fast, seedable PRNG; the same seed gives the same fault sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws at most one fault per request from the rules, first matching rule wins. */
export function drawFault(rules: readonly FaultRule[], random: () => number): Fault | undefined {
  for (const rule of rules) {
    if (rule.rate > 0 && random() < rule.rate) return { name: rule.name, ...(rule.param !== undefined ? { param: rule.param } : {}) };
  }
  return undefined;
}
