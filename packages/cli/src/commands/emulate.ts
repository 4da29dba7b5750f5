import { parseArgs } from 'node:util';
import path from 'node:path';
import { type EmulatedProvider, type EmulatorReply, FAULT_NAMES, FaultSpecError, parseFaultSpec, readRepliesFile, RepliesFileError, standInReply, startEmulator } from '@sdl/adapters';
import { type CliIO, type Command, EXIT_OK, EXIT_USAGE, UsageError } from '../io.js';

const PROVIDERS: readonly EmulatedProvider[] = ['anthropic', 'openai', 'cohere'];

const usage = `Usage: skillc emulate [--provider anthropic|openai|cohere] [--port N] [--replies <file>] [--faults <spec>] [--seed N] [--rpm N]

Starts a local, wire-compatible emulator of a provider's chat API on 127.0.0.1 and prints its base URL
(first line of stdout) for the engine's \`base_url\` in sdl.config.yaml. Stops on Ctrl-C.

The emulator stands in for a model, repeatably for one --seed:
  - structured output (a JSON Schema in output_config / response_format): a value sampled from the
    schema (json-schema-faker), formats, patterns, bounds and enums included; JSON mode without a
    schema (json_object): a JSON object. Values vary from request to request, so \`when:\` branches fire;
  - tools offered (tool_choice not none): a call of one of them (the named one, else one drawn at
    random) with arguments sampled from its parameters; after the tool result, the final answer
    (a value of the schema, else \`tool <name> returned: <result>\`);
  - a user message \`call <tool> {json}\` calls that declared tool with those arguments;
  - otherwise \`echo: <last user message>\`.

Scripted replies (--replies <file>) are served first, one a request, in file order; then the above.
  .jsonl / .ndjson   one reply a line        .json / .yaml / .yml   a list of replies
  A reply is a string (the text) or an object: {"text": "..."}, {"json": {...}},
  {"tool_calls": [{"name": "lookup", "arguments": {"id": 7}}]} or {"refusal": "..."}.
  Example replies.jsonl:
    {"tool_calls": [{"name": "lookup", "arguments": {"id": 7}}]}
    {"json": {"tone": "angry", "score": 0.9}}
    "plain text"

Options:
  --provider <p>   anthropic (default), openai or cohere
  --port <n>       the port (default 0: the OS picks a free one)
  --faults <spec>  inject faults: comma-separated NAME[@PARAM][:RATE], e.g. 429:0.1,reset:0.05,slow@800:0.2
                   RATE is a probability per request (default 1). NAMES: ${FAULT_NAMES.join(', ')}
                   (429@S sets retry-after seconds, 429ms@MS retry-after-ms, slow@MS the delay)
  --replies <file> scripted replies, served in order before generated ones (formats above)
  --seed <n>       seed of the sampled values and of the fault RNG (default 1), so a run repeats
  --rpm <n>        the emulator's own rate limit, requests per minute

A single request can ask for a fault with the header \`x-emulator-fault: NAME[@PARAM]\`.
Exit codes: 0 stopped cleanly, 2 usage error or the port is unavailable.
`;

function nonNegativeInt(flag: string, text: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > max) throw new UsageError(`--${flag} must be an integer between 0 and ${max}, not \`${text}\``);
  return n;
}

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      provider: { type: 'string', default: 'anthropic' },
      port: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      rpm: { type: 'string' },
      replies: { type: 'string' },
    },
  });
  void positionals;
  const provider = values.provider as EmulatedProvider;
  if (!PROVIDERS.includes(provider)) throw new UsageError(`unknown --provider \`${values.provider}\`; use one of ${PROVIDERS.join(', ')}`);
  const port = nonNegativeInt('port', values.port, 65535) ?? 0;
  const seed = nonNegativeInt('seed', values.seed) ?? 1;
  const rpm = nonNegativeInt('rpm', values.rpm);
  if (rpm === 0) throw new UsageError('--rpm must be at least 1');
  let faults;
  try {
    faults = parseFaultSpec(values.faults ?? '');
  } catch (err) {
    if (err instanceof FaultSpecError) throw new UsageError(`--faults: ${err.message}`);
    throw err;
  }

  let replies: EmulatorReply[] = [];
  if (values.replies !== undefined) {
    try {
      replies = await readRepliesFile(path.resolve(io.cwd, values.replies));
    } catch (err) {
      if (!(err instanceof RepliesFileError)) throw err;
      io.stderr.write(`skillc emulate: ${err.message.replace(path.resolve(io.cwd, values.replies), values.replies)}\n`);
      return EXIT_USAGE;
    }
  }

  let emulator;
  try {
    emulator = await startEmulator({ provider, port, faults, seed, reply: standInReply({ seed }), ...(rpm !== undefined ? { rateLimit: { rpm } } : {}) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port ${port} is already in use` : code === 'EACCES' ? `no permission to listen on port ${port}` : (err as Error).message;
    io.stderr.write(`skillc emulate: cannot start the ${provider} emulator: ${reason}; try another --port (or 0)\n`);
    return EXIT_USAGE;
  }
  emulator.enqueueReply(...replies);
  io.stdout.write(`${emulator.url}\n`);
  const faultText = faults.length > 0 ? faults.map((f) => `${f.name}${f.param !== undefined ? `@${f.param}` : ''} ${Math.round(f.rate * 100)}%`).join(', ') : 'none';
  io.stderr.write(`${provider} emulator listening; base_url: ${emulator.url}\nfaults: ${faultText}${rpm ? `; rate limit ${rpm} rpm` : ''}\n${values.replies !== undefined ? `scripted replies: ${replies.length} from ${values.replies}\n` : ''}Press Ctrl-C to stop.\n`);

  await new Promise<void>((resolve) => {
    if (!io.signal) return; // Without a signal the emulator serves until the process ends.
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await emulator.close();
  io.stderr.write(`${provider} emulator stopped after ${emulator.requests.length} request${emulator.requests.length === 1 ? '' : 's'}\n`);
  return EXIT_OK;
}

/** `skillc emulate`: a local provider emulator with fault injection, for demos and offline tests. */
export const command: Command = { name: 'emulate', summary: 'Start a local provider emulator', usage, run };
