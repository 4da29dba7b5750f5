import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A secret value (an API key). It prints, serializes and inspects as `[redacted]`; only `reveal()` gives
 * the value, and only the code that hands it to an SDK calls it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself; call it only where the value is handed to an SDK. */
  reveal(): string {
    return this.#value;
  }

  /** Always `[redacted]`, so string interpolation cannot leak the secret. */
  toString(): string {
    return REDACTED;
  }

  /** Always `[redacted]`, so `JSON.stringify` (logs, IR, metrics) cannot leak the secret. */
  toJSON(): string {
    return REDACTED;
  }

  /** Always `[redacted]`, so `console.log` and `util.inspect` cannot leak the secret. */
  [inspect.custom](): string {
    return REDACTED;
  }
}
