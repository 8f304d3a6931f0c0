// Reading the JetStream stream: the one ordered consumer a node folds from (batched as it comes), and short reads
// of a range of seqs for a subscriber catching up or for the archiver (jetstream.ts).
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import type { LogEvent, Place, StoredEvent } from '../contract/events';

/** The wire form of an event on the stream; its seq is the stream's. */
export interface StreamRecord {
  receivedAt: string;
  event: LogEvent;
  place?: Place;
}

/** Events folded at once while the consumer catches up; live, a batch ends when nothing is pending. */
const FOLLOW_BATCH = 1000;
/** The longest an event waits for its batch to fill before it is folded. */
const FOLLOW_LINGER_MS = 20;
const RETRY_MS = 500;
/** Pull requests last this long; the server's heartbeats come at half of it, so a lost consumer shows in seconds. */
export const FOLLOW_EXPIRES_MS = 5000;

export const toStored = (m: JsMsg): StoredEvent => {
  const record = m.json<StreamRecord>();
  const stored: StoredEvent = { seq: m.seq, receivedAt: record.receivedAt, event: record.event };
  if (record.place !== undefined) stored.place = record.place;
  return stored;
};

/** Stream messages with afterSeq < seq ≤ upTo, at most `limit`, in order, through a consumer of their own. */
export async function readStream(
  js: JetStreamClient,
  stream: string,
  afterSeq: number,
  upTo: number,
  limit: number,
): Promise<StoredEvent[]> {
  const want = Math.min(limit, upTo - afterSeq);
  if (want <= 0) return [];
  const consumer = await js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: afterSeq + 1,
  });
  const out: StoredEvent[] = [];
  const batch = await consumer.fetch({ max_messages: want, expires: FOLLOW_EXPIRES_MS });
  for await (const m of batch) {
    out.push(toStored(m));
    if (m.seq >= upTo || out.length >= want) break;
  }
  await batch.close().catch(() => undefined);
  return out;
}

export interface FollowOptions {
  js: JetStreamClient;
  stream: string;
  /** The last seq handled: the consumer (re)starts after it. */
  position(): number;
  /** A batch in seq order, after `position()`; `publishedMs`: the server's time of its last message. */
  onBatch(batch: StoredEvent[], publishedMs: number): void;
  onError(error: unknown): void;
  closed(): boolean;
  /** The consumer's messages now: closing them makes the loop start a new consumer from position(). */
  onConsumer(messages: ConsumerMessages): void;
}

/**
 * One ordered consumer from position(). It recreates itself from its last delivered seq after a reconnect or a
 * missed heartbeat, so it neither skips nor repeats; the loop only restarts it if it ends.
 */
export async function followStream(o: FollowOptions): Promise<void> {
  while (!o.closed()) {
    try {
      const consumer = await o.js.consumers.get(o.stream, {
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: o.position() + 1,
      });
      const messages = await consumer.consume({ max_messages: FOLLOW_BATCH, expires: FOLLOW_EXPIRES_MS });
      o.onConsumer(messages);
      let batch: StoredEvent[] = [];
      let batchStarted = 0;
      let publishedMs = -Infinity;
      for await (const m of messages) {
        if (m.seq <= o.position() || (batch.length > 0 && m.seq <= batch[batch.length - 1]!.seq)) continue;
        if (batch.length === 0) batchStarted = performance.now();
        batch.push(toStored(m));
        publishedMs = m.info.timestampNanos / 1e6;
        // A batch ends when the stream has nothing more for now, when it is full, or when its first event has
        // waited FOLLOW_LINGER_MS: under steady ingest "nothing more" never comes, and waiting for a full batch
        // would hold each event for up to a second at 1,000 events/s.
        if (
          batch.length >= FOLLOW_BATCH ||
          m.info.pending === 0 ||
          performance.now() - batchStarted >= FOLLOW_LINGER_MS
        ) {
          o.onBatch(batch, publishedMs);
          batch = [];
        }
      }
      if (batch.length > 0) o.onBatch(batch, publishedMs);
    } catch (error) {
      if (o.closed()) return;
      o.onError(error);
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}
