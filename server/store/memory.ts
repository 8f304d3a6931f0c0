// An EventStore that lives and dies with the process: unit tests and ephemeral runs (a demo, the simulator).
// Same contract as the SQLite store, checked by the same suite (tests/integration/store-contract.test.ts).
import type { LogEvent, Place, StoredEvent } from '../contract/events';
import { memoryKeyframes } from './keyframes-memory';
import { eventKey, type AppendItem, type AppendResult, type EventStore } from './types';

// Records hold JSON text, as the SQLite rows do: a caller that mutates an event after appending it, or an
// event it read, cannot change the log, and what the log accepts (JSON-serialisable values) is the same.
interface Row {
  receivedAt: string;
  event: string;
  place: string | undefined;
}

export function createMemoryStore(): EventStore {
  /**
   * rows[seq - 1]: appended seqs start at 1 and never skip, so the array index is the position in the log. A
   * hole is a seq that a distributed bus gave to a duplicate, which archive() leaves out.
   */
  const rows: (Row | undefined)[] = [];
  const keyBySeq = new Map<number, string>();
  const seqByKey = new Map<string, number>();
  let open = true;
  const assertOpen = (): void => {
    if (!open) throw new Error('the event store is closed');
  };

  const readNow = (afterSeq: number, untilSeq: number, limit: number): StoredEvent[] => {
    const from = Math.max(0, Math.floor(afterSeq));
    const to = Math.min(rows.length, untilSeq);
    const max = Math.max(0, Math.floor(limit));
    const out: StoredEvent[] = [];
    for (let i = from; i < to && out.length < max; i++) {
      const row = rows[i];
      if (row === undefined) continue;
      const stored: StoredEvent = { seq: i + 1, receivedAt: row.receivedAt, event: JSON.parse(row.event) as LogEvent };
      if (row.place !== undefined) stored.place = JSON.parse(row.place) as Place;
      out.push(stored);
    }
    return out;
  };

  return {
    keyframes: memoryKeyframes(),
    async append(items: AppendItem[]): Promise<AppendResult[]> {
      assertOpen();
      // Serialise the whole batch before touching the log, so a value JSON cannot hold fails the batch as a
      // whole, like a rolled-back transaction.
      const encoded = items.map(({ event, place }) => ({
        key: eventKey(event),
        event: JSON.stringify(event),
        place: place === undefined ? undefined : JSON.stringify(place),
      }));
      const results: AppendResult[] = new Array<AppendResult>(items.length);
      for (let i = 0; i < items.length; i++) {
        const { event, receivedAt, place } = items[i]!;
        const enc = encoded[i]!;
        const first = seqByKey.get(enc.key);
        if (first !== undefined) {
          results[i] = { status: 'duplicate', seq: first };
          continue;
        }
        rows.push({ receivedAt, event: enc.event, place: enc.place });
        const seq = rows.length;
        seqByKey.set(enc.key, seq);
        keyBySeq.set(seq, enc.key);
        results[i] = {
          status: 'stored',
          stored: place === undefined ? { seq, receivedAt, event } : { seq, receivedAt, event, place },
        };
      }
      return results;
    },

    async read(afterSeq, limit) {
      assertOpen();
      return readNow(afterSeq, Number.MAX_SAFE_INTEGER, limit);
    },

    async scan(afterSeq, batchSize, onBatch) {
      assertOpen();
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
      // Fixed end, as in the SQLite store: a scan under steady ingest terminates.
      const end = rows.length;
      let cursor = afterSeq;
      while (cursor < end) {
        assertOpen();
        const batch = readNow(cursor, end, batchSize);
        if (batch.length === 0) return;
        await onBatch(batch);
        cursor = batch[batch.length - 1]!.seq;
      }
    },

    async lastSeq() {
      assertOpen();
      return rows.length;
    },

    async archive(events) {
      assertOpen();
      const encoded = events.map(({ event, place }) => ({
        key: eventKey(event),
        event: JSON.stringify(event),
        place: place === undefined ? undefined : JSON.stringify(place),
      }));
      const held: StoredEvent[] = [];
      events.forEach((stored, i) => {
        const enc = encoded[i]!;
        const atSeq = keyBySeq.get(stored.seq);
        if (atSeq !== undefined) {
          if (atSeq !== enc.key)
            throw new Error(`seq ${stored.seq} already holds another event; the log and the bus disagree`);
          held.push(stored);
          return;
        }
        if (seqByKey.has(enc.key)) return;
        while (rows.length < stored.seq - 1) rows.push(undefined);
        rows[stored.seq - 1] = { receivedAt: stored.receivedAt, event: enc.event, place: enc.place };
        seqByKey.set(enc.key, stored.seq);
        keyBySeq.set(stored.seq, enc.key);
        held.push(stored);
      });
      return held;
    },

    async seqsOfKeys(keys) {
      assertOpen();
      const found = new Map<string, number>();
      for (const key of keys) {
        const seq = seqByKey.get(key);
        if (seq !== undefined) found.set(key, seq);
      }
      return found;
    },

    async scanKeys(afterSeq, batchSize, onBatch) {
      assertOpen();
      let keys: string[] = [];
      for (let seq = Math.max(0, Math.floor(afterSeq)) + 1; seq <= rows.length; seq++) {
        const key = keyBySeq.get(seq);
        if (key !== undefined) keys.push(key);
        if (keys.length >= batchSize) {
          onBatch(keys, seq);
          keys = [];
        }
      }
      if (keys.length > 0) onBatch(keys, rows.length);
    },

    async close() {
      open = false;
    },
  };
}
