// The EventBus over NATS JetStream: one durable stream is the global, ordered log of every node. Why JetStream
// and not Redis Streams: docs/scaling.md. The stream's own sequence (gap-free, assigned by the server in the
// order it persists) is the event's seq on every node, and the stream is the truth: each node folds it as it
// comes, and the EventStore is the log's archive (shared PostgreSQL, or each node's own SQLite file), written
// behind the fold by one node at a time (archiver.ts).
//
//   append:  key already held (duplicates.ts: folded, or archived, however long ago)? → duplicate; otherwise
//            publish with Nats-Msg-Id = the event key (publisher.ts: the batch at once, its PubAcks on one
//            inbox); the PubAck (the stream has it on disk) is the durable answer, and the server's duplicate
//            window catches a retry racing its first copy on another node.
//   follow:  one ordered consumer per node reads the stream from where the node's fold stands → the local
//            fan-out (fanout.ts) hands the events to this process's subscribers; an append waits for its own
//            node's fold of it (not for the archive), so a read after the 2xx sees it.
//   archive: the lease holder copies the folded stream into the store in seq order (archiver.ts).
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
} from '@nats-io/jetstream';
import type { StoredEvent } from '../contract/events';
import { eventKey, type AppendItem, type AppendResult, type EventStore } from '../store/types';
import { createArchiver } from './archiver';
import { createDuplicateCheck } from './duplicates';
import { createFanout, rethrowLater } from './fanout';
import { createFoldedTail } from './folded-tail';
import { createStreamPublisher, type OutgoingMessage } from './publisher';
import { followStream, readStream, type StreamRecord } from './stream-follow';
import type { EventBus } from './types';

export interface JetStreamBusOptions {
  /** nats://host:port, or several separated by commas (a NATS cluster). */
  url: string;
  /** Stream name; every node of one deployment uses the same one. */
  stream: string;
  /** The node's archive of the stream. */
  store: EventStore;
  /**
   * The duplicate window of a stream this bus creates (an existing stream keeps its own): how long the server
   * remembers a published event key (Nats-Msg-Id). Past it, duplicates are found by the fold and the archive.
   */
  duplicateWindowMs?: number;
  /** How long an append waits for the PubAcks of its batch before it fails (and the producer gets a 503). */
  publishTimeoutMs?: number;
  /** An append also waits (at most this long) for this node to have folded it, so a read after a 2xx sees it. */
  localWaitMs?: number;
  onSubscriberError?: (error: unknown) => void;
  /** Told when the consumer or the archive fails; it retries by itself. */
  onFollowError?: (error: unknown) => void;
}

export interface JetStreamBus extends EventBus {
  /** Connected to NATS now (false while it reconnects). */
  connected(): boolean;
  /** The last seq this node folded (delivered to its subscribers). */
  readonly followed: number;
  /** The archive's last seq as this node last saw it. */
  readonly archived: number;
  /** This node holds the archive lease now. */
  archiving(): boolean;
  /** New keys are told from retries without asking the archive (the key index is loaded). */
  indexed(): boolean;
}

/** Subject of a stream's events; one subject, so one total order. */
export const streamSubject = (stream: string): string => `opsmap.${stream.toLowerCase()}.events`;

/** Folded events kept for the archiver, so that it rarely reads the stream again; past this it does. */
const TAIL_LIMIT = 20_000;

// The event key holds a NUL (source NUL id), which a NATS header cannot carry; base64url keeps it exact.
const msgId = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

export async function createJetStreamBus(options: JetStreamBusOptions): Promise<JetStreamBus> {
  const { store, stream } = options;
  const subject = streamSubject(stream);
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const localWaitMs = options.localWaitMs ?? 5000;
  const onFollowError = options.onFollowError ?? (() => {});

  const nc: NatsConnection = await connect({
    servers: options.url.split(',').map((s) => s.trim()),
    name: 'opsmap',
    // Never give up: a node outlives a NATS restart and carries on by itself when it returns.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
  });
  let isConnected = true;
  // Set once the consumer exists; a reconnect restarts it from the last folded seq.
  let restartConsumer = (): void => {};
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') isConnected = false;
      else if (s.type === 'reconnect') {
        isConnected = true;
        // After a NATS restart the server no longer knows this node's consumer; waiting for the library to
        // notice missed heartbeats takes up to a minute, so start a new one from where the fold stands.
        restartConsumer();
      }
    }
  })().catch(() => undefined);

  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(stream);
  } catch {
    // File storage: a PubAck means the server has the event on disk; limits retention keeps every event
    // (no age or count limit) because a node that starts later, or a replay, reads the log from seq 1.
    await jsm.streams.add({
      name: stream,
      subjects: [subject],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_msgs: -1,
      max_age: 0,
      duplicate_window: (options.duplicateWindowMs ?? 10 * 60_000) * 1_000_000,
    });
  }
  const js: JetStreamClient = jetstream(nc, { timeout: publishTimeoutMs });
  const publisher = createStreamPublisher(nc, subject, publishTimeoutMs);

  // The archive may only follow the stream: a log that holds more than the stream (a node that ran on its own
  // bus before) would have seqs the stream gives to other events.
  const [archived, streamInfo] = await Promise.all([store.lastSeq(), jsm.streams.info(stream)]);
  if (archived > streamInfo.state.last_seq) {
    await nc.close();
    throw new Error(
      `the event store holds seq ${archived} but NATS stream ${stream} ends at ${streamInfo.state.last_seq}: ` +
        'this store was written by another bus; start from an empty store (or a new stream name) for BUS=nats',
    );
  }
  // The stream's own window, whoever created it: what the server catches by itself.
  const windowMs = streamInfo.config.duplicate_window / 1_000_000;

  let closed = false;
  let followed = archived;
  let following: Promise<void> | undefined;
  let messages: ConsumerMessages | undefined;
  // Until this time (epoch ms) every message the stream had was folded here: the retry of anything published
  // before it is found by the fold or the archive, anything after it by the server's window (see fresh()).
  let foldedUntilMs = -Infinity;
  // Seqs of second copies that reached the stream: folded by no node; left out of replays too.
  const skipped = new Set<number>();
  const duplicates = createDuplicateCheck(store, onFollowError);
  const fanout = createFanout(
    { read: (afterSeq, limit) => readLog(afterSeq, limit) },
    options.onSubscriberError ?? rethrowLater,
  );
  // Folded events the archive may not hold yet, in seq order, for the archiver.
  const tail = createFoldedTail(TAIL_LIMIT);

  const waiters: { seq: number; resolve: () => void }[] = [];
  const wakeWaiters = (): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.seq <= followed) waiters.splice(i, 1)[0]!.resolve();
    }
  };
  const waitFollowed = (seq: number): Promise<void> => {
    if (seq <= followed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const w = { seq, resolve };
      waiters.push(w);
      setTimeout(() => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      }, localWaitMs).unref();
    });
  };

  /** The log after afterSeq for a subscriber catching up: the archive, then the stream up to this node's fold. */
  const readLog = async (afterSeq: number, limit: number): Promise<StoredEvent[]> => {
    const upTo = followed;
    let fromStore: StoredEvent[];
    try {
      fromStore = await store.read(afterSeq, limit);
    } catch (error) {
      // The archive is out of reach (PostgreSQL down or slow): the stream holds the whole log as well, so a
      // subscriber catching up reads it there; failing would stop that subscriber for good (fanout.ts). Second
      // copies this node never folded (older than its keyframe) are not known here; the fold drops them anyway.
      onFollowError(error);
      fromStore = [];
    }
    const last = fromStore.length === 0 ? afterSeq : fromStore[fromStore.length - 1]!.seq;
    if (fromStore.length >= limit || last >= upTo) return fromStore;
    const fromStream = (await readStream(js, stream, last, upTo, limit - fromStore.length)).filter(
      (e) => !skipped.has(e.seq),
    );
    return fromStore.concat(fromStream);
  };

  const archiver = createArchiver(
    {
      store,
      read: async (afterSeq, limit) => {
        // Only what this node has folded: the archive never runs ahead of the fold.
        return tail.after(afterSeq, limit) ?? readStream(js, stream, afterSeq, followed, limit);
      },
      onMark: (mark) => {
        duplicates.archivedUpTo(mark);
        tail.dropUpTo(mark);
      },
      onError: onFollowError,
    },
    archived,
  );

  /** Hands a batch of stream messages to the fold, leaving out second copies of a key the same way everywhere. */
  const deliver = (batch: StoredEvent[], publishedMs: number): void => {
    const fresh: StoredEvent[] = [];
    for (const e of batch) {
      if (duplicates.folded(eventKey(e.event), e.seq)) fresh.push(e);
      else skipped.add(e.seq);
    }
    tail.push(batch);
    followed = batch[batch.length - 1]!.seq;
    foldedUntilMs = Math.max(foldedUntilMs, publishedMs);
    fanout.publish(fresh);
    wakeWaiters();
    archiver.wake();
  };

  /** The fold starts where its first subscriber asks (or at the archive's end); the key index loads after it. */
  const startFollowing = (fromSeq: number): void => {
    if (following) return;
    followed = fromSeq;
    following = followStream({
      js,
      stream,
      position: () => followed,
      onBatch: deliver,
      onError: onFollowError,
      closed: () => closed,
      onConsumer: (current) => {
        messages = current;
        restartConsumer = () => void current.close().catch(() => undefined);
      },
    });
    duplicates.load();
  };

  /**
   * A key this node has not folded is caught by the server's window only if its first copy was published less
   * than the window ago; so before answering "new", the fold must have seen everything older than that. Normally
   * it has (it lags by milliseconds); after a stall, the append waits for it to catch up, or fails (503).
   */
  const fresh = async (): Promise<void> => {
    if (Date.now() - foldedUntilMs < windowMs / 2) return;
    const asked = Date.now();
    const head = (await jsm.streams.info(stream)).state.last_seq;
    await waitFollowed(head);
    if (followed < head)
      throw new Error('this node has not folded the stream far enough to tell a retry from a new event; retry');
    foldedUntilMs = Math.max(foldedUntilMs, asked - 1000);
  };

  return {
    connected: () => isConnected && !nc.isClosed(),
    get followed() {
      return followed;
    },
    get archived() {
      return archiver.mark;
    },
    archiving: () => archiver.leased,
    indexed: () => duplicates.indexed,

    async append(items: AppendItem[]): Promise<AppendResult[]> {
      if (closed) throw new Error('the event bus is closed');
      if (items.length === 0) return [];
      startFollowing(archived);
      await fresh();
      const keys = items.map((item) => eventKey(item.event));
      const held = await duplicates.held([...new Set(keys)]);
      const results: AppendResult[] = new Array<AppendResult>(items.length);
      // Later copies of a key within the batch answer with the first copy's seq, once it is known.
      const firstIndex = new Map<string, number>();
      const outgoing: OutgoingMessage[] = [];
      const positions: number[] = [];
      items.forEach((item, i) => {
        const key = keys[i]!;
        const seq = held.get(key);
        if (seq !== undefined) {
          results[i] = { status: 'duplicate', seq };
          return;
        }
        if (firstIndex.has(key)) return;
        firstIndex.set(key, i);
        const record: StreamRecord =
          item.place === undefined
            ? { receivedAt: item.receivedAt, event: item.event }
            : { receivedAt: item.receivedAt, event: item.event, place: item.place };
        outgoing.push({ data: JSON.stringify(record), msgId: msgId(key) });
        positions.push(i);
      });
      // One connection keeps publish order, so the stream orders a batch as the producer sent it. Any failure
      // fails the request (a 503): the events that did reach the stream are duplicates on a retry.
      const acks = await publisher.publish(outgoing);
      acks.forEach((ack, k) => {
        const i = positions[k]!;
        const item = items[i]!;
        if (ack.duplicate) results[i] = { status: 'duplicate', seq: ack.seq };
        else {
          const stored: StoredEvent = { seq: ack.seq, receivedAt: item.receivedAt, event: item.event };
          if (item.place !== undefined) stored.place = item.place;
          results[i] = { status: 'stored', stored };
        }
      });
      items.forEach((_item, i) => {
        if (results[i] !== undefined) return;
        const first = results[firstIndex.get(keys[i]!)!]!;
        results[i] = { status: 'duplicate', seq: first.status === 'stored' ? first.stored.seq : first.seq };
      });
      let last = 0;
      for (const r of results) if (r.status === 'stored') last = Math.max(last, r.stored.seq);
      // Durable already (the PubAck); this wait is for read-your-writes on this node, and ends by itself.
      await waitFollowed(last);
      return results;
    },

    subscribe(fromSeq, onEvents) {
      if (closed) throw new Error('the event bus is closed');
      // The consumer delivers nothing before this subscription is registered (it starts asynchronously).
      startFollowing(Math.max(0, Math.floor(fromSeq)));
      return fanout.subscribe(fromSeq, onEvents);
    },

    async close() {
      if (closed) return;
      closed = true;
      duplicates.close();
      try {
        await messages?.close();
      } catch {
        // already closed by the connection
      }
      await archiver.close();
      publisher.close();
      await nc.drain().catch(() => nc.close());
      await following?.catch(() => undefined);
      for (const w of waiters.splice(0)) w.resolve();
      fanout.close();
    },
  };
}
