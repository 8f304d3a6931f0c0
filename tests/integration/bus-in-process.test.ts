// The in-process EventBus over real stores: every subscriber sees every stored event once, in seq order, from
// the seq it asked for, however its subscription interleaves with appends.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createInProcessBus, REPLAY_BATCH, REPLAY_BUFFER_LIMIT } from '../../server/bus/in-process';
import type { EventBus } from '../../server/bus/types';
import type { StoredEvent } from '../../server/contract/events';
import type { EventStore } from '../../server/store/types';
import { STORE_IMPLEMENTATIONS, items, type StoreHarness } from '../helpers/store';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A subscriber that records what it gets and checks, on every call, that seqs only ever go up by one. */
function recorder(fromSeq: number) {
  const seqs: number[] = [];
  const calls: number[][] = [];
  let problem: string | undefined;
  const onEvents = (events: StoredEvent[]): void => {
    if (events.length === 0) problem ??= 'called with an empty batch';
    calls.push(events.map((e) => e.seq));
    for (const e of events) {
      const expected = (seqs.at(-1) ?? fromSeq) + 1;
      if (e.seq !== expected) problem ??= `expected seq ${expected}, got ${e.seq}`;
      if (e.event.id !== `pos-${e.seq - 1}`) problem ??= `seq ${e.seq} carries ${e.event.id}`;
      seqs.push(e.seq);
    }
  };
  return { seqs, calls, onEvents, problem: () => problem };
}

/** Resolves once `check` holds, polling across macrotasks (replays resolve over several ticks). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The store with reads that wait before and after taking their snapshot, so that appends land both before a
 * replay read (it then returns events also published live) and after it (they reach the subscriber only
 * through the live buffer). Without it a fast store could let the replay finish before any append interleaves.
 */
function withSlowReads(store: EventStore, delayMs: () => number): EventStore {
  return {
    ...store,
    append: (batch) => store.append(batch),
    read: async (afterSeq, limit) => {
      if (delayMs() > 0) await sleep(delayMs());
      const events = await store.read(afterSeq, limit);
      if (delayMs() > 0) await sleep(delayMs());
      return events;
    },
  };
}

describe.each(STORE_IMPLEMENTATIONS)('in-process bus over the %s store', (name, factory) => {
  // A new subscriber replays the (empty) log before it goes live: in a tick for a local store, after a round trip
  // or a new pool connection for PostgreSQL. Tests that need the subscriber live before they append wait this.
  const settle = async (): Promise<void> => {
    await sleep(1);
    if (name === 'postgres') await sleep(500);
  };
  let harness: StoreHarness;
  let store: EventStore;
  let bus: EventBus;
  let next: number;
  let readDelayMs = 0;
  /** Appends n new events (ids pos-<seq-1>, so seq and id agree). */
  const appendNew = (n: number) => {
    const batch = items(next, n);
    next += n;
    return bus.append(batch);
  };

  beforeEach(async () => {
    harness = factory();
    store = await harness.open();
    readDelayMs = 0;
    bus = createInProcessBus(withSlowReads(store, () => readDelayMs));
    next = 0;
  });
  afterEach(async () => {
    await bus.close();
    await store.close();
    await harness.dispose();
  });

  it('delivers stored events synchronously after append resolves, duplicates excluded', async () => {
    const sub = recorder(0);
    bus.subscribe(0, sub.onEvents);
    await settle();
    await appendNew(3);
    expect(sub.seqs).toEqual([1, 2, 3]);
    // A retried batch with one new event: only the new one reaches subscribers.
    const results = await bus.append([...items(1, 2), ...items(3, 1)]);
    next = 4;
    expect(results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'stored']);
    expect(sub.calls).toEqual([[1, 2, 3], [4]]);
    // Nothing new: no call at all.
    await bus.append(items(0, 2));
    expect(sub.calls).toHaveLength(2);
    expect(sub.problem()).toBeUndefined();
  });

  it('publishes in seq order when appends are not awaited one by one', async () => {
    const sub = recorder(0);
    bus.subscribe(0, sub.onEvents);
    await settle();
    const pending = Array.from({ length: 50 }, (_, i) => appendNew(1 + (i % 7)));
    const results = await Promise.all(pending);
    const firstSeqs = results.map((r) => (r[0]?.status === 'stored' ? r[0].stored.seq : -1));
    expect(firstSeqs).toEqual([...firstSeqs].sort((a, b) => a - b)); // seq order == call order
    expect(sub.seqs).toEqual(range(1, next));
    expect(sub.problem()).toBeUndefined();
  });

  it('replays from an old seq, then goes live, each event once', async () => {
    for (let i = 0; i < 5; i++) await appendNew(1000);
    const sub = recorder(1234);
    bus.subscribe(1234, sub.onEvents);
    await until(() => sub.seqs.length === 5000 - 1234);
    // Replay came in bounded batches.
    expect(Math.max(...sub.calls.map((c) => c.length))).toBeLessThanOrEqual(REPLAY_BATCH);
    await appendNew(10);
    expect(sub.seqs).toEqual(range(1235, 5010));
    expect(sub.problem()).toBeUndefined();
  });

  it('misses and repeats nothing when appends happen during the replay', async () => {
    for (let i = 0; i < 10; i++) await appendNew(1000);
    readDelayMs = 2;
    const froms = [0, 4321, 9999, 10_000];
    const subs = froms.map((from) => recorder(from));
    froms.forEach((from, i) => bus.subscribe(from, subs[i]!.onEvents));
    // Appends race the replays: issued before the first replay read has even resolved, and while they run.
    const appends: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      appends.push(appendNew(97));
      await sleep(i % 3);
    }
    await Promise.all(appends);
    const end = next;
    await until(() => subs.every((s) => (s.seqs.at(-1) ?? 0) >= end));
    await appendNew(1);
    await until(() => subs.every((s) => (s.seqs.at(-1) ?? 0) >= end + 1));
    expect(subs[0]!.seqs).toEqual(range(1, end + 1));
    expect(subs[1]!.seqs).toEqual(range(4322, end + 1));
    expect(subs[2]!.seqs).toEqual(range(10_000, end + 1));
    expect(subs[3]!.seqs).toEqual(range(10_001, end + 1));
    for (const s of subs) expect(s.problem()).toBeUndefined();
  });

  it('subscribing while an append is in flight neither misses nor repeats its events', async () => {
    await appendNew(10);
    readDelayMs = 1;
    const inFlight = appendNew(5); // committed (or about to be) but not yet published
    const sub = recorder(0);
    bus.subscribe(0, sub.onEvents);
    await inFlight;
    await until(() => sub.seqs.length >= 15);
    await appendNew(5);
    expect(sub.seqs).toEqual(range(1, 20));
    expect(sub.problem()).toBeUndefined();
  });

  it('stays correct when live events during a replay overflow its buffer', async () => {
    await appendNew(2 * REPLAY_BATCH);
    readDelayMs = 5;
    const sub = recorder(0);
    bus.subscribe(0, sub.onEvents);
    // More than the buffer holds, published before the replay has had a chance to finish.
    const burst = Array.from({ length: Math.ceil((REPLAY_BUFFER_LIMIT * 1.5) / 1000) }, () => appendNew(1000));
    await Promise.all(burst);
    const end = next;
    await until(() => (sub.seqs.at(-1) ?? 0) >= end);
    // The replay may still be reading (it goes live only after a short read): wait rather than assume live.
    await appendNew(3);
    await until(() => (sub.seqs.at(-1) ?? 0) >= end + 3);
    expect(sub.seqs).toEqual(range(1, end + 3));
    expect(sub.problem()).toBeUndefined();
  });

  it('stops delivering after unsubscribe, also mid-replay', async () => {
    await appendNew(3 * REPLAY_BATCH);
    const live = recorder(0);
    const stop = bus.subscribe(0, live.onEvents);
    await until(() => live.seqs.length === 3 * REPLAY_BATCH);
    stop();
    await appendNew(1);
    expect(live.seqs).toHaveLength(3 * REPLAY_BATCH);

    const replaying = recorder(0);
    bus.subscribe(0, replaying.onEvents)(); // unsubscribed before its first read resolves
    await appendNew(1);
    await sleep(10);
    expect(replaying.seqs).toEqual([]);
  });

  it('keeps delivering to others, and resolves the append, when one subscriber throws', async () => {
    const errors: unknown[] = [];
    await bus.close();
    bus = createInProcessBus(store, { onSubscriberError: (e) => errors.push(e) });
    bus.subscribe(0, () => {
      throw new Error('fold failed');
    });
    const sub = recorder(0);
    bus.subscribe(0, sub.onEvents);
    await settle();
    await appendNew(2);
    // Over a networked store (PostgreSQL) the replay's first read may still be on its way when the append
    // resolves: the events then arrive with it, a moment later, still once each and in order.
    await until(() => sub.seqs.length >= 2 && errors.length >= 1);
    expect(sub.seqs).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });

  it('a failed append rejects its caller only; the queue goes on', async () => {
    const sub = recorder(0);
    bus.subscribe(0, sub.onEvents);
    await settle();
    const bad = items(next, 2);
    (bad[1]!.event as unknown as { meta: unknown }).meta = { n: 1n }; // JSON cannot hold it
    const failing = bus.append(bad);
    const after = appendNew(2);
    await expect(failing).rejects.toThrow();
    await after;
    expect(sub.seqs).toEqual([1, 2]);
    expect(sub.problem()).toBeUndefined();
  });

  it('close waits for accepted appends, then refuses new ones', async () => {
    const sub = recorder(0);
    bus.subscribe(0, sub.onEvents);
    await settle();
    const accepted = appendNew(4);
    await bus.close();
    await expect(accepted).resolves.toHaveLength(4);
    expect(sub.seqs).toEqual([1, 2, 3, 4]);
    await expect(bus.append(items(100, 1))).rejects.toThrow(/closed/);
    expect(() => bus.subscribe(0, () => {})).toThrow(/closed/);
  });
});
