// The client store: one followed scope's live state, applied from the snapshot and the wire deltas by the
// contract's reference client (ScopeMirror: sequence check, trail tails), plus what the screen needs beside
// it: connection state, freshness, a feed of what just happened, and version counters per slice.
//
// The maps are mutated in place (a delta touches a few entries of thousands); React and deck.gl see a new
// *view* object only when publish() runs, at most a few times a second, and use the per-slice versions to
// know what changed (deck.gl updateTriggers, memoised lists). No React and no socket here: unit-testable.
import type { AreaKey } from '../../server/contract/areas';
import type {
  AreaAggregate,
  CheckpointObject,
  DeltaWire,
  IncidentObject,
  OnRequestWindow,
  RangerObject,
  Snapshot,
  TicketObject,
  TicketWindowKpis,
} from '../../server/contract/live';
import { ScopeMirror, type DeltaOutcome } from '../../server/contract/mirror';
import { feedFromDelta, feedFromSnapshot, FEED_LENGTH, type FeedItem } from './feed';

export type Connection = 'connecting' | 'live' | 'offline';

export type Slice = 'aggregates' | 'tickets' | 'checkpoints' | 'rangers' | 'incidents';
export type Versions = Readonly<Record<Slice, number>>;

/** What the screen reads: a new object per publish; the maps inside are the store's own (read only). */
export interface LiveView {
  /** The scope the state belongs to (null before the first snapshot). */
  scope: AreaKey | null;
  /** The scope the client asked for; differs from `scope` while a drill-down waits for its snapshot. */
  wanted: AreaKey;
  seq: number | null;
  connection: Connection;
  /** When the last snapshot or delta arrived (epoch ms). */
  receivedAt: number | null;
  aggregates: ReadonlyMap<AreaKey, AreaAggregate>;
  tickets: ReadonlyMap<string, TicketObject>;
  checkpoints: ReadonlyMap<string, CheckpointObject>;
  rangers: ReadonlyMap<string, RangerObject>;
  incidents: ReadonlyMap<string, IncidentObject>;
  /** Ordered keys of the scope: the scope first, then its children. */
  keys: readonly AreaKey[];
  versions: Versions;
  /** Newest first, at most FEED_LENGTH. */
  feed: readonly FeedItem[];
  /** Snapshots taken and gaps met since the store was made (the connection badge and tests read them). */
  snapshots: number;
  gaps: number;
}

const ZERO_VERSIONS: Versions = { aggregates: 0, tickets: 0, checkpoints: 0, rangers: 0, incidents: 0 };

export class LiveStore {
  private readonly mirror = new ScopeMirror();
  private readonly listeners = new Set<() => void>();
  private wanted: AreaKey;
  private connection: Connection = 'connecting';
  private receivedAt: number | null = null;
  private versions: Record<Slice, number> = { ...ZERO_VERSIONS };
  private feed: FeedItem[] = [];
  private dirty = false;
  private view: LiveView;

  constructor(scope: AreaKey) {
    this.wanted = scope;
    this.view = this.makeView();
  }

  /** The state's seq, or null when the store waits for a snapshot (never resume from a broken state). */
  get seq(): number | null {
    return this.mirror.seq;
  }

  get scope(): AreaKey | null {
    return this.mirror.scope;
  }

  get wantedScope(): AreaKey {
    return this.wanted;
  }

  /** A drill-down: the next snapshot of `scope` replaces the state; deltas of the old scope are ignored. */
  want(scope: AreaKey): void {
    if (scope === this.wanted) return;
    this.wanted = scope;
    this.dirty = true;
  }

  setConnection(connection: Connection): void {
    if (connection === this.connection) return;
    this.connection = connection;
    this.dirty = true;
  }

  applySnapshot(snapshot: Snapshot, now = Date.now()): void {
    if (snapshot.scope !== this.wanted) return; // a late answer to a scope the user has left
    this.mirror.applySnapshot(snapshot);
    for (const slice of Object.keys(this.versions) as Slice[]) this.versions[slice]++;
    // A new scope (or the first snapshot) opens with what came in lately; a resync keeps the feed it has.
    if (snapshot.scope !== this.view.scope || this.feed.length === 0) this.feed = feedFromSnapshot(snapshot);
    this.receivedAt = now;
    this.dirty = true;
  }

  /** Applies a wire delta; 'gap' means the state is void and the caller must ask for a snapshot. */
  applyDelta(wire: DeltaWire, now = Date.now()): DeltaOutcome {
    if (wire.scope !== this.wanted) return 'other-scope';
    // The feed compares with the objects as they were: read them before the mirror replaces them.
    const items = this.mirror.seq === wire.fromSeq ? feedFromDelta(wire, this.mirror) : [];
    const outcome = this.mirror.applyDelta(wire);
    this.receivedAt = now;
    this.dirty = true;
    if (outcome !== 'applied') return outcome;
    if (wire.patches.length > 0) this.versions.aggregates++;
    if (wire.tickets) this.versions.tickets++;
    if (wire.checkpoints) this.versions.checkpoints++;
    if (wire.rangers) this.versions.rangers++;
    if (wire.incidents) this.versions.incidents++;
    if (items.length > 0) this.feed = [...items, ...this.feed].slice(0, FEED_LENGTH);
    return outcome;
  }

  /**
   * Figures of a window the socket leaves out (fetched from GET /api/v1/aggregates) put into the scope's
   * aggregates; deltas keep them (applyAggregatePatch) until the next fetch. Another scope's figures are late.
   */
  mergeWindow(scope: AreaKey, window: OnRequestWindow, figures: ReadonlyMap<AreaKey, TicketWindowKpis>): void {
    if (scope !== this.mirror.scope) return;
    let changed = false;
    for (const [key, w] of figures) {
      const a = this.mirror.aggregates.get(key);
      if (!a) continue;
      a.tickets[window] = w;
      changed = true;
    }
    if (!changed) return;
    this.versions.aggregates++;
    this.dirty = true;
  }

  /** Hands subscribers a new view if anything changed since the last call; the controller calls it on a timer. */
  publish(): boolean {
    if (!this.dirty) return false;
    this.dirty = false;
    this.view = this.makeView();
    for (const listener of this.listeners) listener();
    return true;
  }

  getView = (): LiveView => this.view;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private makeView(): LiveView {
    const m = this.mirror;
    return {
      scope: m.scope,
      wanted: this.wanted,
      seq: m.seq,
      connection: this.connection,
      receivedAt: this.receivedAt,
      aggregates: m.aggregates,
      tickets: m.tickets,
      checkpoints: m.checkpoints,
      rangers: m.rangers,
      incidents: m.incidents,
      keys: m.keys,
      versions: { ...this.versions },
      feed: this.feed,
      snapshots: m.snapshots,
      gaps: m.gaps,
    };
  }
}
