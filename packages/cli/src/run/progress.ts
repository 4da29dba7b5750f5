/**
 * Step progress on stderr for a person at a terminal: one line per step start and end, and one per
 * engine switch. Lines are written whole so they never split model text on stdout mid-word in a
 * way that matters (stdout and stderr are separate streams).
 */
import type { RunEvent } from '@sdl/runtime';

const dim = (on: boolean, text: string) => (on ? `\u001b[2m${text}\u001b[0m` : text);

/** `parts › split [3]`: where in the step graph an event happened. */
export function stepLabel(event: { path: string[]; index?: number }): string {
  return `${event.path.join(' › ')}${event.index === undefined ? '' : ` [${event.index}]`}`;
}

/** Formats the progress line for an event, or undefined for events that are not progress. */
export function progressLine(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'step-start':
      return `▸ ${stepLabel(event)}`;
    case 'step-end':
      return event.status === 'skipped' ? `– ${stepLabel(event)} skipped (when: false)` : `✓ ${stepLabel(event)} (${Math.round(event.durationMs)} ms)`;
    case 'engine-switch':
      return `⇄ ${stepLabel(event)}: engine ${event.from} → ${event.to}${event.reason ? ` (${event.reason})` : ''}`;
    case 'tool-call':
      return `⚙ ${stepLabel(event)}: tool ${event.call.name}`;
    default:
      return undefined;
  }
}

/** A sink for progress lines; `color` dims them so the model's text stands out. */
export function createProgress(write: (text: string) => void, color: boolean): (event: RunEvent) => void {
  return (event) => {
    const line = progressLine(event);
    if (line !== undefined) write(`${dim(color, line)}\n`);
  };
}
