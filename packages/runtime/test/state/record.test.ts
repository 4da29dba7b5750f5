import fc from 'fast-check';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalJson, decodeRecord, encodeRecord, StateCorruptionError, StateValueError } from '../../src/state/index.js';

const origin = { key: 'session:t', location: 'test' };
const json = fc.jsonValue({ maxDepth: 4 });

describe('record frame', () => {
  it('round-trips any JSON value', () => {
    fc.assert(
      fc.property(json, (value) => {
        // JSON itself turns -0 into 0; compare against what JSON can represent.
        expect(decodeRecord(encodeRecord(value), origin)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('frames equal values identically whatever their key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), json), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(encodeRecord(reversed)).toBe(encodeRecord(obj));
      }),
    );
  });

  it('carries the zlib CRC32 of the canonical JSON bytes', () => {
    const frame = encodeRecord({ b: 'ü', a: [1, true, null] });
    const payload = '{"a":[1,true,null],"b":"ü"}';
    expect(frame).toBe(`sdl1:${crc32(Buffer.from(payload, 'utf8')).toString(16).padStart(8, '0')}:${payload}`);
  });

  it('detects any single changed character anywhere in the frame', () => {
    fc.assert(
      fc.property(json, fc.nat(), fc.integer({ min: 1, max: 0xffff }), (value, pos, delta) => {
        const frame = encodeRecord(value);
        const i = pos % frame.length;
        let ch = String.fromCharCode((frame.charCodeAt(i) + delta) % 0x10000);
        if (ch === frame[i]) ch = frame[i] === 'a' ? 'b' : 'a';
        const damaged = frame.slice(0, i) + ch + frame.slice(i + 1);
        expect(() => decodeRecord(damaged, origin)).toThrow(StateCorruptionError);
      }),
    );
  });

  it('detects truncation and reports expected and actual CRCs', () => {
    const frame = encodeRecord({ content: 'hello world' });
    expect(() => decodeRecord(frame.slice(0, -3), origin)).toThrow(/CRC32 mismatch \(stored CRC32 [0-9a-f]{8}, computed [0-9a-f]{8}\)/);
    expect(() => decodeRecord('', origin)).toThrow(/header is unreadable/);
    expect(() => decodeRecord('sdl1:zzzzzzzz:{}', origin)).toThrow(/not 8 hex digits/);
  });

  it('refuses values JSON cannot hold', () => {
    for (const bad of [Number.NaN, Infinity, 10n, () => 1, Symbol('s'), new Date(0), new Map()]) {
      expect(() => canonicalJson({ x: [bad] })).toThrow(StateValueError);
    }
    let deep: unknown = 1;
    for (let i = 0; i < 300; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeper than 256/);
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });
});
