// Publishing a batch of events to the stream and collecting their PubAcks (jetstream.ts). A JetStream publish is a
// NATS request on the stream's subject: the server answers on the reply subject with the PubAck ({stream, seq,
// duplicate}) once the message is in the stream. nats.js's js.publish() does one request per message, and each
// request costs a timer, a promise race, a random token and two or three Error objects made up front for their
// stack traces: measured, more node CPU than the fold of the event (docs/BENCHMARKS.md, "Several nodes: fold from
// the stream"). Here one subscription on this node's own inbox takes every PubAck, a batch has one timer, and a
// message costs its headers and its bytes. The guarantees are the same: each message is answered by the server
// (or the batch fails), in the order the connection sent them.
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';

/** The server's answer to one message: its seq in the stream, or the seq of the first copy of its Nats-Msg-Id. */
export interface PubAck {
  seq: number;
  duplicate: boolean;
}

export interface OutgoingMessage {
  /** The message body (an event record as JSON). */
  data: string;
  /** Nats-Msg-Id: the server drops a repeat inside its duplicate window and answers with the first copy's seq. */
  msgId: string;
}

export interface StreamPublisher {
  /**
   * Publishes the messages in order on one connection and resolves with their PubAcks in the same order; rejects
   * when any is refused, or when not all are answered within the timeout (the stream may hold some of them then:
   * a retry finds those as duplicates).
   */
  publish(messages: readonly OutgoingMessage[]): Promise<PubAck[]>;
  close(): void;
}

interface PendingBatch {
  acks: PubAck[];
  remaining: number;
  resolve(acks: PubAck[]): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** A PubAck's body, or the JetStream API error that takes its place. */
interface PubAckBody {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code?: number; err_code?: number; description?: string };
}

export function createStreamPublisher(nc: NatsConnection, subject: string, timeoutMs: number): StreamPublisher {
  const inbox = createInbox();
  const batches = new Map<number, PendingBatch>();
  let nextBatch = 1;

  const fail = (id: number, error: Error): void => {
    const b = batches.get(id);
    if (!b) return;
    batches.delete(id);
    clearTimeout(b.timer);
    b.reject(error);
  };

  /** Reply subjects are `<inbox>.<batch>.<index>`. */
  const onReply = (error: Error | null, m: Msg): void => {
    if (error) return;
    const at = m.subject.lastIndexOf('.');
    const id = Number(m.subject.slice(m.subject.lastIndexOf('.', at - 1) + 1, at));
    const index = Number(m.subject.slice(at + 1));
    const b = batches.get(id);
    if (!b || b.acks[index] !== undefined) return;
    // An empty message with status 503: nothing listens on the subject (no stream, or JetStream is down).
    if (m.data.length === 0) {
      const status = m.headers?.code ?? 0;
      fail(id, new Error(`NATS answered the publish with status ${status}: no stream takes ${subject}`));
      return;
    }
    let body: PubAckBody;
    try {
      body = JSON.parse(m.string()) as PubAckBody;
    } catch {
      fail(id, new Error('NATS answered the publish with something that is not a PubAck'));
      return;
    }
    if (body.error || typeof body.seq !== 'number' || !body.stream) {
      const e = body.error;
      fail(
        id,
        new Error(`JetStream refused the publish: ${e?.description ?? 'no seq in the PubAck'} (${e?.code ?? '?'})`),
      );
      return;
    }
    b.acks[index] = { seq: body.seq, duplicate: body.duplicate === true };
    if (--b.remaining === 0) {
      batches.delete(id);
      clearTimeout(b.timer);
      b.resolve(b.acks);
    }
  };
  const sub: Subscription = nc.subscribe(`${inbox}.>`, { callback: onReply });

  return {
    publish(messages) {
      if (messages.length === 0) return Promise.resolve([]);
      const id = nextBatch++;
      return new Promise<PubAck[]>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            fail(
              id,
              new Error(
                `NATS did not acknowledge the publish within ${timeoutMs} ms (${batches.get(id)?.remaining} of ${messages.length} unanswered)`,
              ),
            ),
          timeoutMs,
        );
        batches.set(id, {
          acks: new Array<PubAck>(messages.length),
          remaining: messages.length,
          resolve,
          reject,
          timer,
        });
        try {
          for (let i = 0; i < messages.length; i++) {
            const h = headers();
            h.set('Nats-Msg-Id', messages[i]!.msgId);
            nc.publish(subject, messages[i]!.data, { reply: `${inbox}.${id}.${i}`, headers: h });
          }
        } catch (error) {
          fail(id, error instanceof Error ? error : new Error(String(error)));
        }
      });
    },
    close() {
      sub.unsubscribe();
      for (const id of [...batches.keys()]) fail(id, new Error('the event bus is closed'));
    },
  };
}
