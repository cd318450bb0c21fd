import { describe, expect, it } from 'vitest';
import { RowKeys } from './row-keys.ts';

describe('RowKeys', () => {
  it('says the first line that had a key, and remembers only the first', () => {
    const keys = new RowKeys();
    expect(keys.firstLine('2026-11-01\u0001c1\u0001a1', 2)).toBeUndefined();
    expect(keys.firstLine('2026-11-01\u0001c1\u0001a2', 3)).toBeUndefined();
    expect(keys.firstLine('2026-11-01\u0001c1\u0001a1', 4)).toBe(2);
    expect(keys.firstLine('2026-11-01\u0001c1\u0001a1', 5)).toBe(2);
    expect(keys.firstLine('', 6)).toBeUndefined();
    expect(keys.firstLine('', 7)).toBe(6);
  });

  it('tells 300,000 keys that differ by one character apart as it grows, and finds each again', () => {
    const keys = new RowKeys();
    const key = (i: number) => `2026-11-${String(1 + (i % 28)).padStart(2, '0')}\u0001c\u0001a${Math.floor(i / 28)}\u0001interest\u0001${i % 7}\u0001ES\u0001\u0001`;
    let duplicates = 0;
    for (let i = 0; i < 300_000; i++) if (keys.firstLine(key(i), i + 2) !== undefined) duplicates++;
    expect(duplicates).toBe(0);
    for (const i of [0, 1, 27, 28, 150_001, 299_999]) expect(keys.firstLine(key(i), 1_000_000)).toBe(i + 2);
  });
});
