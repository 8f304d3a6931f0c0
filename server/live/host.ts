// The projection host: the one place that reads the log. It owns the single scan at start, the single bus
// subscription after it and the clock, and hands every batch to its projections in the order they were
// registered, so each view of the log (live state, trends, landing weeks, alerts and rules) is a projection on
// one fold instead of a scan of its own. Routes get the projections' read handles, never the store or the bus.
import type { StoredEvent } from '../contract/events';
import { DAY_MS, HOUR_MS, LOCAL_OFFSET_MS, localDay } from '../contract/time';
import type { EventBus } from '../bus/types';
import { type EventStore, type KeyframeStore, type StoredKeyframe, SCAN_BATCH } from '../store/types';
import { decodeKeyframe, encodeKeyframe } from './keyframes';

/** Whether a batch comes from the log at start (nothing may be decided on it) or live off the bus. */
export type FoldPhase = 'rebuild' | 'live';

export interface Projection {
  /** For logs and errors: which projection failed. */
  readonly name: string;
  /** Folds a batch of events, in seq order, each batch once. */
  apply(events: readonly StoredEvent[], phase: FoldPhase): void;
  /** Moves the projection's clock (windows, deadlines, silences); called after the scan and on every tick. */
  advance?(now: number): void;
  /**
   * Its state as plain data for a keyframe (live/keyframes.ts), taken between two batches; `null` for a
   * projection that keeps nothing. A projection without snapshot/restore turns keyframes off.
   */
  snapshot?(): unknown;
  /** Takes over a snapshot() decoded from a keyframe, once, before anything is folded. */
  restore?(data: unknown): void;
}

/** When the host writes keyframes and how many it keeps (config.ts: KEYFRAME_*; docs/ARCHITECTURE.md). */
export interface KeyframePolicy {
  /** A periodic keyframe after this many events folded since the last one … */
  everyEvents: number;
  /** … or this long after the last one, if anything was folded since. */
  everyMs: number;
  /** Periodic keyframes kept (the newest ones). */
  keepPeriodic: number;
  /** Midnight and hour keyframes kept for this many days (replay and past briefs start from them). */
  keepDays: number;
  /**
   * A history keyframe at every local clock boundary this many hours apart (a divisor of 24; 24: midnight only),
   * so a replay anywhere in the kept days folds at most this long a stretch of the log. Absent: 24.
   */
  historyHours?: number;
}

export interface KeyframeOptions extends KeyframePolicy {
  store: KeyframeStore;
  /** keyframeVersion() of this code and configuration: a keyframe of another version is not restored. */
  version: string;
  /** The latest event time folded (the live state's), recorded with each keyframe for replays. */
  envelope: () => number;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
  };
}

export interface ProjectionHostOptions {
  store: Pick<EventStore, 'scan' | 'lastSeq'>;
  bus: Pick<EventBus, 'subscribe'>;
  now: () => number;
  keyframes?: KeyframeOptions;
}

/** What start() did: where it began, how much of the log it folded. */
export interface HostStart {
  seq: number;
  events: number;
  /** The keyframe it restored, or null when it folded the whole log. */
  keyframe: { seq: number; kind: StoredKeyframe['kind']; takenMs: number; restoreMs: number } | null;
}

export interface ProjectionHost {
  /** The last seq every projection has folded. */
  readonly seq: number;
  /** Adds a projection; only before start(), so that every projection has seen the whole log. */
  register<P extends Projection>(projection: P): P;
  /**
   * Restores the newest usable keyframe (if keyframes are on), folds the log after it once into every
   * projection, advances their clocks, then follows the bus from there.
   */
  start(): Promise<HostStart>;
  /** Advances every projection's clock to now (the app's clock tick); writes a keyframe when one is due. */
  tick(): void;
  /** Every projection's snapshot() now, by name: what a keyframe written now would hold. */
  snapshot(): Map<string, unknown>;
  /** Writes a keyframe of the state now (unless one at this seq exists); resolves when it is stored. */
  writeKeyframe(kind?: StoredKeyframe['kind']): Promise<void>;
  /** Stops following the bus; resolves once a keyframe being written is stored. */
  close(): Promise<void>;
}

export function createProjectionHost(options: ProjectionHostOptions): ProjectionHost {
  const projections: Projection[] = [];
  const kf = options.keyframes;
  let seq = 0;
  let started = false;
  let unsubscribe: (() => void) | undefined;
  // Keyframe bookkeeping: what was folded since the last one, when it was written, the day of the last tick.
  let sinceKeyframe = 0;
  let lastKeyframeSeq = -1;
  let lastKeyframeMs = -Infinity;
  let lastDay: number | null = null;
  let lastSlot: number | null = null;
  const slotMs = (kf?.historyHours ?? 24) * HOUR_MS;
  const slotOf = (t: number): number => Math.floor((t + LOCAL_OFFSET_MS) / slotMs);
  let writing: Promise<void> | null = null;

  const keyframesOn = (): boolean =>
    kf !== undefined && projections.every((p) => p.snapshot !== undefined && p.restore !== undefined);

  const fold = (events: readonly StoredEvent[], phase: FoldPhase): void => {
    if (events.length === 0) return;
    for (const p of projections) p.apply(events, phase);
    seq = events[events.length - 1]!.seq;
    sinceKeyframe += events.length;
    if (phase === 'live' && kf && sinceKeyframe >= kf.everyEvents) void write('periodic');
  };
  const advance = (): void => {
    const t = options.now();
    for (const p of projections) p.advance?.(t);
  };

  const snapshotAll = (): Map<string, unknown> => {
    const snapshots = new Map<string, unknown>();
    for (const p of projections) snapshots.set(p.name, p.snapshot ? p.snapshot() : undefined);
    return snapshots;
  };

  /** Snapshots every projection now (synchronously, between batches) and stores the keyframe. */
  const write = (kind: StoredKeyframe['kind']): Promise<void> => {
    if (!kf || !keyframesOn() || writing || !started) return writing ?? Promise.resolve();
    if (seq === lastKeyframeSeq && kind === 'periodic') return Promise.resolve();
    const takenMs = options.now();
    const t0 = performance.now();
    const snapshots = snapshotAll();
    // encodeKeyframe serialises before its first await, so the keyframe is the state at this seq.
    const encoding = encodeKeyframe({ seq, kind, takenMs, envelopeMs: kf.envelope(), version: kf.version }, snapshots);
    const blockedMs = performance.now() - t0;
    sinceKeyframe = 0;
    lastKeyframeSeq = seq;
    lastKeyframeMs = takenMs;
    writing = encoding
      .then(async (frame) => {
        await kf.store.save(frame);
        await kf.store.prune({ keepPeriodic: kf.keepPeriodic, historySinceMs: takenMs - kf.keepDays * DAY_MS });
        kf.log.info(
          { seq: frame.seq, kind, bytes: frame.body.byteLength, blockedMs: Math.round(blockedMs) },
          'keyframe written',
        );
      })
      .catch((err: unknown) => kf.log.warn({ err, seq }, 'keyframe not written; the next one will be tried as due'))
      .finally(() => {
        writing = null;
      });
    return writing;
  };

  /** The newest keyframe this code can restore, walking back past refused ones; restored into every projection. */
  const restoreNewest = async (): Promise<HostStart['keyframe']> => {
    if (!kf) return null;
    if (!keyframesOn()) {
      const without = projections.filter((p) => !p.snapshot || !p.restore).map((p) => p.name);
      kf.log.warn({ projections: without }, 'keyframes are off: these projections cannot be snapshotted');
      return null;
    }
    let maxSeq = await options.store.lastSeq();
    for (let tries = 0; tries < 8; tries++) {
      const stored = await kf.store.latest({ maxSeq });
      if (!stored) return null;
      const t0 = performance.now();
      const decoded = decodeKeyframe(stored, kf.version);
      const missing = decoded.ok ? projections.filter((p) => !decoded.names.includes(p.name)).map((p) => p.name) : [];
      if (!decoded.ok || missing.length > 0) {
        const reason = decoded.ok ? `it has no state for ${missing.join(', ')}` : decoded.reason;
        kf.log.warn({ seq: stored.seq, reason }, 'keyframe ignored; trying an older one or the whole log');
        maxSeq = stored.seq - 1;
        continue;
      }
      for (const p of projections) p.restore!(decoded.part(p.name));
      seq = stored.seq;
      lastKeyframeSeq = stored.seq;
      lastKeyframeMs = stored.takenMs;
      return { seq: stored.seq, kind: stored.kind, takenMs: stored.takenMs, restoreMs: performance.now() - t0 };
    }
    return null;
  };

  return {
    get seq() {
      return seq;
    },
    register(projection) {
      if (started) throw new Error(`projection ${projection.name} registered after the log was folded`);
      projections.push(projection);
      return projection;
    },
    async start() {
      if (started) throw new Error('the projection host has started already');
      started = true;
      const keyframe = await restoreNewest();
      let events = 0;
      sinceKeyframe = 0;
      await options.store.scan(seq, SCAN_BATCH, (batch) => {
        fold(batch, 'rebuild');
        events += batch.length;
      });
      advance();
      lastDay = localDay(options.now());
      lastSlot = slotOf(options.now());
      // The minutes rule counts from the start when nothing was restored (a full fold writes one at once below).
      if (lastKeyframeMs === -Infinity) lastKeyframeMs = options.now();
      unsubscribe = options.bus.subscribe(seq, (batch) => fold(batch, 'live'));
      if (kf) {
        if (keyframe) kf.log.info({ ...keyframe, tail: events }, 'state restored from a keyframe and the log after it');
        else kf.log.info({ events }, 'state folded from the whole log');
        // A start that folded much of the log writes a keyframe at once, so the next start need not.
        if (events >= kf.everyEvents || (keyframe === null && events > 0)) void write('periodic');
      }
      return { seq, events, keyframe };
    },
    tick() {
      advance();
      if (!kf || !started) return;
      const t = options.now();
      const day = localDay(t);
      const slot = slotOf(t);
      if (lastDay !== null && day > lastDay) void write('midnight');
      else if (lastSlot !== null && slot > lastSlot) void write('hour');
      else if (sinceKeyframe > 0 && t - lastKeyframeMs >= kf.everyMs) void write('periodic');
      lastDay = day;
      lastSlot = slot;
    },
    snapshot: snapshotAll,
    async writeKeyframe(kind = 'periodic') {
      // One in flight is of an older seq: let it finish, then write this one.
      if (writing) await writing;
      await write(kind);
    },
    async close() {
      unsubscribe?.();
      unsubscribe = undefined;
      await writing;
    },
  };
}

/** A fold that has no use for the phase or a clock, registered under `name`. */
export function projectionOf(
  name: string,
  fold: { apply(events: readonly StoredEvent[]): void; snapshotState?(): unknown; restoreState?(data: unknown): void },
): Projection {
  const p: Projection = { name, apply: (events) => fold.apply(events) };
  if (fold.snapshotState && fold.restoreState) {
    p.snapshot = () => fold.snapshotState!();
    p.restore = (data) => fold.restoreState!(data);
  }
  return p;
}
