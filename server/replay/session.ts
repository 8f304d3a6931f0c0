// One replay: a live state of its own, rebuilt from the store up to the window's start, then moved forward
// through the log as the playback clock runs. State is a fold of the log, so the past is the same fold stopped
// earlier: what a server started at that moment would have shown.
//
// Which events belong to "the state at time T": the log in seq order, up to the last event before the first one
// timed after T. Event times are not quite monotone in seq (devices are late, clocks skew), so the cut uses
// their running maximum (the envelope): it stops at a seq and never skips an event inside the prefix, so the
// replay's state at a moment is always the live state at some seq, and equals it (tests/integration/replay).
import type { AreaKey, AreaTree } from '../contract/areas';
import type { StoredEvent } from '../contract/events';
import type { DeltaWire, Snapshot } from '../contract/live';
import type { ReplaySpeed, ReplayStatus } from '../contract/replay';
import type { Geo } from '../geo/load';
import type { LiveOptions } from '../live/options';
import { createLiveState } from '../live/state';
import { decodeKeyframe } from '../live/keyframes';
import type { KeyframeState, LiveState } from '../live/types';
import type { EventStore, KeyframeStore } from '../store/types';
import { scopeFrames, type ScopeFrames } from './frames';

/** Events per store read while folding: large enough to amortise the query, small enough to bound memory. */
const READ_BATCH = 5000;
/** One step of the step button: a minute of history. */
export const STEP_MS = 60_000;

export interface ReplayDeps {
  geo: Geo;
  store: EventStore;
  live?: Partial<LiveOptions>;
  /**
   * The projection host's keyframes (live/host.ts): a replay starts from the newest one taken at or before its
   * moment and folds only the log after it. Absent: it folds the log from its start.
   */
  keyframes?: { store: KeyframeStore; version: string; part: string };
}

export interface ReplayWindow {
  scope: AreaKey;
  fromMs: number;
  toMs: number;
  atMs?: number;
  speed?: ReplaySpeed;
}

const eventTime = (e: StoredEvent): number => {
  const t = Date.parse(e.event.time);
  return Number.isNaN(t) ? 0 : t;
};

export class ReplaySession {
  private frames: ScopeFrames;
  private cursor = 0;
  private envelope = 0;
  /** Read from the store but not yet folded: they lie after the moment shown. */
  private pending: StoredEvent[] = [];
  playing = false;

  private constructor(
    private readonly deps: ReplayDeps,
    private readonly live: LiveState,
    private readonly tree: AreaTree,
    private _scope: AreaKey,
    readonly fromMs: number,
    readonly toMs: number,
    private _at: number,
    public speed: ReplaySpeed,
  ) {
    this.frames = scopeFrames(live, tree, _scope, deps.live?.trailMs ?? 30 * 60_000);
  }

  /** Folds the log up to the start moment; the session is then paused there. */
  static async open(deps: ReplayDeps, w: ReplayWindow): Promise<ReplaySession> {
    const at = Math.min(Math.max(w.atMs ?? w.fromMs, w.fromMs), w.toMs);
    const live = createLiveState(deps.geo, deps.live, at);
    const session = new ReplaySession(deps, live, deps.geo.tree, w.scope, w.fromMs, w.toMs, at, w.speed ?? 60);
    await session.startFromKeyframe(at);
    await session.foldUntil(at);
    live.advance(at);
    // The fold's changes are in the snapshot that follows; only what happens after it goes into deltas.
    live.takeChanges();
    return session;
  }

  get at(): number {
    return this._at;
  }

  get scope(): AreaKey {
    return this._scope;
  }

  get seq(): number {
    return this.live.seq;
  }

  status(): ReplayStatus {
    return {
      scope: this._scope,
      from: this.fromMs,
      to: this.toMs,
      at: this._at,
      speed: this.speed,
      playing: this.playing,
      seq: this.live.seq,
      ended: this._at >= this.toMs,
    };
  }

  /** The scope's state at the moment shown; the next delta follows it. */
  snapshot(): Snapshot {
    return this.frames.snapshot();
  }

  /** Another area at the same moment (the live state is the whole district's; only the frames change). */
  rescope(scope: AreaKey): void {
    this._scope = scope;
    this.frames = scopeFrames(this.live, this.tree, scope, this.deps.live?.trailMs ?? 30 * 60_000);
  }

  /**
   * Moves the moment shown forward to `toMs` (capped at the window's end; never back: that is a new session)
   * and returns what changed in the scope, or null.
   */
  async moveTo(toMs: number): Promise<DeltaWire | null> {
    const target = Math.min(toMs, this.toMs);
    if (target <= this._at) return null;
    await this.foldUntil(target);
    this._at = target;
    this.live.advance(target);
    if (this._at >= this.toMs) this.playing = false;
    return this.frames.delta(this.live.takeChanges(), new Date(target).toISOString());
  }

  /**
   * Restores the live state of the newest keyframe whose clock and every folded event lie at or before `t`, so
   * that the log before it is not folded again; nothing when there is none (or it cannot be read).
   */
  private async startFromKeyframe(t: number): Promise<void> {
    const k = this.deps.keyframes;
    if (!k) return;
    const stored = await k.store.latest({ maxTakenMs: t, maxEnvelopeMs: t });
    if (!stored) return;
    const decoded = decodeKeyframe(stored, k.version);
    if (!decoded.ok || !decoded.names.includes(k.part)) return;
    const part = decoded.part(k.part) as { live: unknown };
    (this.live as LiveState & KeyframeState).restoreState(part.live);
    this.cursor = stored.seq;
    this.envelope = stored.envelopeMs;
  }

  /** Folds every event of the envelope prefix up to `t`. */
  private async foldUntil(t: number): Promise<void> {
    for (;;) {
      if (this.pending.length === 0) {
        // At the end of the log this read finds nothing, and is asked again next frame: a replay that reaches
        // the present keeps picking up what arrives.
        this.pending = await this.deps.store.read(this.cursor, READ_BATCH);
        if (this.pending.length === 0) return;
        this.cursor = this.pending[this.pending.length - 1]!.seq;
      }
      let k = 0;
      let envelope = this.envelope;
      while (k < this.pending.length) {
        const next = Math.max(envelope, eventTime(this.pending[k]!));
        if (next > t) break;
        envelope = next;
        k++;
      }
      if (k > 0) {
        this.live.apply(k === this.pending.length ? this.pending : this.pending.slice(0, k));
        this.envelope = envelope;
        this.pending = k === this.pending.length ? [] : this.pending.slice(k);
      }
      if (this.pending.length > 0) return;
    }
  }
}
