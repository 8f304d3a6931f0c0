// MQTT ingest for sensors and trackers (docs/INGEST.md, "MQTT"): subscribes with QoS 1 to
//   <prefix>/checkpoints/<checkpointId>/readings   flood.reading events of that checkpoint
//   <prefix>/devices/<deviceId>/positions          patrol.position events of that device
//   <prefix>/events                                any event kind
// and sends every item through the same accept() pipeline as REST.
//
// Delivery: a message is acknowledged (PUBACK) only once its accepted items are durable and its bad items are
// on the dead-letter topic, so a crash at any point makes the broker deliver it again; idempotency by
// (source, id) makes the second delivery harmless. MQTT.js sends the PUBACK when handleMessage's callback is
// called, and handles the packets of a connection one after another until then, so a message we cannot store
// yet (the log is down) holds back the whole subscription instead of being skipped. The session is persistent
// (clean: false, a fixed client id) so that what was not acknowledged is redelivered after a reconnect.
import { hostname } from 'node:os';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { validateEvent } from '../contract/events';
import type { FieldError } from '../contract/validate';
import type { Metrics } from '../ops/metrics';
import type { Acceptor, AcceptSummary, ItemResult } from './accept';

export const DEFAULT_TOPIC_PREFIX = 'opsmap';
/** Larger payloads are dead-lettered unread: no sensor sends a megabyte, and parsing one would stall the rest. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** How much of the original payload a dead letter carries, so that one bad message cannot flood the topic. */
export const DEAD_LETTER_PAYLOAD_BYTES = 64 * 1024;
/** Same bound as a REST batch (routes/ingest.ts MAX_BATCH). */
export const MAX_ITEMS = 10_000;
/** A dead letter names at most this many bad items (the count of the others is given). */
const MAX_REASONS = 100;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;
/** How long start waits for the first subscription before going on and retrying in the background. */
const START_WAIT_MS = 5000;

/** size, json, shape: the payload as a whole; topic, rejected: one item; error: the server failed on it (a bug). */
export type DeadLetterKind = 'size' | 'json' | 'shape' | 'topic' | 'rejected' | 'error';

export interface DeadLetterReason {
  /** Position of the item in the payload (0 for a single object); null when the payload as a whole is unreadable. */
  index: number | null;
  kind: DeadLetterKind;
  errors: FieldError[];
}

/** What is published on `<prefix>/dead-letter`. */
export interface DeadLetter {
  topic: string;
  receivedAt: string;
  reasons: DeadLetterReason[];
  /** Bad items beyond the ones listed in `reasons`. */
  moreReasons?: number;
  /** The original payload as UTF-8, cut at DEAD_LETTER_PAYLOAD_BYTES. */
  payload: string;
  payloadBytes: number;
  truncated: boolean;
}

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface MqttIngestOptions {
  /** mqtt:// or mqtts:// broker URL; credentials may be in it. */
  url: string;
  topicPrefix?: string;
  accept: Acceptor;
  metrics: Metrics;
  log: Log;
  /**
   * The persistent session's id. It must stay the same across restarts (or the broker forgets what was not
   * acknowledged) and differ between servers sharing a broker (or they take the session from each other).
   * Default: host name and topic prefix.
   */
  clientId?: string;
  /**
   * Several nodes of one cluster: subscribe as members of this MQTT shared subscription group
   * (`$share/<group>/<topic>`), so the broker hands each message to one node instead of every node taking it
   * in (and all but one answering duplicate). Each node keeps a clientId of its own.
   */
  shareGroup?: string;
  /** For tests: start waits this long for the first subscription (default 5 s). */
  startWaitMs?: number;
}

export interface MqttIngest {
  /** Stops taking messages; a message not yet acknowledged stays with the broker for the next start. */
  close(): Promise<void>;
  /** Whether the subscriber is connected to the broker now. */
  connected(): boolean;
}

class Aborted extends Error {}

/** Resolves after ms, or rejects with Aborted as soon as the signal fires. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Aborted());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** The default session id (MqttIngestOptions.clientId); its dead-letter publisher's is this plus `-dl`. Brokers accept a plain alphabet everywhere. */
export function defaultClientId(prefix: string): string {
  return `opsmap-${hostname()}-${prefix}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 120);
}

type Route = { kind: 'checkpoint'; id: string } | { kind: 'device'; id: string } | { kind: 'events' };

/** Which of our topics this is; undefined for anything else (never subscribed to, but a broker may be lax). */
export function routeOf(topic: string, prefix: string): Route | undefined {
  if (!topic.startsWith(prefix + '/')) return undefined;
  const parts = topic.slice(prefix.length + 1).split('/');
  if (parts.length === 1 && parts[0] === 'events') return { kind: 'events' };
  if (parts.length === 3 && parts[0] === 'checkpoints' && parts[2] === 'readings' && parts[1])
    return { kind: 'checkpoint', id: parts[1] };
  if (parts.length === 3 && parts[0] === 'devices' && parts[2] === 'positions' && parts[1])
    return { kind: 'device', id: parts[1] };
  return undefined;
}

/**
 * A producer's value as a reason quotes it: short, and never JSON.stringify of a nested value, whose recursion
 * a deeply nested payload overflows.
 */
function quote(v: unknown): string {
  if (v !== null && typeof v === 'object') return Array.isArray(v) ? 'an array' : 'an object';
  const text = v === undefined ? 'nothing' : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Why an item does not belong on the topic it came on; undefined when it does (or is for accept() to judge). */
export function topicMismatch(route: Route, item: unknown): FieldError | undefined {
  if (route.kind === 'events') return undefined;
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined; // accept() says why
  const e = item as Record<string, unknown>;
  if (route.kind === 'checkpoint') {
    if (e.kind !== 'flood.reading') {
      return {
        path: '/kind',
        message: `this topic carries flood.reading events only, got ${quote(e.kind)}; send other kinds to the events topic`,
      };
    }
    if (e.checkpointId !== route.id) {
      return {
        path: '/checkpointId',
        message: `${quote(e.checkpointId)} differs from the topic's checkpoint '${route.id}'`,
      };
    }
    return undefined;
  }
  if (e.kind !== 'patrol.position') {
    return {
      path: '/kind',
      message: `this topic carries patrol.position events only, got ${quote(e.kind)}; send other kinds to the events topic`,
    };
  }
  const meta = e.meta !== null && typeof e.meta === 'object' ? (e.meta as Record<string, unknown>) : undefined;
  if (e.rangerId !== route.id && meta?.deviceId !== route.id) {
    return {
      path: '/rangerId',
      message: `neither rangerId (${quote(e.rangerId)}) nor meta.deviceId (${quote(meta?.deviceId)}) is the topic's device '${route.id}'`,
    };
  }
  return undefined;
}

/** The validator's own failure on an item, if it throws instead of answering. */
function validationThrows(item: unknown): string | undefined {
  try {
    validateEvent(item);
    return undefined;
  } catch (e) {
    return (e as Error)?.message ?? String(e);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** The items of a payload, or why there are none (the payload as a whole is unusable). */
function readPayload(payload: Buffer): { items: unknown[] } | DeadLetterReason {
  if (payload.length > MAX_PAYLOAD_BYTES) {
    return {
      index: null,
      kind: 'size',
      errors: [{ path: '', message: `payload of ${payload.length} bytes is over the limit of ${MAX_PAYLOAD_BYTES}` }],
    };
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { index: null, kind: 'json', errors: [{ path: '', message: 'payload is not UTF-8 text' }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return {
      index: null,
      kind: 'json',
      errors: [{ path: '', message: `payload is not valid JSON (${(e as Error).message})` }],
    };
  }
  if (Array.isArray(json)) {
    if (json.length === 0)
      return { index: null, kind: 'shape', errors: [{ path: '', message: 'payload is an empty array' }] };
    if (json.length > MAX_ITEMS) {
      return {
        index: null,
        kind: 'shape',
        errors: [{ path: '', message: `payload holds ${json.length} events; at most ${MAX_ITEMS} per message` }],
      };
    }
    return { items: json };
  }
  if (json !== null && typeof json === 'object') return { items: [json] };
  return {
    index: null,
    kind: 'shape',
    errors: [
      {
        path: '',
        message: `payload must be an event object or an array of them, got ${json === null ? 'null' : typeof json}`,
      },
    ],
  };
}

export async function startMqttIngest(options: MqttIngestOptions): Promise<MqttIngest> {
  const prefix = options.topicPrefix ?? DEFAULT_TOPIC_PREFIX;
  const clientId = options.clientId ?? defaultClientId(prefix);
  const deadLetterTopic = `${prefix}/dead-letter`;
  const plainTopics = [`${prefix}/checkpoints/+/readings`, `${prefix}/devices/+/positions`, `${prefix}/events`];
  // The broker delivers a shared subscription's messages under their own topic, so routeOf() reads them as usual.
  const topics = options.shareGroup ? plainTopics.map((t) => `$share/${options.shareGroup}/${t}`) : plainTopics;
  const { accept, metrics, log } = options;
  // Loaded only when MQTT ingest is configured: the client library cost every start ~0.2 s.
  const { default: mqtt } = await import('mqtt');

  const subscriber: MqttClient = mqtt.connect(options.url, {
    clientId,
    clean: false,
    // Subscriptions live in the persistent session; we subscribe ourselves whenever the broker has none.
    resubscribe: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  // A separate connection: the subscriber's packets wait while a message is being handled, so the PUBACK of a
  // dead letter published on it would never be read and the two would wait for each other.
  const publisher: MqttClient = mqtt.connect(options.url, {
    clientId: `${clientId}-dl`,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });

  let closed = false;
  /**
   * One per connection of the subscriber, aborted when it drops or close() is called: what was being handled
   * then cannot be acknowledged any more. A PUBACK queued while disconnected would be sent after the reconnect
   * and acknowledge the broker's redelivery of the same packet id before it is handled; the message is
   * abandoned instead, and the redelivery brings it back.
   */
  let connection: AbortController | undefined;
  const inFlight = new Set<Promise<void>>();
  let lastError = '';

  subscriber.on('error', (err) => {
    if (err.message !== lastError)
      log.warn({ err, url: redactUrl(options.url) }, 'MQTT ingest: broker connection error');
    lastError = err.message;
  });
  publisher.on('error', () => {}); // the subscriber reports the same broker's trouble
  subscriber.on('close', () => {
    metrics.mqttConnected.set(0);
    connection?.abort();
    connection = undefined;
  });

  let subscribed: () => void = () => {};
  const firstSubscription = new Promise<void>((resolve) => (subscribed = resolve));
  subscriber.on('connect', (connack) => {
    lastError = '';
    metrics.mqttConnected.set(1);
    log.info(
      { url: redactUrl(options.url), clientId, sessionPresent: connack.sessionPresent },
      'MQTT ingest connected',
    );
    if (connack.sessionPresent) {
      subscribed();
      return;
    }
    subscriber.subscribe(topics, { qos: 1 }, (err, granted) => {
      if (err) return log.warn({ err }, 'MQTT ingest: subscribe failed; retried at the next connection');
      const refused = (granted ?? []).filter((g) => g.qos !== 1 && g.qos !== 2);
      if (refused.length > 0)
        log.warn({ refused: refused.map((g) => g.topic) }, 'MQTT ingest: the broker refused a subscription');
      subscribed();
    });
  });

  subscriber.handleMessage = (packet: IPublishPacket, done) => {
    // Left over from a connection that has closed (packets still parsed from its stream): never acknowledged.
    // MQTT.js emits 'connect' only after resending its own queue, but sets `connected` at the CONNACK, before
    // the broker's redeliveries are handled, so this test tells the two apart.
    if (closed || !subscriber.connected) return;
    connection ??= new AbortController();
    const signal = connection.signal;
    const work = handle(packet, signal).then(
      () => {
        if (!signal.aborted) done();
      },
      (e: unknown) => {
        if (!(e instanceof Aborted))
          log.warn({ err: e, topic: packet.topic }, 'MQTT ingest: message handling failed; it stays unacknowledged');
      },
    );
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  async function handle(packet: IPublishPacket, signal: AbortSignal): Promise<void> {
    const receivedAt = new Date().toISOString();
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    let reasons: DeadLetterReason[];
    try {
      reasons = await ingest(packet.topic, payload, signal);
    } catch (e) {
      if (e instanceof Aborted) throw e;
      // A bug met on this payload: holding it back would stop the subscription for good, so it is set aside.
      log.warn({ err: e, topic: packet.topic }, 'MQTT ingest: a payload could not be processed; dead-lettered');
      reasons = [
        {
          index: null,
          kind: 'error',
          errors: [
            { path: '', message: `the server could not process this payload (${(e as Error)?.message ?? String(e)})` },
          ],
        },
      ];
    }
    if (reasons.length === 0) return;
    reasons.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
    metrics.ingested.inc({ path: 'mqtt', result: 'rejected' }, reasons.length);
    const cut = payload.subarray(0, DEAD_LETTER_PAYLOAD_BYTES);
    const letter: DeadLetter = {
      topic: packet.topic,
      receivedAt,
      reasons: reasons.slice(0, MAX_REASONS),
      ...(reasons.length > MAX_REASONS ? { moreReasons: reasons.length - MAX_REASONS } : {}),
      payload: lenient.decode(cut),
      payloadBytes: payload.length,
      truncated: cut.length < payload.length,
    };
    // Acknowledged only once the broker holds the dead letter, so a crash in between loses nothing.
    await untilAborted(publisher.publishAsync(deadLetterTopic, JSON.stringify(letter), { qos: 1 }), signal);
    for (const r of reasons) metrics.mqttDeadLetters.inc({ reason: r.kind });
  }

  /** Stores what is good in one message; answers why the rest is not. */
  async function ingest(topic: string, payload: Buffer, signal: AbortSignal): Promise<DeadLetterReason[]> {
    const route = routeOf(topic, prefix);
    if (!route)
      return [{ index: null, kind: 'topic', errors: [{ path: '', message: `'${topic}' is not an ingest topic` }] }];
    const read = readPayload(payload);
    if ('kind' in read) return [read];
    const reasons: DeadLetterReason[] = [];
    let good: unknown[] = [];
    let where: number[] = [];
    read.items.forEach((item, i) => {
      const mismatch = topicMismatch(route, item);
      if (mismatch) reasons.push({ index: i, kind: 'topic', errors: [mismatch] });
      else {
        good.push(item);
        where.push(i);
      }
    });
    const end = metrics.ingestSeconds.startTimer({ path: 'mqtt' });
    let delay = RETRY_FIRST_MS;
    for (let attempt = 1; good.length > 0; attempt++) {
      if (signal.aborted) throw new Aborted();
      let summary: AcceptSummary;
      try {
        summary = await accept(good);
      } catch (err) {
        // accept() throws when the log cannot confirm durability, which is no fault of the message: it waits.
        // Unless an item makes validation itself throw: that one would be refused forever, so it goes.
        const poisoned = good.flatMap((item, k) => {
          const failure = validationThrows(item);
          return failure === undefined ? [] : [{ k, failure }];
        });
        if (poisoned.length > 0) {
          for (const { k, failure } of poisoned) {
            reasons.push({
              index: where[k]!,
              kind: 'error',
              errors: [{ path: '', message: `the server could not validate this item (${failure})` }],
            });
          }
          const drop = new Set(poisoned.map((p) => p.k));
          good = good.filter((_, k) => !drop.has(k));
          where = where.filter((_, k) => !drop.has(k));
          continue;
        }
        log.warn(
          { err, topic, attempt, retryInMs: delay },
          'MQTT ingest: the event log is unavailable; holding the message back',
        );
        await sleep(delay, signal);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        continue;
      }
      if (attempt > 1) log.info({ topic, attempts: attempt }, 'MQTT ingest: the event log took the held-back message');
      metrics.ingested.inc({ path: 'mqtt', result: 'accepted' }, summary.accepted);
      metrics.ingested.inc({ path: 'mqtt', result: 'duplicate' }, summary.duplicates);
      summary.results.forEach((r: ItemResult, k) => {
        if (r.status === 'rejected') reasons.push({ index: where[k]!, kind: 'rejected', errors: r.errors });
      });
      break;
    }
    end();
    return reasons;
  }

  let timer: NodeJS.Timeout | undefined;
  const waited = await Promise.race([
    firstSubscription.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), options.startWaitMs ?? START_WAIT_MS))),
  ]);
  clearTimeout(timer);
  if (!waited)
    log.warn({ url: redactUrl(options.url) }, 'MQTT ingest: no broker subscription yet; retrying in the background');

  return {
    connected: () => subscriber.connected,
    async close() {
      if (closed) return;
      closed = true;
      connection?.abort();
      // Forced: nothing the subscriber still owes the broker may be sent now (see `connection`).
      await subscriber.endAsync(true);
      await Promise.all(inFlight);
      // Unacknowledged dead letters may go: the messages they came from are unacknowledged too.
      await publisher.endAsync(!publisher.connected);
    },
  };
}

/** The broker URL without its password, for log lines. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '[Redacted]';
    return u.toString();
  } catch {
    return '[unparsable url]';
  }
}
