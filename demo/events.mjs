/**
 * Consuming a run's event stream (`runtime.stream`): usage is added to the per-engine totals the
 * demo ends with, errors are rethrown, and every event goes to the scene's own handler.
 */

/** Usage and cost per engine over the whole demo. */
export class UsageTotals {
  constructor() {
    /** @type {Map<string, { models: Set<string>, calls: number, input: number, output: number, cost: number }>} */
    this.byEngine = new Map();
  }

  add(event) {
    let row = this.byEngine.get(event.engine);
    if (row === undefined) {
      row = { models: new Set(), calls: 0, input: 0, output: 0, cost: 0 };
      this.byEngine.set(event.engine, row);
    }
    row.models.add(event.model);
    row.calls += 1;
    row.input += event.usage.inputTokens;
    row.output += event.usage.outputTokens;
    row.cost += event.costUsd;
  }
}

/**
 * Drains a run's events; resolves to the run's result.
 * @param {AsyncIterable<any>} events
 * @param {UsageTotals} totals
 * @param {(event: any) => void | Promise<void>} [onEvent]
 */
export async function consume(events, totals, onEvent) {
  let result;
  for await (const event of events) {
    if (event.type === 'usage') totals.add(event);
    await onEvent?.(event);
    if (event.type === 'error') throw event.error;
    if (event.type === 'done') result = event.result;
  }
  return result;
}
