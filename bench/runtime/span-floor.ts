/**
 * The OpenTelemetry SDK's own floor for one traced call, shared by tracing.ts (in a tight loop) and
 * tracing-http.ts (around the bare SDK call): the three spans of a traced run (run, step, chat) with
 * the attributes the runtime sets on them, set the same way (run: 5 after the start, 2 at the end;
 * step: 2 after the start, 2 at the end; chat: 3 at the start, 2 after it, 6 at the end: 22 in all),
 * the three contexts that parent them, made as the runtime makes them (`withSpan`, a context that
 * reads through to its parent, not `trace.setSpan`'s copy), and `fn` run under the chat span's
 * context, and nothing else.
 */
import { context, type Tracer } from '@opentelemetry/api';
import { withSpan } from '../../packages/runtime/src/observability/span-context.js';
import { MODEL } from './setup.js';

const RUN = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'one-step', 'sdl.skill.version': '1.0.0', 'sdl.skill.hash': 'sha256:x' };
const STEP = { 'sdl.step.id': 'answer', 'sdl.step.kind': 'prompt' };
const FINISH = ['stop'];

/** Makes the three spans around `fn(arg)` (run under the chat span's context) and returns what `fn` returned. */
export function withFloorSpans<A, T>(tracer: Tracer, fn: (arg: A) => T, arg: A): T {
  const parent = context.active();
  const run = tracer.startSpan('invoke_agent one-step', { kind: 0 }, parent);
  run.setAttributes(RUN);
  run.setAttribute('sdl.run.id', 'run-id');
  const runCtx = withSpan(parent, run);
  const step = tracer.startSpan('sdl.step answer', { kind: 0 }, runCtx);
  step.setAttributes(STEP);
  const stepCtx = withSpan(runCtx, step);
  const chat = tracer.startSpan(
    `chat ${MODEL}`,
    { kind: 2, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': MODEL } },
    stepCtx,
  );
  chat.setAttribute('sdl.engine', 'claude');
  chat.setAttribute('gen_ai.request.max_tokens', 200);
  const ended = () => {
    chat.setAttribute('gen_ai.usage.input_tokens', 12);
    chat.setAttribute('gen_ai.usage.output_tokens', 5);
    chat.setAttribute('gen_ai.response.model', MODEL);
    chat.setAttribute('gen_ai.response.finish_reasons', FINISH);
    chat.setAttribute('sdl.cost_usd', 0.0001);
    chat.setAttribute('gen_ai.response.id', 'msg_1');
    chat.end();
    step.setAttribute('sdl.step.status', 'ok');
    step.setAttribute('sdl.cost_usd', 0.0001);
    step.end();
    run.setAttribute('sdl.run.cost_usd', 0.0001);
    run.setAttribute('sdl.run.engines', ['claude']);
    run.end();
  };
  const result = context.with(withSpan(stepCtx, chat), fn, undefined, arg);
  if (result instanceof Promise) return result.finally(ended) as T;
  ended();
  return result;
}
