// The NATS JetStream EventBus against the real nats-server: one stream orders the log of every node; each node
// folds it as it comes and its subscribers see every event once, in seq order, whatever node took it in; the
// store archives it behind the fold, one node at a time; a retry is a duplicate however late it comes; and all
// of it across a restart of NATS and an outage of the store.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createJetStreamBus, streamSubject, type JetStreamBus } from '../../server/bus/jetstream';
import type { StoredEvent } from '../../server/contract/events';
import { createMemoryStore } from '../../server/store/memory';
import type { AppendResult, EventStore } from '../../server/store/types';
import { deleteStreams, freshStream, NATS_URL, natsAvailable, privateNats, type PrivateNats } from '../helpers/nats';
import { items, sqliteThreadHarness } from '../helpers/store';

const available = await natsAvailable();
const streams: string[] = [];
const buses: JetStreamBus[] = [];

async function bus(
  stream: string,
  store: EventStore,
  extra: Partial<Parameters<typeof createJetStreamBus>[0]> = {},
): Promise<JetStreamBus> {
  const b = await createJetStreamBus({ url: NATS_URL, stream, store, onFollowError: () => {}, ...extra });
  buses.push(b);
  return b;
}

/** Records what a subscriber gets and the first break of "seq goes up by one" (holes only where allowed). */
function recorder() {
  const seqs: number[] = [];
  const ids: string[] = [];
  let problem: string | undefined;
  return {
    seqs,
    ids,
    onEvents: (events: StoredEvent[]) => {
      for (const e of events) {
        const last = seqs.at(-1) ?? 0;
        if (e.seq <= last) problem ??= `seq ${e.seq} after ${last}`;
        seqs.push(e.seq);
        ids.push(e.event.id);
      }
    },
    problem: () => problem,
  };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Until the archive holds every seq up to `seq`. */
const archivedTo = (store: EventStore, seq: number) => until(async () => (await store.lastSeq()) >= seq);

const stored = (results: AppendResult[]): number[] =>
  results.flatMap((r) => (r.status === 'stored' ? [r.stored.seq] : []));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

afterEach(async () => {
  while (buses.length > 0) await buses.pop()!.close();
  await deleteStreams(streams);
});

describe.skipIf(!available)('JetStream bus', () => {
  it('gives gap-free seqs in append order, archives them and delivers them once, in order', async () => {
    const stream = freshStream();
    streams.push(stream);
    const store = createMemoryStore();
    const b = await bus(stream, store);
    const r = recorder();
    b.subscribe(0, r.onEvents);
    const first = await b.append(items(0, 300));
    const second = await b.append(items(300, 200));
    expect(stored(first)).toEqual(range(1, 300));
    expect(stored(second)).toEqual(range(301, 500));
    // The append waits for this node's fold: a read right after the answer sees the events.
    expect(r.seqs).toEqual(range(1, 500));
    expect(r.problem()).toBeUndefined();
    // The archive follows the fold.
    await archivedTo(store, 500);
    expect(await store.lastSeq()).toBe(500);
    expect((await store.read(299, 2)).map((e) => e.event.id)).toEqual(['pos-299', 'pos-300']);
  });

  it('archives into SQLite logs on their writer threads, two nodes alike, as nodes with STORE=sqlite do', async () => {
    const stream = freshStream();
    streams.push(stream);
    const harnesses = [sqliteThreadHarness(), sqliteThreadHarness()];
    const stores = await Promise.all(harnesses.map((h) => h.open()));
    try {
      const nodes = [await bus(stream, stores[0]!), await bus(stream, stores[1]!)];
      const seen = nodes.map((n) => {
        const r = recorder();
        n.subscribe(0, r.onEvents);
        return r;
      });
      // Not awaited one by one: the archives reach each writer thread while earlier ones commit.
      await Promise.all([
        nodes[0]!.append(items(0, 400)),
        nodes[1]!.append(items(400, 300)),
        nodes[0]!.append(items(700, 100)),
      ]);
      await until(() => seen.every((r) => r.seqs.length === 800));
      for (const r of seen) {
        expect(r.seqs).toEqual(range(1, 800));
        expect(r.problem()).toBeUndefined();
      }
      expect(seen[0]!.ids).toEqual(seen[1]!.ids);
      for (const store of stores) {
        await archivedTo(store, 800);
        expect(await store.lastSeq()).toBe(800);
        expect((await store.read(0, 800)).map((e) => e.event.id)).toEqual(seen[0]!.ids);
      }
    } finally {
      while (buses.length > 0) await buses.pop()!.close();
      for (const store of stores) await store.close();
      for (const h of harnesses) await h.dispose();
    }
  });

  it('answers a key it already holds as a duplicate with the first seq: in the store, in the batch, or racing', async () => {
    const stream = freshStream();
    streams.push(stream);
    const b = await bus(stream, createMemoryStore());
    await b.append(items(0, 10));
    const again = await b.append([...items(5, 10), ...items(12, 1)]);
    expect(again.map((x) => x.status)).toEqual([
      ...Array(5).fill('duplicate'),
      ...Array(5).fill('stored'),
      'duplicate',
    ]);
    expect(again.slice(0, 5).map((x) => (x.status === 'duplicate' ? x.seq : 0))).toEqual([6, 7, 8, 9, 10]);
    const seqOf13th = again[7]!.status === 'stored' ? again[7]!.stored.seq : -1;
    expect(again[10]).toEqual({ status: 'duplicate', seq: seqOf13th });
    // Two nodes taking the same retry at the same moment: neither finds it in its store, the stream's
    // duplicate window stores it once.
    const other = await bus(stream, createMemoryStore());
    const [a, c] = await Promise.all([b.append(items(100, 50)), other.append(items(100, 50))]);
    const pairs = a.map((x, i) => [x, c[i]!]);
    for (const [x, y] of pairs) {
      const seqs = [x!, y!].map((r) => (r.status === 'stored' ? r.stored.seq : r.seq));
      expect(seqs[0]).toBe(seqs[1]);
      expect([x!.status, y!.status].sort()).toEqual(['duplicate', 'stored']);
    }
  });

  it('two nodes, each with its own store, fold the same log in the same order whichever node took an event', async () => {
    const stream = freshStream();
    streams.push(stream);
    const storeA = createMemoryStore();
    const storeB = createMemoryStore();
    const a = await bus(stream, storeA);
    const b = await bus(stream, storeB);
    const ra = recorder();
    const rb = recorder();
    a.subscribe(0, ra.onEvents);
    b.subscribe(0, rb.onEvents);
    await Promise.all(range(0, 19).map((k) => (k % 2 === 0 ? a : b).append(items(k * 50, 50))));
    await until(() => ra.seqs.length === 1000 && rb.seqs.length === 1000);
    expect(ra.seqs).toEqual(range(1, 1000));
    expect(rb.ids).toEqual(ra.ids);
    expect(new Set(ra.ids).size).toBe(1000);
    await archivedTo(storeA, 1000);
    await archivedTo(storeB, 1000);
    expect(await storeB.read(0, 2000)).toEqual(await storeA.read(0, 2000));
  });

  it('two nodes on one shared store archive idempotently and deliver every event once', async () => {
    const stream = freshStream();
    streams.push(stream);
    const shared = createMemoryStore();
    const a = await bus(stream, shared);
    const b = await bus(stream, shared);
    const ra = recorder();
    const rb = recorder();
    a.subscribe(0, ra.onEvents);
    b.subscribe(0, rb.onEvents);
    await Promise.all([a.append(items(0, 400)), b.append(items(400, 400))]);
    await until(() => ra.seqs.length === 800 && rb.seqs.length === 800);
    expect(ra.seqs).toEqual(range(1, 800));
    expect(rb.seqs).toEqual(range(1, 800));
    await archivedTo(shared, 800);
    expect(await shared.lastSeq()).toBe(800);
  });

  it('a node that starts later catches up from the stream into its empty store', async () => {
    const stream = freshStream();
    streams.push(stream);
    const a = await bus(stream, createMemoryStore());
    await a.append(items(0, 2500));
    const late = createMemoryStore();
    const b = await bus(stream, late);
    const r = recorder();
    b.subscribe(0, r.onEvents);
    await until(() => r.seqs.length === 2500);
    expect(r.seqs).toEqual(range(1, 2500));
    await a.append(items(2500, 10));
    await until(() => r.seqs.length === 2510);
    await archivedTo(late, 2510);
    expect((await late.read(0, 3000)).map((e) => e.seq)).toEqual(range(1, 2510));
  });

  it('refuses a store that holds more than the stream (written by another bus)', async () => {
    const stream = freshStream();
    streams.push(stream);
    const store = createMemoryStore();
    await store.append(items(0, 5));
    await expect(bus(stream, store)).rejects.toThrow(/holds seq 5 but NATS stream .* ends at 0/);
  });

  it('folds on while the archive fails, and the archive catches up once it is back: every seq once, in order', async () => {
    const stream = freshStream();
    streams.push(stream);
    const inner = createMemoryStore();
    let failing = false;
    let failures = 0;
    const flaky: EventStore = {
      ...inner,
      archive: async (events) => {
        if (failing) {
          failures++;
          throw new Error('store down');
        }
        return inner.archive(events);
      },
    };
    const writer = await bus(stream, createMemoryStore());
    const follower = await bus(stream, flaky);
    const r = recorder();
    follower.subscribe(0, r.onEvents);
    await writer.append(items(0, 100));
    await until(() => r.seqs.length === 100);
    await archivedTo(inner, 100);
    failing = true;
    await writer.append(items(100, 100));
    // The fold does not wait for the archive.
    await until(() => r.seqs.length === 200);
    await until(() => failures >= 2);
    expect(await inner.lastSeq()).toBe(100);
    expect(follower.archived).toBe(100);
    failing = false;
    await archivedTo(inner, 200);
    expect((await inner.read(0, 300)).map((e) => e.seq)).toEqual(range(1, 200));
    expect(r.seqs).toEqual(range(1, 200));
    expect(r.problem()).toBeUndefined();
  });
});

describe.skipIf(!available)('JetStream bus: duplicates at any distance, the store off the answer', () => {
  /** A store whose archive() and key look-ups can be held (PostgreSQL paused), and whose archive() can fail. */
  function gatedStore(inner: EventStore) {
    let held: Promise<void> | undefined;
    let release = (): void => {};
    let failing = false;
    const gate = async () => {
      if (held) await held;
    };
    const store: EventStore = {
      ...inner,
      archive: async (events) => {
        await gate();
        if (failing) throw new Error('store down');
        return inner.archive(events);
      },
      seqsOfKeys: async (keys) => {
        await gate();
        return inner.seqsOfKeys(keys);
      },
      scanKeys: (after, size, onBatch) => inner.scanKeys!(after, size, onBatch),
    };
    return {
      store,
      hold: () => {
        held = new Promise<void>((r) => (release = r));
      },
      release: () => {
        held = undefined;
        release();
      },
      fail: (on: boolean) => {
        failing = on;
      },
    };
  }
  const seqOf = (r: AppendResult): number => (r.status === 'stored' ? r.stored.seq : r.seq);
  const pastWindow = () => new Promise((r) => setTimeout(r, 1500));

  it('a subscriber catching up while the archive cannot be read gets the log from the stream, every seq once', async () => {
    const stream = freshStream();
    streams.push(stream);
    const inner = createMemoryStore();
    let unreadable = false;
    const store: EventStore = {
      ...inner,
      read: async (afterSeq, limit) => {
        if (unreadable) throw new Error('timeout exceeded when trying to connect');
        return inner.read(afterSeq, limit);
      },
    };
    const subscriberErrors: unknown[] = [];
    const b = await bus(stream, store, { onSubscriberError: (e) => subscriberErrors.push(e) });
    const live = recorder();
    b.subscribe(0, live.onEvents);
    await b.append(items(0, 300));
    await until(() => live.seqs.length === 300);
    await archivedTo(inner, 300);
    unreadable = true;
    // A late subscriber (the gateway's resume, a projection starting behind) replays from seq 0.
    const late = recorder();
    b.subscribe(0, late.onEvents);
    await until(() => late.seqs.length === 300);
    expect(late.seqs).toEqual(range(1, 300));
    expect(late.ids).toEqual(live.ids);
    expect(late.problem()).toBeUndefined();
    expect(subscriberErrors).toEqual([]);
  });

  it("a retry after the stream's duplicate window answers duplicate with the first seq: unarchived, on another node, archived, on a node started later", async () => {
    const stream = freshStream();
    streams.push(stream);
    const inner = createMemoryStore();
    const gated = gatedStore(inner);
    // A 1 s window, so that "later than the window" takes a second and a half.
    const a = await bus(stream, gated.store, { duplicateWindowMs: 1000 });
    const b = await bus(stream, gated.store, { duplicateWindowMs: 1000 });
    a.subscribe(0, () => {});
    b.subscribe(0, () => {});
    gated.fail(true);
    const first = await a.append(items(0, 5));
    expect(stored(first)).toEqual(range(1, 5));
    await pastWindow();
    // Not archived yet: the fold of each node knows the keys.
    expect(await inner.lastSeq()).toBe(0);
    for (const node of [a, b]) {
      const again = await node.append(items(0, 5));
      expect(again.map((x) => x.status)).toEqual(Array(5).fill('duplicate'));
      expect(again.map(seqOf)).toEqual(range(1, 5));
    }
    // No second copy reached the stream: the next event gets the next seq.
    expect(stored(await b.append(items(5, 1)))).toEqual([6]);

    gated.fail(false);
    await archivedTo(inner, 6);
    await until(() => a.archived >= 6 && b.archived >= 6);
    await pastWindow();
    // Archived: found through the key index and the archive.
    const fromA = await a.append(items(0, 6));
    expect(fromA.map(seqOf)).toEqual(range(1, 6));
    expect(fromA.every((x) => x.status === 'duplicate')).toBe(true);
    // A node that starts where the archive ends, as a restarted node does, has folded none of them.
    const c = await bus(stream, gated.store, { duplicateWindowMs: 1000 });
    c.subscribe(6, () => {});
    await until(() => c.indexed());
    const fromC = await c.append([...items(0, 6), ...items(6, 1)]);
    expect(fromC.map((x) => x.status)).toEqual([...Array(6).fill('duplicate'), 'stored']);
    expect(fromC.map(seqOf)).toEqual(range(1, 7));
  });

  it('fails an append the stream refuses or that nothing takes, at once and with the reason, never a false success', async () => {
    const stream = freshStream();
    streams.push(stream);
    // A stream made beforehand with a small message size: the bus keeps an existing stream as it is.
    const nc = await connect({ servers: NATS_URL });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [streamSubject(stream)], max_msg_size: 400 });
    const store = createMemoryStore();
    // A publish timeout far beyond the test's: each failure must be the server's answer, not a wait for it.
    const b = await bus(stream, store, { publishTimeoutMs: 600_000 });
    const small = await b.append(items(0, 3));
    expect(stored(small)).toEqual([1, 2, 3]);
    const big = items(3, 2);
    big[1]!.event = { ...big[1]!.event, id: `${big[1]!.event.id}-${'x'.repeat(500)}` };
    await expect(b.append(big)).rejects.toThrow(/JetStream refused the publish: .*size/i);
    // The stream gone: the server answers "no responders" for the subject.
    await jsm.streams.delete(stream);
    await nc.close();
    await expect(b.append(items(10, 2))).rejects.toThrow(/no stream takes/);
  });

  it('answers new events while the store hangs (the PubAck is the answer), and a retry of one of them is still a duplicate', async () => {
    const stream = freshStream();
    streams.push(stream);
    const inner = createMemoryStore();
    const gated = gatedStore(inner);
    const a = await bus(stream, gated.store, { duplicateWindowMs: 1000 });
    const r = recorder();
    a.subscribe(0, r.onEvents);
    await a.append(items(0, 10));
    await until(() => a.indexed());
    await archivedTo(inner, 10);

    gated.hold();
    const during = await a.append(items(10, 10));
    expect(stored(during)).toEqual(range(11, 20));
    // Folded at once (the append waited for the fold, not for the archive).
    expect(r.seqs).toEqual(range(1, 20));
    await pastWindow();
    const retry = await a.append(items(10, 10));
    expect(retry.map(seqOf)).toEqual(range(11, 20));
    expect(retry.every((x) => x.status === 'duplicate')).toBe(true);
    expect(await inner.lastSeq()).toBe(10);

    gated.release();
    await archivedTo(inner, 20);
    expect((await inner.read(0, 100)).map((e) => e.event.id)).toEqual(range(0, 19).map((i) => `pos-${i}`));
  });

  it('one node at a time archives a shared store (the lease), and another takes over when it goes', async () => {
    const stream = freshStream();
    streams.push(stream);
    const inner = createMemoryStore();
    const archivedBy: string[] = [];
    // The lease as the PostgreSQL store keeps it: held by one holder until it lets go.
    let holder: string | undefined;
    const node = (name: string): EventStore => ({
      ...inner,
      archiveLease: async () => {
        holder ??= name;
        return holder === name;
      },
      archive: async (events) => {
        archivedBy.push(name);
        return inner.archive(events);
      },
    });
    const a = await bus(stream, node('a'));
    const b = await bus(stream, node('b'));
    a.subscribe(0, () => {});
    b.subscribe(0, () => {});
    await Promise.all([a.append(items(0, 300)), b.append(items(300, 300))]);
    await archivedTo(inner, 600);
    expect(new Set(archivedBy)).toEqual(new Set([holder]));
    expect([a, b].filter((x) => x.archiving()).length).toBe(1);
    const [gone, left] = holder === 'a' ? [a, b] : [b, a];
    await gone.close();
    buses.splice(buses.indexOf(gone), 1);
    holder = undefined;
    await left.append(items(600, 100));
    await archivedTo(inner, 700);
    expect(left.archiving()).toBe(true);
    expect((await inner.read(0, 1000)).map((e) => e.seq)).toEqual(range(1, 700));
  });
});

describe.skipIf(!available)('JetStream bus across a NATS crash and restart', () => {
  let nats: PrivateNats;
  beforeAll(async () => {
    nats = await privateNats();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('fails appends while NATS is down (never a false success) and carries on by itself when it is back', async () => {
    const stream = freshStream();
    const storeA = createMemoryStore();
    const storeB = createMemoryStore();
    const opts = { url: nats.url, onFollowError: () => {}, publishTimeoutMs: 1500 };
    const a = await createJetStreamBus({ ...opts, stream, store: storeA });
    const b = await createJetStreamBus({ ...opts, stream, store: storeB });
    buses.push(a, b);
    const rb = recorder();
    b.subscribe(0, rb.onEvents);
    await a.append(items(0, 100));
    await nats.stop();
    const started = Date.now();
    await expect(a.append(items(100, 10))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(a.connected()).toBe(false);
    await nats.start();
    // Reconnects by itself; the producer's retry of the failed batch is stored once.
    await until(async () => {
      try {
        await a.append(items(100, 10));
        return true;
      } catch {
        return false;
      }
    }, 20_000);
    await a.append(items(110, 90));
    await until(() => rb.seqs.length === 200, 20_000);
    expect(rb.seqs).toEqual(range(1, 200));
    expect(rb.ids).toEqual(range(0, 199).map((i) => `pos-${i}`));
    expect(a.connected()).toBe(true);
  });
});
