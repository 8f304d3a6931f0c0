// Every event key the log holds, as a 64-bit hash in an open-addressing table (8 bytes a slot, at most half
// full: 16–32 bytes a key, so a million events cost ~30 MB where a Set of the key strings would cost ~150 MB).
// It answers "is this key certainly new?" without asking the archive: ingest asks PostgreSQL only about a key the
// index may hold (a producer's retry, or one collision in ~2^64 / n), so a slow or unreachable PostgreSQL does
// not hold up new events, and duplicates are still found however late the retry comes (jetstream.ts).

const INITIAL_SLOTS = 1 << 16;

/** Two independent 32-bit hashes of the key's UTF-16 units (FNV-1a and a multiply-xorshift), never both 0. */
function hash64(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x85ebca6b);
    b ^= b >>> 13;
  }
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  b ^= b >>> 16;
  a >>>= 0;
  b >>>= 0;
  return a === 0 && b === 0 ? [0, 1] : [a, b];
}

export interface KeyIndex {
  add(key: string): void;
  /** False: the key was never added. True: it was, or (about once in 2^64 / size) another key shares its hash. */
  mayHold(key: string): boolean;
  readonly size: number;
}

export function createKeyIndex(): KeyIndex {
  // slots[2i], slots[2i + 1]: the two halves of one hash; (0, 0) is an empty slot.
  let slots = new Uint32Array(INITIAL_SLOTS * 2);
  let mask = INITIAL_SLOTS - 1;
  let size = 0;

  /** The slot holding the hash, or the empty slot where it would go. */
  const find = (table: Uint32Array, m: number, a: number, b: number): number => {
    let i = (a ^ Math.imul(b, 0x27d4eb2d)) & m;
    for (;;) {
      const x = table[2 * i]!;
      const y = table[2 * i + 1]!;
      if ((x === a && y === b) || (x === 0 && y === 0)) return i;
      i = (i + 1) & m;
    }
  };

  const grow = (): void => {
    const old = slots;
    const m = (mask + 1) * 2 - 1;
    const table = new Uint32Array((m + 1) * 2);
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i]!;
      const b = old[i + 1]!;
      if (a === 0 && b === 0) continue;
      const j = find(table, m, a, b);
      table[2 * j] = a;
      table[2 * j + 1] = b;
    }
    slots = table;
    mask = m;
  };

  return {
    add(key) {
      const [a, b] = hash64(key);
      const i = find(slots, mask, a, b);
      if (slots[2 * i] === a && slots[2 * i + 1] === b) return;
      slots[2 * i] = a;
      slots[2 * i + 1] = b;
      size++;
      if (size * 2 > mask + 1) grow();
    },
    mayHold(key) {
      const [a, b] = hash64(key);
      const i = find(slots, mask, a, b);
      return slots[2 * i] === a && slots[2 * i + 1] === b;
    },
    get size() {
      return size;
    },
  };
}
