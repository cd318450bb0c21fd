// The rows' keys a file has had, for its duplicate check, kept as 128-bit fingerprints in one typed
// array instead of a map of strings: a key string and its map entry cost several hundred bytes a
// row, which grew an import's memory with the file. Two keys share a fingerprint with probability
// about n² / 2¹²⁹ (1e-25 for ten million rows); the fingerprints are not secret, and a file made to
// collide only refuses itself.

const WORDS = 5; // four words of fingerprint, then the first line plus one (0: empty slot)

/** 32-bit lanes of a seeded multiplicative hash (cyrb53's mixing), two per seed. */
function fingerprint(key: string, seed: number, out: Uint32Array, at: number): void {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[at] = h1 >>> 0;
  out[at + 1] = h2 >>> 0;
}

export class RowKeys {
  private slots = new Uint32Array(1024 * WORDS);
  private size = 0;
  private readonly probe = new Uint32Array(4);

  /** The line that first had `key`, or undefined (and `line` is remembered as its first). */
  firstLine(key: string, line: number): number | undefined {
    const p = this.probe;
    fingerprint(key, 0x9e3779b9, p, 0);
    fingerprint(key, 0x85ebca6b, p, 2);
    const capacity = this.slots.length / WORDS;
    for (let i = p[0]! & (capacity - 1); ; i = (i + 1) & (capacity - 1)) {
      const s = i * WORDS;
      const stored = this.slots[s + 4]!;
      if (stored === 0) {
        this.slots.set(p, s);
        this.slots[s + 4] = line + 1;
        if (++this.size * 2 > capacity) this.grow();
        return undefined;
      }
      if (this.slots[s] === p[0] && this.slots[s + 1] === p[1] && this.slots[s + 2] === p[2] && this.slots[s + 3] === p[3]) return stored - 1;
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (old.length / WORDS) * 2;
    this.slots = new Uint32Array(capacity * WORDS);
    for (let s = 0; s < old.length; s += WORDS) {
      if (old[s + 4] === 0) continue;
      let i = old[s]! & (capacity - 1);
      while (this.slots[i * WORDS + 4] !== 0) i = (i + 1) & (capacity - 1);
      this.slots.set(old.subarray(s, s + WORDS), i * WORDS);
    }
  }
}
