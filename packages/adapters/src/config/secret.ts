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

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
