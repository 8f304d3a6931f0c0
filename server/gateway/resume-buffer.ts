// The bounded memory of recent deltas of one room, and the one question a resume asks of it: can the deltas
// since lastSeq be replayed with certainty, and which are they?
import type { DeltaWire } from '../contract/live';

interface Entry {
  wire: DeltaWire;
  atMs: number;
}

/**
 * Deltas of one room, oldest first, contiguous (each fromSeq is the previous toSeq). Bounded by count and age.
 *
 * A seq alone does not always say where a client stands: after a clock-only delta (fromSeq === toSeq === S) a
 * client is at S whether it got that delta or not. Replaying from the first delta with fromSeq === S is always
 * safe (patches hold absolute values, so re-applying one is a no-op), but only if that first delta is still
 * here. `floor` records what was trimmed: positions at or before it cannot be proved covered.
 */
export class ResumeBuffer {
  private readonly entries: Entry[] = [];
  /** Positions after floorSeq are covered; floorSeq itself only when the last trimmed delta ended there by events. */
  private floorSeq: number;
  private floorInclusive = false;

  /**
   * @param startSeq the room's chain position when it began. Exclusive: what happened at that seq before the
   * room existed (clock-only changes) was never recorded, so a client claiming exactly startSeq gets a snapshot.
   */
  constructor(
    startSeq: number,
    private readonly limit: number,
    private readonly maxAgeMs: number,
  ) {
    this.floorSeq = startSeq;
  }

  get size(): number {
    return this.entries.length;
  }

  push(wire: DeltaWire, atMs: number): void {
    this.entries.push({ wire, atMs });
    this.trim(atMs);
  }

  /** Drops deltas beyond the count limit or older than maxAgeMs. */
  trim(nowMs: number): void {
    let drop = 0;
    while (
      drop < this.entries.length &&
      (this.entries.length - drop > this.limit || nowMs - this.entries[drop]!.atMs > this.maxAgeMs)
    ) {
      drop += 1;
    }
    if (drop === 0) return;
    const last = this.entries[drop - 1]!.wire;
    this.floorSeq = last.toSeq;
    this.floorInclusive = last.fromSeq < last.toSeq;
    this.entries.splice(0, drop);
  }

  /**
   * The deltas that bring a client at lastSeq to `head`, in order (empty when it is there already), or null
   * when the buffer cannot prove it: lastSeq trimmed away, ahead of head, or not a position of this room's
   * chain (a client of another node or an older process). Null means: send a snapshot.
   */
  since(lastSeq: number, head: number): DeltaWire[] | null {
    if (lastSeq > head) return null;
    if (lastSeq < this.floorSeq || (lastSeq === this.floorSeq && !this.floorInclusive)) return null;
    const first = this.entries.findIndex((e) => e.wire.fromSeq === lastSeq);
    if (first < 0) return lastSeq === head ? [] : null;
    return this.entries.slice(first).map((e) => e.wire);
  }
}
