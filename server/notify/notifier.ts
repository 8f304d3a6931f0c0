// The notifier: tells the channels of NOTIFY_CONFIG about alert events, at least once, never twice on purpose.
//
// What has been delivered is a fold of the log, like everything else: every step of a delivery is an
// `alert.notified` event on the alert's trail, its id derived from the delivery's idempotency key (alert event ×
// channel), so the store keeps each step once whoever writes it:
//   claimed (node N)  →  delivered | failed (dead-lettered after the last retry, with the reason)
// Only the node named by the stored claim sends. A second node folding the same log sees the claim and stays
// quiet; a restarted server sees what was claimed and never finished, and sends it again (catch-up, bounded by
// delivery.catchUpMin). The one gap at-least-once leaves: a receiver that took the message just before the
// process died gets it again, with the same idempotency key, so a receiver that keeps keys drops it.
//
// Nothing here is on the ingest path: onBatch only notes what is owed and appends a claim; requests run in a
// queue per channel (a few in flight, retries wait on timers, every request has a timeout), so a slow or dead
// receiver holds up only its own queue. Domain code: no driver, the standard fetch (and for e-mail, the one
// function of smtp.ts), both replaceable in deps; the clock is given.
import type { AreaTree } from '../contract/areas';
import { inScope } from '../contract/auth';
import {
  SEVERITY_RANK,
  type Alert,
  type AlertEvent,
  type AlertNotified,
  type AlertSeverity,
  type NotifyTransition,
} from '../contract/alerts';
import type { StoredEvent } from '../contract/events';
import { isoLocal, LOCAL_OFFSET_MS, DAY_MS, MINUTE_MS } from '../contract/time';
import type { AlertBook } from '../rules/alerts';
import { ref } from '../rules/engine';
import type { AppendItem, AppendResult } from '../store/types';
import { buildRequest, judge, type Verdict } from './channels';
import { NotifyConfigError, type ChannelConfig, type NotifyConfig } from './config';
import type { Notice } from './format';
import { buildMail } from './mail';
import { sendMail } from './smtp';

const TRANSITION_OF: Partial<Record<AlertEvent['kind'], NotifyTransition>> = {
  'alert.raised': 'raised',
  'alert.escalated': 'escalated',
  'alert.whistled': 'whistled',
  'alert.resolved': 'resolved',
};

/** A claim not back from the log after this is appended again. */
const CLAIM_RETRY_MS = 10_000;
/** Dead letters kept per channel for the admin's view (the log keeps them all). */
const DEAD_LETTERS_SHOWN = 20;

export interface NotifyLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** What the notifier reports to /metrics (notify/metrics.ts); optional so that unit tests need none. */
export interface NotifyMeter {
  result(channel: string, result: 'delivered' | 'retry' | 'failed' | 'quiet'): void;
  seconds(channel: string, s: number): void;
}

export interface NotifierDeps {
  config: NotifyConfig;
  tree: Pick<AreaTree, 'nodes' | 'root'>;
  book: AlertBook;
  /** The bus's append: the delivery steps go into the log like every other event. */
  append: (items: AppendItem[]) => Promise<AppendResult[]>;
  now: () => number;
  /** This process's name in claims: unique per process (a restarted server is another node). */
  node: string;
  /**
   * The only node (in-process bus): a claim left unfinished by an earlier process is taken over at start.
   * On a cluster the other node may still be at it, so a claim is taken over only after the lease.
   */
  exclusive: boolean;
  /** PUBLIC_URL: links to the dashboard; empty: no link. */
  publicUrl: string;
  log: NotifyLog;
  meter?: NotifyMeter;
  fetch?: typeof fetch;
  /** Sends an smtp channel's mail; defaults to smtp.ts (nodemailer). */
  sendMail?: typeof sendMail;
  /** Jitter in [0, 1); tests pin it. */
  random?: () => number;
  /**
   * The real clock, for what receivers check against theirs (the signature's timestamp, DingTalk's hour): the
   * app's `now` runs fast in a time-lapse demo. Defaults to Date.now.
   */
  wallClock?: () => number;
}

export interface ChannelHealth {
  id: string;
  type: ChannelConfig['type'];
  scope: string;
  /** false after a failed request until the next success. */
  up: boolean;
  queued: number;
  inFlight: number;
  delivered: number;
  failed: number;
  lastDeliveredAt?: string;
  lastFailureAt?: string;
  lastFailure?: string;
  deadLetters: { alertId: string; transition: NotifyTransition; at: string; reason: string }[];
}

export interface TestResult {
  ok: boolean;
  ms: number;
  reason?: string;
}

export interface Notifier {
  readonly channels: readonly ChannelConfig[];
  /** Folds stored events without sending: the rebuild at start. */
  rebuild(events: readonly StoredEvent[]): void;
  /** What the rebuild knows, for a keyframe (live/keyframes.ts): the deliveries and their claims and outcomes. */
  snapshotState(): unknown;
  /** Takes over snapshotState()'s data instead of a rebuild of the log before it. */
  restoreState(data: unknown): void;
  /** Once after the rebuild: claims and sends what is owed from the last delivery.catchUpMin. */
  start(): void;
  /** A live batch, after the AlertBook folded it. */
  onBatch(events: readonly StoredEvent[]): void;
  /** The clock: takes over claims of nodes that went quiet (cluster), forgets old finished deliveries. */
  tick(): void;
  testSend(channelId: string, note?: string): Promise<TestResult | undefined>;
  health(): ChannelHealth[];
  /** Resolves once nothing is queued, in flight or being appended (tests). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface Delivery {
  key: string;
  channel: ChannelConfig;
  transition: NotifyTransition;
  alertId: string;
  atMs: number;
  notice: Notice;
  claim?: { node: string; n: number; atMs: number };
  outcome?: 'delivered' | 'failed';
  /** Waiting in or running from this node's queue. */
  mine: boolean;
  attempts: number;
  running: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** When this node last appended a claim for it: one the store refused (an outage) is tried again. */
  claimedAtMs?: number;
}

/** A delivery as a keyframe keeps it (the channel by id: the configuration may have changed since). */
interface KeptDelivery {
  key: string;
  channelId: string;
  transition: NotifyTransition;
  alertId: string;
  atMs: number;
  notice: Notice;
  claim?: { node: string; n: number; atMs: number };
  outcome?: 'delivered' | 'failed';
  othersClaim: boolean;
}

interface Lane {
  channel: ChannelConfig;
  /** Deliveries of this node, per alert in order: an alert's resolution never overtakes its raise. */
  chains: Map<string, Delivery[]>;
  queued: number;
  inFlight: number;
  delivered: number;
  failed: number;
  lastDeliveredMs?: number;
  lastFailureMs?: number;
  lastFailure?: string;
  deadLetters: ChannelHealth['deadLetters'];
  /** Wall-clock times of the requests of the last minute (the robots' rate limit). */
  recent: number[];
  /** Wakes the queue when the oldest of `recent` ages out. */
  wake?: ReturnType<typeof setTimeout>;
}

export function deliveryKey(channel: string, event: Pick<AlertEvent, 'source' | 'id'>): string {
  return ref(`${channel}|${event.source}|${event.id}`);
}

/** Minutes since local (Asia/Shanghai) midnight. */
const localMinute = (ms: number): number =>
  Math.floor(((((ms + LOCAL_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);

export function inQuietHours(q: NonNullable<ChannelConfig['quietHours']>, ms: number): boolean {
  const m = localMinute(ms);
  // 22:00–07:00 wraps midnight; 12:00–14:00 does not; from = to is no quiet time.
  return q.fromMin <= q.toMin ? m >= q.fromMin && m < q.toMin : m >= q.fromMin || m < q.toMin;
}

/** A failure's reason in a few words: never the URL (WeCom and DingTalk keep their key in it) or a secret. */
function reasonOf(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (e?.name === 'AbortError') return 'aborted (server closing)';
  const code = e?.cause?.code ?? e?.code ?? e?.cause?.name;
  return code ? `network error ${code}` : 'network error';
}

export function createNotifier(deps: NotifierDeps): Notifier {
  const { config, tree, book } = deps;
  config.channels.forEach((c, i) => {
    // The schema checks the key's form; only the area tree knows whether the area exists.
    if (!tree.nodes[c.scope])
      throw new NotifyConfigError(`NOTIFY_CONFIG is not valid: /channels/${i}/scope is no area of the area tree`);
  });
  if (config.channels.length > 0 && deps.publicUrl === '')
    deps.log.warn({}, 'PUBLIC_URL is not set: notifications carry no link back to the alert');
  const fetchImpl = deps.fetch ?? fetch;
  const mailImpl = deps.sendMail ?? sendMail;
  const random = deps.random ?? Math.random;
  const wallClock = deps.wallClock ?? Date.now;
  const delivery = config.delivery;
  const lanes = new Map<string, Lane>(
    config.channels.map((c) => [
      c.id,
      { channel: c, chains: new Map(), queued: 0, inFlight: 0, delivered: 0, failed: 0, deadLetters: [], recent: [] },
    ]),
  );
  const deliveries = new Map<string, Delivery>();
  /** Claimed by another node and not finished: watched for the lease (cluster). */
  const othersClaims = new Set<Delivery>();
  const closing = new AbortController();
  let started = false;
  let closed = false;
  const pending = new Set<Promise<unknown>>();
  const idleWaiters: (() => void)[] = [];

  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => {
      pending.delete(p);
      checkIdle();
    });
    return p;
  };

  function busy(): boolean {
    if (pending.size > 0) return true;
    for (const lane of lanes.values()) if (lane.queued > 0 || lane.inFlight > 0) return true;
    return false;
  }
  function checkIdle(): void {
    if (busy()) return;
    for (const w of idleWaiters.splice(0)) w();
  }

  // ---- what an alert event means to a channel ----

  const nameOf = (key: string): string => tree.nodes[key]?.name ?? key;
  function townOf(key: string): string | undefined {
    let at: string | null | undefined = key;
    for (let guard = 0; at && guard < 8; guard += 1) {
      const node: { level: string; parent: string | null } | undefined = tree.nodes[at];
      if (node?.level === 'town') return at;
      at = node?.parent;
    }
    return undefined;
  }

  /** The alert as it stood at this event: severity and level from its trail up to the event's seq. */
  function stateAt(alert: Alert, seq: number): { severity: AlertSeverity; level: 'town' | 'district' } | undefined {
    let severity: AlertSeverity | undefined;
    let level: 'town' | 'district' | undefined;
    let folded = false;
    for (const a of alert.actions) {
      if (a.seq > seq) break;
      if (a.seq === seq) folded = true;
      if (a.severity) severity = a.severity;
      if (a.level) level = a.level;
    }
    // An event the book did not fold (a second resolution, an action on a resolved alert) tells nobody anything.
    if (!folded) return undefined;
    return { severity: severity ?? alert.severity, level: level ?? alert.level };
  }

  function wants(
    c: ChannelConfig,
    alert: Alert,
    t: NotifyTransition,
    at: { severity: AlertSeverity; level: 'town' | 'district' },
  ): boolean {
    if (!c.transitions.includes(t)) return false;
    if (c.rules && !c.rules.includes(alert.rule)) return false;
    if (SEVERITY_RANK[at.severity] < SEVERITY_RANK[c.minSeverity]) return false;
    if (c.level === 'district' && at.level !== 'district') return false;
    return inScope(tree, c.scope as never, alert.area);
  }

  function noticeOf(
    key: string,
    alert: Alert,
    e: AlertEvent,
    t: NotifyTransition,
    at: { severity: AlertSeverity; level: 'town' | 'district' },
  ): Notice {
    const town = alert.town ?? townOf(alert.area);
    const n: Notice = {
      key,
      alertId: alert.id,
      transition: t,
      rule: alert.rule,
      severity: at.severity,
      level: at.level,
      title: alert.title,
      area: alert.area,
      areaName: nameOf(alert.area),
      at: e.time,
      raisedAt: alert.raisedAt,
      facts: { ...(alert.facts ?? {}) },
    };
    if (town !== undefined) n.townName = nameOf(town);
    if (e.kind === 'alert.whistled') n.departments = [...e.departments];
    if ('note' in e && e.note !== undefined) n.note = e.note;
    if (alert.location) n.location = { ...alert.location };
    if (deps.publicUrl !== '') {
      // The dashboard opens at the alert's area; `alert` names the alert for the inbox.
      const q = new URLSearchParams({ area: alert.area, alert: alert.id });
      n.link = `${deps.publicUrl.replace(/\/+$/, '')}/?${q.toString()}`;
    }
    return n;
  }

  // ---- the log: claims and outcomes ----

  function appendStep(
    d: Delivery,
    step: Omit<
      AlertNotified,
      'id' | 'kind' | 'time' | 'source' | 'alertId' | 'channel' | 'transition' | 'key' | 'node'
    >,
    id: string,
  ): void {
    if (closed) return;
    const event: AlertNotified = {
      id: ref(id),
      kind: 'alert.notified',
      time: isoLocal(deps.now()),
      source: 'notify',
      alertId: d.alertId,
      channel: d.channel.id,
      transition: d.transition,
      key: d.key,
      node: deps.node,
      ...step,
    };
    void track(
      deps.append([{ event, receivedAt: new Date(deps.now()).toISOString() }]).then(
        () => undefined,
        (error: unknown) =>
          // Not in the log: the step is made again after a restart (at least once).
          deps.log.warn(
            { err: error, channel: d.channel.id, alertId: d.alertId },
            'a notification step could not be appended',
          ),
      ),
    );
  }

  function claim(d: Delivery): void {
    d.claimedAtMs = deps.now();
    const n = (d.claim?.n ?? 0) + 1;
    appendStep(d, { result: 'claimed', claim: n }, `${d.key}:claim:${n}`);
  }

  function foldNotified(e: AlertNotified, s: StoredEvent): void {
    const d = deliveries.get(e.key);
    if (!d) return; // a delivery older than the catch-up window, or of a channel no longer configured
    if (e.result === 'claimed') {
      if (d.outcome || (d.claim && d.claim.n >= (e.claim ?? 1))) return;
      d.claim = { node: e.node, n: e.claim ?? 1, atMs: Date.parse(s.receivedAt) || Date.parse(e.time) };
      if (e.node === deps.node) {
        othersClaims.delete(d);
        if (started) enqueue(d);
      } else {
        othersClaims.add(d);
      }
      return;
    }
    if (d.outcome) return;
    d.outcome = e.result;
    othersClaims.delete(d);
  }

  function noteTransition(s: StoredEvent, e: AlertEvent, t: NotifyTransition, live: boolean): void {
    const alert = book.get(e.alertId);
    if (!alert) return;
    const at = stateAt(alert, s.seq);
    if (!at) return;
    const atMs = Date.parse(e.time);
    for (const lane of lanes.values()) {
      const c = lane.channel;
      if (!wants(c, alert, t, at)) continue;
      const key = deliveryKey(c.id, e);
      if (deliveries.has(key)) continue;
      const d: Delivery = {
        key,
        channel: c,
        transition: t,
        alertId: alert.id,
        atMs: Number.isNaN(atMs) ? deps.now() : atMs,
        notice: noticeOf(key, alert, e, t, at),
        mine: false,
        attempts: 0,
        running: false,
      };
      deliveries.set(key, d);
      if (live) decide(d);
    }
  }

  /** Whether this delivery is still owed, and by whom: claims it, or waits for the other node's outcome. */
  function decide(d: Delivery): void {
    if (d.outcome || d.mine) return;
    const q = d.channel.quietHours;
    if (q && inQuietHours(q, deps.now()) && SEVERITY_RANK[d.notice.severity] < SEVERITY_RANK[q.minSeverity]) {
      // Dropped, not held: a morning full of last night's small alerts, most long resolved, helps nobody.
      d.outcome = 'delivered';
      deps.meter?.result(d.channel.id, 'quiet');
      return;
    }
    if (!d.claim) return claim(d);
    if (d.claim.node === deps.node) return enqueue(d);
    const leaseOver = deps.now() - d.claim.atMs >= delivery.claimLeaseMs;
    if (deps.exclusive || leaseOver) claim(d);
    else othersClaims.add(d);
  }

  function fold(events: readonly StoredEvent[], live: boolean): void {
    for (const s of events) {
      const kind = s.event.kind;
      if (kind === 'alert.notified') {
        foldNotified(s.event as AlertNotified, s);
        continue;
      }
      const t = TRANSITION_OF[kind as AlertEvent['kind']];
      if (t === undefined) continue;
      const e = s.event as AlertEvent;
      // At start only the recent past is owed; a channel added today does not hear last year's alerts.
      if (!live && deps.now() - Date.parse(e.time) > delivery.catchUpMs) continue;
      noteTransition(s, e, t, live);
    }
  }

  // ---- the queues ----

  function enqueue(d: Delivery): void {
    if (d.mine || d.outcome || closed) return;
    const lane = lanes.get(d.channel.id)!;
    if (lane.queued >= delivery.queueLimit) {
      // A receiver down for days: the oldest waiting message is given up, on its trail, so memory stays bounded.
      const oldest = [...lane.chains.values()].flat().find((x) => x.timer === undefined && x.attempts === 0);
      if (oldest)
        finish(lane, oldest, { ok: false, reason: 'queue full: the receiver has been failing', retry: false });
    }
    d.mine = true;
    const chain = lane.chains.get(d.alertId);
    if (chain) chain.push(d);
    else lane.chains.set(d.alertId, [d]);
    lane.queued += 1;
    pump(lane);
  }

  /** Whether the channel's per-minute limit lets one more request go now; if not, wakes the queue when it does. */
  function withinRate(lane: Lane): boolean {
    const limit = lane.channel.perMinute;
    if (limit === undefined) return true;
    const t = wallClock();
    while (lane.recent.length > 0 && lane.recent[0]! <= t - MINUTE_MS) lane.recent.shift();
    if (lane.recent.length < limit) return true;
    if (lane.wake === undefined) {
      lane.wake = setTimeout(
        () => {
          lane.wake = undefined;
          pump(lane);
        },
        lane.recent[0]! + MINUTE_MS - t + 5,
      );
      lane.wake.unref?.();
    }
    return false;
  }

  function pump(lane: Lane): void {
    if (closed) return;
    for (const [alertId, chain] of lane.chains) {
      if (lane.inFlight >= delivery.concurrency) return;
      // Another node finished it meanwhile (a claim taken over at the same moment): not sent twice from here.
      while (chain.length > 0 && chain[0]!.outcome && !chain[0]!.running) {
        const done = chain.shift()!;
        if (done.timer) clearTimeout(done.timer);
        lane.queued -= 1;
      }
      if (chain.length === 0) {
        lane.chains.delete(alertId);
        continue;
      }
      const head = chain[0]!;
      if (head.timer !== undefined || head.running) continue;
      // WeCom and DingTalk robots refuse more than 20 messages a minute: wait here rather than burn retries.
      if (!withinRate(lane)) return;
      lane.recent.push(wallClock());
      void attempt(lane, head);
    }
  }

  async function send(c: ChannelConfig, n: Notice): Promise<Verdict> {
    if (c.smtp) return mailImpl(c.smtp, buildMail(c.smtp, n, c.language), c.timeoutMs, closing.signal);
    const req = buildRequest(c, n, wallClock());
    try {
      const res = await fetchImpl(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(c.timeoutMs), closing.signal]),
      });
      const text = await res.text();
      return judge(c, res.status, text);
    } catch (error) {
      return { ok: false, reason: reasonOf(error, c.timeoutMs), retry: true };
    }
  }

  async function attempt(lane: Lane, d: Delivery): Promise<void> {
    d.running = true;
    lane.inFlight += 1;
    d.attempts += 1;
    const t0 = performance.now();
    const verdict = await track(send(lane.channel, d.notice));
    lane.inFlight -= 1;
    d.running = false;
    deps.meter?.seconds(lane.channel.id, (performance.now() - t0) / 1000);
    if (closed) return;
    if (verdict.ok) {
      finish(lane, d, verdict);
    } else if (verdict.retry && d.attempts <= lane.channel.retries) {
      lane.lastFailureMs = deps.now();
      lane.lastFailure = verdict.reason;
      deps.meter?.result(lane.channel.id, 'retry');
      const wait = Math.min(delivery.maxBackoffMs, delivery.backoffMs * 2 ** (d.attempts - 1));
      // ±20 % so that channels failing together do not retry in step.
      d.timer = setTimeout(
        () => {
          d.timer = undefined;
          pump(lane);
        },
        wait * (0.8 + 0.4 * random()),
      );
      d.timer.unref?.();
    } else {
      finish(lane, d, verdict);
    }
    pump(lane);
    checkIdle();
  }

  function finish(lane: Lane, d: Delivery, verdict: Verdict): void {
    const chain = lane.chains.get(d.alertId);
    if (chain) {
      const i = chain.indexOf(d);
      if (i >= 0) chain.splice(i, 1);
      if (chain.length === 0) lane.chains.delete(d.alertId);
    }
    if (d.timer) clearTimeout(d.timer);
    d.timer = undefined;
    lane.queued -= 1;
    const nowMs = deps.now();
    if (verdict.ok) {
      d.outcome = 'delivered';
      lane.delivered += 1;
      lane.lastDeliveredMs = nowMs;
      deps.meter?.result(lane.channel.id, 'delivered');
      appendStep(d, { result: 'delivered', attempts: d.attempts }, `${d.key}:delivered`);
    } else {
      d.outcome = 'failed';
      lane.failed += 1;
      lane.lastFailureMs = nowMs;
      lane.lastFailure = verdict.reason;
      lane.deadLetters.unshift({
        alertId: d.alertId,
        transition: d.transition,
        at: isoLocal(nowMs),
        reason: verdict.reason,
      });
      lane.deadLetters.length = Math.min(lane.deadLetters.length, DEAD_LETTERS_SHOWN);
      deps.meter?.result(lane.channel.id, 'failed');
      deps.log.warn(
        {
          channel: lane.channel.id,
          alertId: d.alertId,
          transition: d.transition,
          attempts: d.attempts,
          reason: verdict.reason,
        },
        'notification dead-lettered: the receiver did not take it',
      );
      appendStep(
        d,
        { result: 'failed', attempts: d.attempts, reason: verdict.reason.slice(0, 300) },
        `${d.key}:failed`,
      );
    }
  }

  return {
    channels: config.channels,

    rebuild: (events) => fold(events, false),
    snapshotState() {
      // Only what the log says of each delivery: this node's queue, timers and attempts are not state.
      const kept: KeptDelivery[] = [];
      for (const d of deliveries.values()) {
        const k: KeptDelivery = {
          key: d.key,
          channelId: d.channel.id,
          transition: d.transition,
          alertId: d.alertId,
          atMs: d.atMs,
          notice: d.notice,
          othersClaim: othersClaims.has(d),
        };
        if (d.claim) k.claim = d.claim;
        if (d.outcome) k.outcome = d.outcome;
        kept.push(k);
      }
      return kept;
    },
    restoreState(data) {
      // As the rebuild: only the catch-up window is owed, and only to channels configured now.
      const since = deps.now() - delivery.catchUpMs;
      for (const k of data as KeptDelivery[]) {
        const lane = lanes.get(k.channelId);
        if (!lane || k.atMs < since) continue;
        const d: Delivery = {
          key: k.key,
          channel: lane.channel,
          transition: k.transition,
          alertId: k.alertId,
          atMs: k.atMs,
          notice: k.notice,
          mine: false,
          attempts: 0,
          running: false,
        };
        if (k.claim) d.claim = k.claim;
        if (k.outcome) d.outcome = k.outcome;
        deliveries.set(d.key, d);
        if (k.othersClaim) othersClaims.add(d);
      }
    },

    start() {
      started = true;
      for (const d of deliveries.values()) decide(d);
    },

    onBatch: (events) => fold(events, started),

    tick() {
      const nowMs = deps.now();
      // A claim that never came back from the log (the store was down): claimed again, like the rules decide again.
      if (started)
        for (const d of deliveries.values())
          if (
            !d.outcome &&
            !d.mine &&
            !d.claim &&
            d.claimedAtMs !== undefined &&
            nowMs - d.claimedAtMs > CLAIM_RETRY_MS
          )
            claim(d);
      for (const d of othersClaims) {
        if (d.outcome) othersClaims.delete(d);
        else if (d.claim && nowMs - d.claim.atMs >= delivery.claimLeaseMs) {
          othersClaims.delete(d);
          claim(d);
        }
      }
      // Finished deliveries are kept while a repeat of their events could still arrive; then forgotten.
      const forget = nowMs - delivery.catchUpMs - delivery.claimLeaseMs;
      for (const lane of lanes.values()) if (lane.queued > 0) pump(lane);
      for (const [key, d] of deliveries)
        if (d.outcome && !d.running && d.timer === undefined && d.atMs < forget) deliveries.delete(key);
    },

    async testSend(channelId, note) {
      const lane = lanes.get(channelId);
      if (!lane) return undefined;
      const c = lane.channel;
      const nowMs = deps.now();
      const area = c.scope;
      const n: Notice = {
        key: ref(`${c.id}|test|${nowMs}`),
        alertId: 'test',
        transition: 'raised',
        rule: 'flood_warning',
        severity: 'info',
        level: 'district',
        title: c.language === 'zh' ? '测试消息' : 'Test message',
        area,
        areaName: nameOf(area),
        at: isoLocal(nowMs),
        raisedAt: isoLocal(nowMs),
        facts: {},
        note: note ?? (c.language === 'zh' ? '收到此消息说明通知渠道配置正确。' : 'This channel is set up correctly.'),
        test: true,
      };
      if (deps.publicUrl !== '') n.link = `${deps.publicUrl.replace(/\/+$/, '')}/`;
      const t0 = performance.now();
      const verdict = await track(send(c, n));
      const ms = Math.round(performance.now() - t0);
      if (verdict.ok) lane.lastDeliveredMs = deps.now();
      else {
        lane.lastFailureMs = deps.now();
        lane.lastFailure = verdict.reason;
      }
      return verdict.ok ? { ok: true, ms } : { ok: false, ms, reason: verdict.reason };
    },

    health() {
      return [...lanes.values()].map((l) => {
        const h: ChannelHealth = {
          id: l.channel.id,
          type: l.channel.type,
          scope: l.channel.scope,
          up: l.lastFailureMs === undefined || (l.lastDeliveredMs ?? -Infinity) > l.lastFailureMs,
          queued: l.queued,
          inFlight: l.inFlight,
          delivered: l.delivered,
          failed: l.failed,
          deadLetters: l.deadLetters.map((x) => ({ ...x })),
        };
        if (l.lastDeliveredMs !== undefined) h.lastDeliveredAt = isoLocal(l.lastDeliveredMs);
        if (l.lastFailureMs !== undefined) h.lastFailureAt = isoLocal(l.lastFailureMs);
        if (l.lastFailure !== undefined) h.lastFailure = l.lastFailure;
        return h;
      });
    },

    idle() {
      if (!busy()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },

    async close() {
      closed = true;
      closing.abort();
      for (const lane of lanes.values()) {
        if (lane.wake) clearTimeout(lane.wake);
        for (const chain of lane.chains.values()) for (const d of chain) if (d.timer) clearTimeout(d.timer);
      }
      await Promise.allSettled([...pending]);
      for (const w of idleWaiters.splice(0)) w();
    },
  };
}
