// The key index that lets ingest tell a new event from a retry without asking the archive: it must never say
// "new" for a key it holds (that would store a retry twice), and should rarely say "maybe" for one it does not.
import { describe, expect, it } from 'vitest';
import { createKeyIndex } from '../../server/bus/key-index';
import { eventKey } from '../../server/store/types';

const key = (i: number, source: 'hotline_12345' | 'open311' = 'hotline_12345') =>
  eventKey({ source, id: `T-2026-${i}` });

describe('key index', () => {
  it('holds every key added, across its growth, and counts each once', () => {
    const index = createKeyIndex();
    for (let i = 0; i < 300_000; i++) index.add(key(i));
    for (let i = 0; i < 300_000; i++) index.add(key(i));
    expect(index.size).toBe(300_000);
    let missing = 0;
    for (let i = 0; i < 300_000; i++) if (!index.mayHold(key(i))) missing++;
    expect(missing).toBe(0);
  });

  it('tells keys it never saw apart: the same id from another source, near ids, the empty key', () => {
    const index = createKeyIndex();
    for (let i = 0; i < 300_000; i++) index.add(key(i));
    let maybe = 0;
    for (let i = 300_000; i < 600_000; i++) if (index.mayHold(key(i))) maybe++;
    for (let i = 0; i < 300_000; i++) if (index.mayHold(key(i, 'open311'))) maybe++;
    expect(maybe).toBe(0);
    expect(index.mayHold('')).toBe(false);
    index.add('');
    expect(index.mayHold('')).toBe(true);
  });
});
