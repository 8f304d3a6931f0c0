// The in-process bus commits the appends that wait behind a running one together (a group commit): one store
// transaction and one fsync for several requests, each caller still answered with its own items' results, and a
// failing group tried again caller by caller so that one bad batch never costs the others.
import { describe, expect, it } from 'vitest';
import type { OpsEvent, StoredEvent } from '../../server/contract/events';
import { createInProcessBus, GROUP_COMMIT_MAX_EVENTS } from '../../server/bus/in-process';
import { createMemoryStore } from '../../server/store/memory';
import type { AppendItem, EventStore } from '../../server/store/types';

const item = (id: string): AppendItem => ({
  event: {
    id,
    kind: 'patrol.position',
    time: '2026-12-07T10:00:00+08:00',
    source: 'osmand',
    rangerId: 'R1',
    patrolId: 'P1',
    location: { lon: 116.7, lat: 39.8 },
  } satisfies OpsEvent,
  receivedAt: '2026-12-07T02:00:00Z',
});
const batch = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => item(`${prefix}-${i}`));

/** A store whose append takes a while (as a commit's fsync does) and records each transaction's size. */
function slowStore(fail?: (items: AppendItem[]) => boolean) {
  const inner = createMemoryStore();
  const transactions: number[] = [];
  const store: EventStore = {
    ...inner,
    async append(items) {
      transactions.push(items.length);
      await new Promise((r) => setTimeout(r, 20));
      if (fail?.(items)) throw new Error('disk full');
      return inner.append(items);
    },
  };
  return { store, transactions };
}

describe('the in-process bus, group commit', () => {
  it('commits the appends that waited behind a running one in one transaction, each caller getting its own results', async () => {
    const { store, transactions } = slowStore();
    const bus = createInProcessBus(store);
    const published: StoredEvent[][] = [];
    bus.subscribe(0, (events) => published.push(events));
    const first = bus.append(batch('a', 3));
    await new Promise((r) => setTimeout(r, 5)); // the first group is being committed
    const [b, c, d] = [bus.append(batch('b', 2)), bus.append([item('a-0'), item('c-0')]), bus.append(batch('d', 1))];

    expect((await first).map((r) => r.status)).toEqual(['stored', 'stored', 'stored']);
    const rb = await b;
    const rc = await c;
    const rd = await d;
    expect(transactions).toEqual([3, 5]);
    expect(rb).toEqual([
      expect.objectContaining({ status: 'stored', stored: expect.objectContaining({ seq: 4 }) }),
      expect.objectContaining({ status: 'stored', stored: expect.objectContaining({ seq: 5 }) }),
    ]);
    // A duplicate of an earlier group's event keeps that event's seq; the next caller's events follow in order.
    expect(rc).toEqual([{ status: 'duplicate', seq: 1 }, expect.objectContaining({ status: 'stored' })]);
    expect(rd).toEqual([
      expect.objectContaining({ stored: expect.objectContaining({ seq: 7, event: item('d-0').event }) }),
    ]);
    // Subscribers see every stored event once, in seq order, one publish per transaction.
    expect(published.map((p) => p.map((e) => e.seq))).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7],
    ]);
    await bus.close();
  });

  it('starts an append on an idle bus at once and alone', async () => {
    const { store, transactions } = slowStore();
    const bus = createInProcessBus(store);
    await bus.append(batch('a', 2));
    await bus.append(batch('b', 1));
    expect(transactions).toEqual([2, 1]);
    await bus.close();
  });

  it('never makes a group larger than the limit (a giant transaction would hold every caller in it)', async () => {
    const { store, transactions } = slowStore();
    const bus = createInProcessBus(store);
    const half = GROUP_COMMIT_MAX_EVENTS / 2;
    const all = [bus.append(batch('a', 1))];
    await new Promise((r) => setTimeout(r, 5));
    for (const p of ['b', 'c', 'd']) all.push(bus.append(batch(p, half)));
    await Promise.all(all);
    expect(transactions).toEqual([1, GROUP_COMMIT_MAX_EVENTS, half]);
    await bus.close();
  });

  it('tries a failed group again caller by caller: only the batch that fails is refused', async () => {
    const { store, transactions } = slowStore((items) => items.some((i) => i.event.id === 'bad-0'));
    const bus = createInProcessBus(store);
    const first = bus.append(batch('a', 1));
    await new Promise((r) => setTimeout(r, 5));
    const good = bus.append(batch('b', 2));
    const bad = bus.append(batch('bad', 1));
    const alsoGood = bus.append(batch('c', 1));
    await first;
    await expect(bad).rejects.toThrow('disk full');
    expect((await good).map((r) => r.status)).toEqual(['stored', 'stored']);
    expect((await alsoGood).map((r) => r.status)).toEqual(['stored']);
    expect(transactions).toEqual([1, 4, 2, 1, 1]);
    await bus.close();
  });
});

/** A store whose appends take a while and commit one after another in the order they are called (SQLite's writer thread). */
function orderedStore(fail?: (items: AppendItem[]) => boolean) {
  const inner = createMemoryStore();
  const transactions: number[] = [];
  let outstanding = 0;
  let mostOutstanding = 0;
  let chain: Promise<unknown> = Promise.resolve();
  const store: EventStore = {
    ...inner,
    append(items) {
      outstanding++;
      mostOutstanding = Math.max(mostOutstanding, outstanding);
      const done = chain.then(async () => {
        await new Promise((r) => setTimeout(r, 20));
        transactions.push(items.length);
        outstanding--;
        if (fail?.(items)) throw new Error('disk full');
        return inner.append(items);
      });
      chain = done.catch(() => {});
      return done;
    },
  };
  return { store, transactions, mostOutstanding: () => mostOutstanding };
}

describe('the in-process bus, pipelined over a store that commits in call order', () => {
  it('hands the store the next group while one commits, and publishes and answers in seq order', async () => {
    const { store, transactions, mostOutstanding } = orderedStore();
    const bus = createInProcessBus(store, { pipeline: 2 });
    const published: number[][] = [];
    bus.subscribe(0, (events) => published.push(events.map((e) => e.seq)));
    const answers: Promise<unknown>[] = [];
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 3; k++) answers.push(bus.append(batch(`r${round}-${k}`, 2)));
      await new Promise((r) => setTimeout(r, 7));
    }
    const results = (await Promise.all(answers)) as Awaited<ReturnType<typeof bus.append>>[];
    expect(mostOutstanding()).toBe(2);
    // Every caller its own two events, and the seqs of the callers in the order they called.
    const seqs = results.flatMap((r) => r.map((x) => (x.status === 'stored' ? x.stored.seq : -1)));
    expect(seqs).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    expect(published.flat()).toEqual(seqs);
    expect(transactions.reduce((a, b) => a + b, 0)).toBe(36);
    expect(transactions.length).toBeLessThan(18); // grouped
    await bus.close();
  });

  it('tries a failed group again caller by caller after the group already in the store, still in seq order', async () => {
    const { store } = orderedStore((items) => items.some((i) => i.event.id === 'bad-0'));
    const bus = createInProcessBus(store, { pipeline: 2 });
    const published: number[] = [];
    bus.subscribe(0, (events) => published.push(...events.map((e) => e.seq)));
    const first = bus.append(batch('a', 1));
    await new Promise((r) => setTimeout(r, 5));
    const group = [bus.append(batch('b', 2)), bus.append(batch('bad', 1)), bus.append(batch('c', 1))];
    await new Promise((r) => setTimeout(r, 5));
    const later = bus.append(batch('d', 1));
    await first;
    await expect(group[1]).rejects.toThrow('disk full');
    const stored = await Promise.all([group[0]!, group[2]!, later]);
    expect(stored.flat().every((r) => r.status === 'stored')).toBe(true);
    // 'd' was in the store behind the failed group, so it committed before the callers tried again.
    const seqsOf = (rs: (typeof stored)[number]) => rs.map((r) => (r.status === 'stored' ? r.stored.seq : 0));
    expect(stored.map(seqsOf)).toEqual([[3, 4], [5], [2]]);
    expect(published).toEqual([1, 2, 3, 4, 5]);
    await bus.close();
  });

  it('close waits for every group in the store', async () => {
    const { store } = orderedStore();
    const bus = createInProcessBus(store, { pipeline: 2 });
    const published: number[] = [];
    bus.subscribe(0, (events) => published.push(...events.map((e) => e.seq)));
    const answers = [bus.append(batch('a', 2)), bus.append(batch('b', 2))];
    await new Promise((r) => setTimeout(r, 5));
    answers.push(bus.append(batch('c', 2)));
    await bus.close();
    expect(published).toEqual([1, 2, 3, 4, 5, 6]);
    await expect(Promise.all(answers)).resolves.toHaveLength(3);
    await expect(bus.append(batch('d', 1))).rejects.toThrow('closed');
  });
});
