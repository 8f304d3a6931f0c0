// The EventBus over NATS JetStream: one durable stream is the global, ordered log of every node. Why JetStream
// and not Redis Streams: docs/scaling.md. The stream's own sequence (gap-free, assigned by the server in the
// order it persists) is the event's seq on every node; the EventStore becomes the node's archive of the stream
// (shared PostgreSQL, or each node's own SQLite file), written by store.archive() in stream order.
//
//   append:  key already in the store? → duplicate;  otherwise publish with Nats-Msg-Id = the event key, and the
//            PubAck (the stream has it on disk) is the durable answer; the server's duplicate window catches a
//            retry that races its first copy to the store.
//   follow:  one ordered consumer per node reads the stream from the store's last seq → store.archive() →
//            the local fan-out (fanout.ts) hands the archived events to this process's subscribers.
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
} from '@nats-io/jetstream';
import type { LogEvent, Place, StoredEvent } from '../contract/events';
import { eventKey, type AppendItem, type AppendResult, type EventStore } from '../store/types';
import { createFanout, rethrowLater } from './fanout';
import type { EventBus } from './types';

export interface JetStreamBusOptions {
  /** nats://host:port, or several separated by commas (a NATS cluster). */
  url: string;
  /** Stream name; every node of one deployment uses the same one. */
  stream: string;
  /** The node's archive of the stream. */
  store: EventStore;
  /**
   * How long the server remembers a published event key (Nats-Msg-Id): a retry within it is answered as a
   * duplicate even before the first copy reaches the store. Must exceed the archive's lag by far.
   */
  duplicateWindowMs?: number;
  /** How long an append waits for the server's PubAck before it fails (and the producer gets a 503). */
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
  /** The last seq this node archived and delivered. */
  readonly followed: number;
}

/** Subject of a stream's events; one subject, so one total order. */
export const streamSubject = (stream: string): string => `opsmap.${stream.toLowerCase()}.events`;

/** The wire form of an event on the stream; its seq is the stream's. */
interface StreamRecord {
  receivedAt: string;
  event: LogEvent;
  place?: Place;
}

/** Events archived and delivered at once while the consumer catches up; live, a batch ends when nothing is pending. */
const FOLLOW_BATCH = 1000;
/** The longest an event waits for its batch to fill before it is archived and folded. */
const FOLLOW_LINGER_MS = 20;
const RETRY_MS = 500;
/** Pull requests last this long; the server's heartbeats come at half of it, so a lost consumer shows in seconds. */
const FOLLOW_EXPIRES_MS = 5000;

// The event key holds a NUL (source NUL id), which a NATS header cannot carry; base64url keeps it exact.
const msgId = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function createJetStreamBus(options: JetStreamBusOptions): Promise<JetStreamBus> {
  const { store, stream } = options;
  const subject = streamSubject(stream);
  const publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  const localWaitMs = options.localWaitMs ?? 5000;
  const onFollowError = options.onFollowError ?? (() => {});
  const fanout = createFanout(store, options.onSubscriberError ?? rethrowLater);

  const nc: NatsConnection = await connect({
    servers: options.url.split(',').map((s) => s.trim()),
    name: 'opsmap',
    // Never give up: a node outlives a NATS restart and carries on by itself when it returns.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
  });
  let isConnected = true;
  // Set once the consumer exists; a reconnect restarts it from the last archived seq.
  let restartConsumer = (): void => {};
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') isConnected = false;
      else if (s.type === 'reconnect') {
        isConnected = true;
        // After a NATS restart the server no longer knows this node's consumer; waiting for the library to
        // notice missed heartbeats takes up to a minute, so start a new one from where the archive stands.
        restartConsumer();
      }
    }
  })().catch(() => undefined);

  const jsm = await jetstreamManager(nc);
  const duplicateWindowNs = (options.duplicateWindowMs ?? 10 * 60_000) * 1_000_000;
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
      duplicate_window: duplicateWindowNs,
    });
  }
  const js: JetStreamClient = jetstream(nc, { timeout: publishTimeoutMs });

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

  let closed = false;
  let followed = archived;
  let messages: ConsumerMessages | undefined;
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

  const toStored = (m: JsMsg): StoredEvent => {
    const record = m.json<StreamRecord>();
    const stored: StoredEvent = { seq: m.seq, receivedAt: record.receivedAt, event: record.event };
    if (record.place !== undefined) stored.place = record.place;
    return stored;
  };

  /** Archives a batch until it succeeds (the store may be down for a while), then delivers what the log holds. */
  const archiveAndDeliver = async (batch: StoredEvent[]): Promise<void> => {
    for (;;) {
      try {
        const held = await store.archive(batch);
        followed = batch[batch.length - 1]!.seq;
        fanout.publish(held);
        wakeWaiters();
        return;
      } catch (error) {
        if (closed) return;
        onFollowError(error);
        await sleep(RETRY_MS);
      }
    }
  };

  // One ordered consumer from the archive's end. It recreates itself from its last delivered seq after a
  // reconnect or a missed heartbeat, so it neither skips nor repeats; the loop only restarts it if it ends.
  const follow = async (): Promise<void> => {
    while (!closed) {
      try {
        const consumer = await js.consumers.get(stream, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: followed + 1,
        });
        messages = await consumer.consume({ max_messages: FOLLOW_BATCH, expires: FOLLOW_EXPIRES_MS });
        const current = messages;
        restartConsumer = () => void current.close().catch(() => undefined);
        let batch: StoredEvent[] = [];
        let batchStarted = 0;
        for await (const m of messages) {
          if (m.seq <= followed) continue;
          if (batch.length === 0) batchStarted = performance.now();
          batch.push(toStored(m));
          // A batch ends when the stream has nothing more for now, when it is full, or when its first event has
          // waited FOLLOW_LINGER_MS: under steady ingest "nothing more" never comes, and waiting for a full batch
          // would hold each event for up to a second at 1,000 events/s.
          // Awaiting here holds the consumer back while the archive is slow or down: backpressure, not memory.
          if (
            batch.length >= FOLLOW_BATCH ||
            m.info.pending === 0 ||
            performance.now() - batchStarted >= FOLLOW_LINGER_MS
          ) {
            await archiveAndDeliver(batch);
            batch = [];
          }
        }
        if (batch.length > 0) await archiveAndDeliver(batch);
      } catch (error) {
        if (closed) return;
        onFollowError(error);
        await sleep(RETRY_MS);
      }
    }
  };
  const following = follow();

  return {
    connected: () => isConnected && !nc.isClosed(),
    get followed() {
      return followed;
    },

    async append(items: AppendItem[]): Promise<AppendResult[]> {
      if (closed) throw new Error('the event bus is closed');
      if (items.length === 0) return [];
      const keys = items.map((item) => eventKey(item.event));
      const held = await store.seqsOfKeys([...new Set(keys)]);
      const results: AppendResult[] = new Array<AppendResult>(items.length);
      // Later copies of a key within the batch answer with the first copy's seq, once it is known.
      const firstIndex = new Map<string, number>();
      const published: Promise<void>[] = [];
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
        // One connection keeps publish order, so the stream orders a batch as the producer sent it.
        published.push(
          js.publish(subject, JSON.stringify(record), { msgID: msgId(key), timeout: publishTimeoutMs }).then((ack) => {
            if (ack.duplicate) results[i] = { status: 'duplicate', seq: ack.seq };
            else {
              const stored: StoredEvent = { seq: ack.seq, receivedAt: item.receivedAt, event: item.event };
              if (item.place !== undefined) stored.place = item.place;
              results[i] = { status: 'stored', stored };
            }
          }),
        );
      });
      // Any failure fails the request (a 503): the events that did reach the stream are duplicates on a retry.
      await Promise.all(published);
      items.forEach((_item, i) => {
        if (results[i] !== undefined) return;
        const first = results[firstIndex.get(keys[i]!)!]!;
        results[i] = { status: 'duplicate', seq: first.status === 'stored' ? first.stored.seq : first.seq };
      });
      let last = 0;
      for (const r of results) if (r.status === 'stored') last = Math.max(last, r.stored.seq);
      await waitFollowed(last);
      return results;
    },

    subscribe(fromSeq, onEvents) {
      if (closed) throw new Error('the event bus is closed');
      return fanout.subscribe(fromSeq, onEvents);
    },

    async close() {
      if (closed) return;
      closed = true;
      try {
        await messages?.close();
      } catch {
        // already closed by the connection
      }
      await nc.drain().catch(() => nc.close());
      await following.catch(() => undefined);
      for (const w of waiters.splice(0)) w.resolve();
      fanout.close();
    },
  };
}
