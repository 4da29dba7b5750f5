import type { Message } from '@sdl/adapters';
import { describe, expect, it } from 'vitest';
import { startAtUserTurn } from '../../src/run/session.js';

const user = (content: string): Message => ({ role: 'user', content });
const assistant = (content: string, calls = false): Message =>
  calls ? { role: 'assistant', content, toolCalls: [{ id: 'call_1', name: 'lookup', arguments: {} }] } : { role: 'assistant', content };
const tool: Message = { role: 'tool', toolCallId: 'call_1', name: 'lookup', content: '{}' };

describe('session history after the max_turns window trimmed it', () => {
  it.each([
    ['intact history is kept', [user('a'), assistant('b')], [user('a'), assistant('b')]],
    ['an orphaned tool result is dropped', [tool, assistant('x'), user('c'), assistant('d')], [user('c'), assistant('d')]],
    ['a dangling tool call is dropped', [assistant('', true), tool, assistant('x'), user('c')], [user('c')]],
    ['no user message at all leaves nothing', [assistant('x')], []],
    ['empty stays empty', [], []],
  ])('%s', (_name, stored, expected) => {
    expect(startAtUserTurn(stored as Message[])).toEqual(expected);
  });
});
