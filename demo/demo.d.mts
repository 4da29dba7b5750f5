/** Types of demo/demo.mjs for TypeScript callers (the CI test). */
export interface DemoOptions {
  /** Where the output goes. */
  write: (text: string) => void;
  /** Pauses and streaming animation for a person watching (default false). */
  interactive?: boolean;
  /** ANSI colours (default false). */
  color?: boolean;
  /** Repository root (default: this checkout). */
  root?: string;
  /** Write the run trace of each failover-scene ticket to this directory (`failover-ticket-<n>.trace.json`). */
  traceDir?: string;
}

export interface DemoSummary {
  skills: string[];
  session: { remembered: boolean; outputs: Array<{ reply: string; category: string; needs_human: boolean }> };
  failover: { served: string[]; traces: string[]; retries: number; switches: Array<{ from: string; to: string; reason: string }>; breaker: Array<{ engine: string; from: string; to: string }> };
  hotSwitch: Array<{ language: string; engine: string }>;
  cost: { calls: number; input: number; output: number; cost: number; requests: number };
}

export declare const ROOT: string;
export declare function runDemo(options: DemoOptions): Promise<DemoSummary>;
