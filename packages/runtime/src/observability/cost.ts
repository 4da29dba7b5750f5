import { costOf, type EngineRequest, type ModelDescriptor, type Provider, type Usage } from '@sdl/adapters';

/** Looks up a model's descriptor (the adapters package's model data, or the engine config). */
type DescribeModel = (provider: Provider, model: string) => ModelDescriptor | undefined;

/** Refused before the call: its estimated cost would take a run or session over budget. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  constructor(
    readonly scope: 'run' | 'session',
    readonly id: string,
    readonly budgetUsd: number,
    readonly spentUsd: number,
    readonly estimateUsd: number,
  ) {
    super(
      `the ${scope} "${id}" has spent $${spentUsd.toFixed(6)} of its $${budgetUsd} budget and the next call is estimated ` +
        `at $${estimateUsd.toFixed(6)}; ${scope === 'run' ? "raise the skill's policies.budget.max_cost_usd" : "raise the host's session budget (EngineRouter defaults.budget.sessionUsd)"} or shorten the request`,
    );
  }
}

/** Token and dollar totals of a run or a session. */
export interface CostTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  usd: number;
  /** Calls whose model had no pricing (counted in tokens, not in dollars). */
  unpriced: number;
}

const emptyTotals = (): CostTotals => ({ calls: 0, inputTokens: 0, outputTokens: 0, usd: 0, unpriced: 0 });

/** Cost of one call in US dollars; undefined when the model has no descriptor. */
export function priceUsage(descriptor: ModelDescriptor | undefined, usage: Usage): number | undefined {
  if (!descriptor) return undefined;
  return costOf(descriptor, usage);
}

/** A rough token count: about four characters per token, as the providers' own guidance says. */
export function estimateInputTokens(request: EngineRequest): number {
  let chars = request.system?.length ?? 0;
  for (const m of request.messages) {
    chars += m.content.length + 8;
    if (m.role === 'assistant' && m.toolCalls) chars += JSON.stringify(m.toolCalls).length;
  }
  if (request.tools) chars += JSON.stringify(request.tools).length;
  if (request.output) chars += JSON.stringify(request.output.schema).length;
  return Math.ceil(chars / 4);
}

/** Output tokens to assume before the call: the request's cap, else the model's, else 1024. */
export function estimateOutputTokens(request: EngineRequest, descriptor?: ModelDescriptor): number {
  return request.maxTokens ?? Math.min(descriptor?.maxOutputTokens ?? 1024, 4096);
}

/** Options of {@link CostTracker}. */
export interface CostTrackerOptions {
  describeModel: DescribeModel;
  /** Sessions kept in memory (oldest forgotten first). */
  maxSessions?: number;
  /** Runs kept in memory (oldest forgotten first). */
  maxRuns?: number;
}

/** One finished model call, as {@link CostTracker.record} adds it to the run's and session's totals. */
export interface CallCostRecord {
  runId?: string;
  sessionId?: string;
  engine: string;
  provider: Provider;
  model: string;
  usage: Usage;
}

/** Aggregates usage and cost per run and per session and enforces budgets. */
export class CostTracker {
  private readonly runs = new Map<string, CostTotals>();
  private readonly sessions = new Map<string, CostTotals>();
  private readonly describe: DescribeModel;
  private readonly maxSessions: number;
  private readonly maxRuns: number;

  constructor(options: CostTrackerOptions) {
    this.describe = options.describeModel;
    this.maxSessions = options.maxSessions ?? 10_000;
    this.maxRuns = options.maxRuns ?? 10_000;
  }

  /** The model's descriptor (context window, features, pricing), or undefined for an unknown model. */
  describeModel(provider: Provider, model: string): ModelDescriptor | undefined {
    return this.describe(provider, model);
  }

  /** Estimated cost of a request before it is sent. */
  estimate(provider: Provider, request: EngineRequest): number {
    const d = this.describe(provider, request.model);
    return priceUsage(d, { inputTokens: estimateInputTokens(request), outputTokens: estimateOutputTokens(request, d) }) ?? 0;
  }

  /** Throws BudgetExceededError when `estimateUsd` would take the run or session past its budget. */
  check(scope: { runId?: string; sessionId?: string }, budget: { runUsd?: number; sessionUsd?: number }, estimateUsd: number): void {
    if (scope.runId !== undefined && budget.runUsd !== undefined) {
      const spent = this.runs.get(scope.runId)?.usd ?? 0;
      if (spent + estimateUsd > budget.runUsd) throw new BudgetExceededError('run', scope.runId, budget.runUsd, spent, estimateUsd);
    }
    if (scope.sessionId !== undefined && budget.sessionUsd !== undefined) {
      const spent = this.sessions.get(scope.sessionId)?.usd ?? 0;
      if (spent + estimateUsd > budget.sessionUsd)
        throw new BudgetExceededError('session', scope.sessionId, budget.sessionUsd, spent, estimateUsd);
    }
  }

  /** Adds a finished call; returns its cost (undefined when the model has no pricing). */
  record(call: CallCostRecord): number | undefined {
    const usd = priceUsage(this.describe(call.provider, call.model), call.usage);
    const add = (map: Map<string, CostTotals>, id: string | undefined, max: number) => {
      if (id === undefined) return;
      let totals = map.get(id);
      if (!totals) {
        if (map.size >= max) map.delete(map.keys().next().value as string);
        totals = emptyTotals();
        map.set(id, totals);
      }
      totals.calls++;
      totals.inputTokens += call.usage.inputTokens;
      totals.outputTokens += call.usage.outputTokens;
      if (usd === undefined) totals.unpriced++;
      else totals.usd += usd;
    };
    add(this.runs, call.runId, this.maxRuns);
    add(this.sessions, call.sessionId, this.maxSessions);
    return usd;
  }

  /** A copy of a run's totals so far (zeros for an unknown run). */
  run(runId: string): CostTotals {
    return { ...(this.runs.get(runId) ?? emptyTotals()) };
  }

  /** A copy of a session's totals so far (zeros for an unknown session). */
  session(sessionId: string): CostTotals {
    return { ...(this.sessions.get(sessionId) ?? emptyTotals()) };
  }

  /** Returns a run's totals and forgets it (call when the run ends). */
  endRun(runId: string): CostTotals {
    const totals = this.run(runId);
    this.runs.delete(runId);
    return totals;
  }
}
