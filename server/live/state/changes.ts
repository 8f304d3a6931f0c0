// The change set: which aggregates and objects changed since the gateway last asked (takeChanges()). The fold
// marks, the gateway drains; a keyframe does not keep it (a restored state has nothing to send until it folds).
import type { AreaKey } from '../../contract/areas';
import type { LiveChanges, ObjectKind } from '../types';

type ByKind = Record<ObjectKind, Map<string, string | undefined>>;

const emptyKinds = (): ByKind => ({
  tickets: new Map(),
  checkpoints: new Map(),
  rangers: new Map(),
  incidents: new Map(),
});

export class ChangeSet {
  /** The seq of the last take(): the next one reports (takenSeq, seq]. */
  takenSeq = 0;
  private readonly dirty: Uint8Array;
  private dirtyList: number[] = [];
  private upserts = emptyKinds();
  private removals = emptyKinds();

  constructor(private readonly keys: readonly AreaKey[]) {
    this.dirty = new Uint8Array(keys.length);
  }

  /** Area `a`'s aggregate changed. */
  touch(a: number): void {
    if (this.dirty[a] === 0) {
      this.dirty[a] = 1;
      this.dirtyList.push(a);
    }
  }

  /** The object is (still) on the map, now in `town`. */
  upsert(kind: ObjectKind, id: string, town: string | undefined): void {
    const removals = this.removals[kind];
    if (removals.size > 0) removals.delete(id);
    this.upserts[kind].set(id, town);
  }

  /** The object left the map (it was in `town`). */
  remove(kind: ObjectKind, id: string, town: string | undefined): void {
    this.upserts[kind].delete(id);
    this.removals[kind].set(id, town);
  }

  /** What changed since the last call, up to `seq`; starts a new change set. */
  take(seq: number): LiveChanges {
    const aggregates = new Set<AreaKey>();
    for (const a of this.dirtyList) {
      aggregates.add(this.keys[a]!);
      this.dirty[a] = 0;
    }
    this.dirtyList = [];
    const changes: LiveChanges = {
      fromSeq: this.takenSeq,
      toSeq: seq,
      aggregates,
      upserts: this.upserts,
      removals: this.removals,
    };
    this.takenSeq = seq;
    this.upserts = emptyKinds();
    this.removals = emptyKinds();
    return changes;
  }

  /** Forgets every mark (after the constructor's set-up and a keyframe's restore: nothing to send yet). */
  clear(): void {
    this.dirty.fill(0);
    this.dirtyList = [];
    this.upserts = emptyKinds();
    this.removals = emptyKinds();
  }
}
