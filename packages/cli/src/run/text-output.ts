/**
 * Model text as it arrives, without interleaving: the first step that produces text owns stdout
 * until it ends; text of steps running beside it is held and written when the owner is done.
 */
export interface TextOutput {
  delta(stepKey: string, text: string): void;
  /** The step ended; with `items`, also every `for_each` item of it (keys `<stepKey> [i]`). */
  stepEnded(stepKey: string, items?: boolean): void;
  /** Ends the current line of text, if any, so a progress line on the terminal starts on its own. */
  breakLine(): void;
  /** Writes whatever is still held (a run that ended early). */
  flush(): void;
  /** Everything written so far. */
  readonly written: string;
}

/** `write` receives text in an order a reader can follow. */
export function createTextOutput(write: (text: string) => void): TextOutput {
  let owner: string | undefined;
  const held = new Map<string, { text: string; ended: boolean }>();
  let written = '';
  const emit = (text: string) => {
    written += text;
    write(text);
  };
  // Each step's text starts on its own line.
  const out = (text: string) => {
    if (text === '') return;
    if (written !== '' && !written.endsWith('\n')) emit('\n');
    emit(text);
  };
  const promoteNext = () => {
    // Finished steps' held text first (in the order they started producing it), then the next live one.
    for (const [key, entry] of held) {
      if (owner !== undefined) break;
      held.delete(key);
      out(entry.text);
      if (!entry.ended) owner = key;
    }
  };
  return {
    delta(stepKey, text) {
      if (owner === undefined && !held.has(stepKey)) {
        owner = stepKey;
        out(text);
        return;
      }
      if (owner === stepKey) {
        emit(text);
        return;
      }
      const entry = held.get(stepKey);
      if (entry) entry.text += text;
      else held.set(stepKey, { text, ended: false });
    },
    stepEnded(stepKey, items = false) {
      const ends = (key: string) => key === stepKey || (items && key.startsWith(`${stepKey} [`));
      for (const [key, entry] of held) if (ends(key)) entry.ended = true;
      if (owner !== undefined && ends(owner)) {
        owner = undefined;
        promoteNext();
      }
    },
    breakLine() {
      if (written !== '' && !written.endsWith('\n')) emit('\n');
    },
    flush() {
      owner = undefined;
      for (const [key, entry] of held) {
        held.delete(key);
        out(entry.text);
      }
    },
    get written() {
      return written;
    },
  };
}
