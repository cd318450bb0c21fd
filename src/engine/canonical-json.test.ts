import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';

/** The same value with every object's keys in reverse order (as another writer or jsonb may hold them). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]));
  }
  return value;
}

describe('canonicalJson', () => {
  it('sorts keys recursively and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1,{"y":null,"z":true}]},"b":1}');
  });

  it('orders keys by code unit, not by length (jsonb) or locale', () => {
    // jsonb would hold {"b":…, "aa":…} (shorter key first); a locale may put "é" next to "e".
    expect(canonicalJson({ b: 1, aa: 2, B: 3, é: 4, e: 5 })).toBe('{"B":3,"aa":2,"b":1,"e":5,"é":4}');
  });

  it('gives the same text whatever order the keys were built in', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => canonicalJson(reversedKeys(v)) === canonicalJson(v)));
  });

  it('is JSON that parses back to the same value', () => {
    // Against JSON.stringify's round trip rather than v itself: -0 is written "0" by both.
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
    }));
  });

  it('writes numbers and strings exactly as JSON.stringify does', () => {
    expect(canonicalJson([0.1 + 0.2, 1e21, 5e-7, -3, 'a"\n\u2028'])).toBe(JSON.stringify([0.1 + 0.2, 1e21, 5e-7, -3, 'a"\n\u2028']));
  });

  it('omits undefined properties as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it('refuses values JSON cannot hold, naming where they are', () => {
    expect(() => canonicalJson({ adsets: [{ total: { spend: Number.NaN } }] })).toThrow('$.adsets[0].total.spend is NaN');
    expect(() => canonicalJson([Infinity])).toThrow('$[0] is Infinity');
    expect(() => canonicalJson([undefined])).toThrow('$[0] is a undefined');
    expect(() => canonicalJson({ n: 10n })).toThrow('$.n is a bigint');
    expect(() => canonicalJson({ at: new Date(0) })).toThrow('$.at is a Date');
  });
});
