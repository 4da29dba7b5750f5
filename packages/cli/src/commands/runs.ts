/**
 * `skillc runs list|show|resume`: the durable runs (`skillc run --run-id`) recorded in the config's
 * state store. `resume` runs an interrupted run again by its id: the recorded steps are not run
 * (or billed) again.
 */
import { parseArgs } from 'node:util';
import { listDurableRuns, readRunSnapshot, type StateStore } from '@sdl/runtime';
import { type CliIO, type Command, EXIT_INPUT_ERRORS, EXIT_OK, UsageError } from '../io.js';
import { stateStoreFromConfig } from '../run/engines.js';
import { command as runCommand } from './run.js';
import { loadCommandConfig } from '../run/command-config.js';

const usage = `Usage: skillc runs list [--config sdl.config.yaml] [--json]
       skillc runs show <id> [--config sdl.config.yaml]
       skillc runs resume <id> [--config sdl.config.yaml] [--json] [--engine name] [--timeout ms]

The durable runs started with \`skillc run --run-id <id>\`, as recorded in the config's state store
(file or redis). \`list\` shows each run's status and how many steps it completed; \`show\` prints a
run's snapshot (JSON: skill, input, status, each completed step's output, tokens and cost);
\`resume\` runs an interrupted or failed run again: completed steps are taken from the snapshot,
not run or billed again, and the rest run.

Exit codes: 0 success, 1 no such run or the run failed, 2 usage errors.
`;

async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false }, engine: { type: 'string' }, timeout: { type: 'string' } },
  });
  const [action, id, ...rest] = positionals;
  if (action !== 'list' && action !== 'show' && action !== 'resume') throw new UsageError(`expected list, show or resume${action === undefined ? '' : `, not \`${action}\``}`);
  if (action !== 'list' && id === undefined) throw new UsageError(`skillc runs ${action} needs a run id`);
  if (rest.length > 0 || (action === 'list' && id !== undefined)) throw new UsageError(`unexpected argument \`${action === 'list' ? id : rest[0]}\``);
  const loaded = await loadCommandConfig(io, { command: 'skillc runs', flag: values.config, missingHint: 'pass --config', color: false });
  if (typeof loaded === 'number') return loaded;
  const { config, configFile } = loaded;
  if (config.state.store === 'memory') {
    io.stderr.write('skillc runs: the state store is `memory`, which keeps no runs; set `state: { store: file }` (or redis) in sdl.config.yaml\n');
    return EXIT_INPUT_ERRORS;
  }
  let store: StateStore | undefined = stateStoreFromConfig(config);
  try {
    if (action === 'list') {
      const ids = await listDurableRuns(store);
      const rows = [];
      for (const runId of ids) {
        const snapshot = await readRunSnapshot(store, runId);
        if (snapshot !== undefined) rows.push(snapshot);
      }
      if (values.json) {
        io.stdout.write(`${JSON.stringify(rows.map((r) => ({ id: r.runId, skill: r.skill, status: r.status, steps_completed: Object.keys(r.steps).length, updated_at: new Date(r.updatedAt).toISOString() })))}\n`);
      } else if (rows.length === 0) {
        io.stdout.write('no durable runs (start one with skillc run --run-id <id>)\n');
      } else {
        for (const r of rows) {
          io.stdout.write(`${r.runId}  ${r.status.padEnd(9)}  ${r.skill}  ${Object.keys(r.steps).length} steps done  ${new Date(r.updatedAt).toISOString()}\n`);
        }
      }
      return EXIT_OK;
    }
    const snapshot = await readRunSnapshot(store, id!);
    if (snapshot === undefined) {
      io.stderr.write(`skillc runs: no run \`${id}\` in the ${config.state.store} state store; \`skillc runs list\` shows the runs\n`);
      return EXIT_INPUT_ERRORS;
    }
    if (action === 'show') {
      io.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
      return EXIT_OK;
    }
    await store.close();
    store = undefined;
    const args = [snapshot.file, '--input', JSON.stringify(snapshot.input), '--run-id', snapshot.runId, '--config', configFile];
    if (values.json) args.push('--json');
    if (values.engine !== undefined) args.push('--engine', values.engine);
    if (values.timeout !== undefined) args.push('--timeout', values.timeout);
    return await runCommand.run(args, io);
  } finally {
    await store?.close().catch(() => {});
  }
}

/** `skillc runs`: list, show and resume durable runs. */
export const command: Command = { name: 'runs', summary: 'List, show and resume durable runs', usage, run };
