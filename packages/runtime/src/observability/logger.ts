import { Redactor } from './redactor.js';

/** How important a log line is, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Structured fields of a log line; scrubbed of secrets and personal data before they are written. */
export type LogFields = Record<string, unknown>;

/** The pluggable structured logger. Hosts pass their own (pino, winston...) behind this shape. */
export interface Logger {
  /** Detail for diagnosing the runtime itself (off in production hosts). */
  debug(msg: string, fields?: LogFields): void;
  /** Normal operation worth recording: a run started or finished, an engine switched. */
  info(msg: string, fields?: LogFields): void;
  /** Something failed but was handled: a retry, a failover, an open circuit. */
  warn(msg: string, fields?: LogFields): void;
  /** A failure the run could not recover from. */
  error(msg: string, fields?: LogFields): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger that drops everything. */
export const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Options of {@link createJsonLinesLogger}. */
export interface JsonLinesLoggerOptions {
  level?: LogLevel;
  /** Where lines go; default stderr. */
  write?: (line: string) => void;
  /** Clock for the `time` field, epoch ms; default `Date.now`. */
  now?: () => number;
}

/** One JSON object per line: `{"time":...,"level":"info","msg":...,...fields}`. Scrubs by default. */
export function createJsonLinesLogger(options: JsonLinesLoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const now = options.now ?? Date.now;
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (LEVELS[level] < min) return;
    write(JSON.stringify({ time: new Date(now()).toISOString(), level, msg, ...fields }, errorReplacer));
  };
  return scrubbingLogger({ debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') });
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value as unknown as Record<string, unknown>) };
  return value;
}

/** Field names whose values are always secrets, whatever they look like. */
const SECRET_KEY = /(?:^|[_-])(?:api[_-]?key|apikey|token|secret|password|passwd|authorization|auth|cookie|credential|private[_-]?key)s?$|^(?:api[_-]?key|apikey|token|secret|password|authorization|cookie|x-api-key)$/i;

/**
 * Wraps a logger so no key or redactable data reaches it: fields named like secrets become
 * `[REDACTED:secret]`, and every string (message included) goes through the redactor.
 */
export function scrubbingLogger(inner: Logger, redactor: Redactor = new Redactor()): Logger {
  const scrub = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactor.redact(value);
    if (value instanceof Error) return scrub({ name: value.name, message: value.message }, depth);
    if (depth > 16 || value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && v !== undefined && v !== null ? '[REDACTED:secret]' : scrub(v, depth + 1);
    }
    return out;
  };
  const wrap = (level: LogLevel) => (msg: string, fields?: LogFields) =>
    inner[level](redactor.redact(msg), fields ? (scrub(fields, 0) as LogFields) : undefined);
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
