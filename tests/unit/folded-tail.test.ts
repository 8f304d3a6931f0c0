// The folded tail the archiver reads from (server/bus/folded-tail.ts): it must hand the archive every event after
// its mark in seq order, never one the tail no longer holds (the archiver then reads the stream instead).
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../server/contract/events';
import { createFoldedTail } from '../../server/bus/folded-tail';

const event = (seq: number): StoredEvent => ({
  seq,
  receivedAt: '2026-12-08T00:00:00.000Z',
  event: {
    id: `e-${seq}`,
    kind: 'flood.reading',
    time: '2026-12-08T00:00:00.000Z',
    source: 'sensor',
    checkpointId: 'c',
    level: 1,
  },
});
const range = (from: number, to: number): StoredEvent[] =>
  Array.from({ length: to - from + 1 }, (_, i) => event(from + i));
const seqs = (events: StoredEvent[] | undefined) => events?.map((e) => e.seq);

describe('folded tail', () => {
  it('hands out the events after a seq, at most a limit, across holes in the seqs', () => {
    const tail = createFoldedTail(100);
    tail.push(range(1, 5));
    tail.push([event(7), event(8)]);
    expect(seqs(tail.after(0, 3))).toEqual([1, 2, 3]);
    expect(seqs(tail.after(5, 10))).toEqual([7, 8]);
    expect(seqs(tail.after(6, 10))).toEqual([7, 8]);
    expect(tail.after(8, 10)).toEqual([]);
    expect(tail.after(20, 10)).toEqual([]);
  });

  it('drops what the archive holds and says when it no longer reaches back far enough', () => {
    const tail = createFoldedTail(100);
    expect(tail.after(0, 10)).toBeUndefined();
    tail.push(range(1, 10));
    tail.dropUpTo(4);
    expect(tail.size).toBe(6);
    expect(seqs(tail.after(4, 2))).toEqual([5, 6]);
    expect(tail.after(2, 2)).toBeUndefined();
    tail.dropUpTo(10);
    expect(tail.after(10, 2)).toBeUndefined();
  });

  it('keeps only the newest `limit` events, however many batches came, in order', () => {
    const tail = createFoldedTail(1000);
    for (let from = 1; from <= 50_000; from += 10) tail.push(range(from, from + 9));
    expect(tail.size).toBe(1000);
    expect(tail.after(48_999, 5)).toBeUndefined();
    expect(seqs(tail.after(49_000, 3))).toEqual([49_001, 49_002, 49_003]);
    tail.dropUpTo(49_990);
    expect(seqs(tail.after(49_990, 100))).toEqual(range(49_991, 50_000).map((e) => e.seq));
  });
});
