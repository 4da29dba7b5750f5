import { describe, expect, it } from 'vitest';
import { kindOf, type WireFailure } from '../src/shared/classify.js';

const f = (status: number | undefined, errorType?: string, message?: string, code?: string): WireFailure => ({
  provider: 'p',
  ...(status !== undefined ? { status } : {}),
  ...(errorType ? { errorType } : {}),
  ...(message ? { message } : {}),
  ...(code ? { code } : {}),
});

describe('error taxonomy', () => {
  it.each([
    [f(429, 'rate_limit_error'), 'rate_limited'],
    [f(429, 'invalid_request_error', 'x', 'context_length_exceeded'), 'rate_limited'],
    [f(529, 'overloaded_error'), 'overloaded'],
    [f(503), 'overloaded'],
    [f(undefined, 'overloaded_error'), 'overloaded'],
    [f(500, 'api_error'), 'server'],
    [f(502), 'server'],
    [f(undefined, 'server_error'), 'server'],
    [f(undefined), 'server'],
    [f(408), 'timeout'],
    [f(504), 'timeout'],
    [f(401, 'authentication_error'), 'auth'],
    [f(403, 'permission_error'), 'auth'],
    [f(498), 'auth'],
    [f(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'), 'context_length'],
    [f(400, 'invalid_request_error', 'x', 'context_length_exceeded'), 'context_length'],
    [f(400, undefined, 'too many tokens: the total number of tokens in the prompt exceeds the limit'), 'context_length'],
    [f(400, 'invalid_request_error', 'x', 'content_policy_violation'), 'content_filter'],
    [f(400, 'invalid_request_error', 'max_tokens: Field required'), 'invalid_request'],
    [f(404, 'not_found_error'), 'invalid_request'],
    [f(422), 'invalid_request'],
  ])('%j -> %s', (failure, kind) => {
    expect(kindOf(failure)).toBe(kind);
  });
});
