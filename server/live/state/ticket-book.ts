// The tickets the live state holds: every open one, closed ones until their retention ends (by age, or past a
// count, the longest closed first), and for dropped ones what a later rating or follow-up still needs. Also the
// order lists are read in (newest first), kept sorted and compacted lazily.
import { TicketRec, type FollowUpTarget } from '../records';
import { refill } from './context';

/**
 * Forgotten tickets kept for their follow-ups: about 40 bytes of fields and a Map entry each, so 200,000 (some
 * eight months of the district's tickets) cost about 20 MB; a follow-up older than that is not counted.
 */
const FORGOTTEN_MAX = 200_000;

/** What a keyframe keeps of the book. */
export interface TicketBookSnapshot {
  tickets: Map<string, TicketRec>;
  openTickets: Map<string, TicketRec>;
  forgotten: Map<string, FollowUpTarget>;
  ticketOrder: TicketRec[];
  ticketOrderSorted: boolean;
  droppedTickets: number;
  closedQueue: TicketRec[];
  closedHeld: number;
  ticketCount: number;
}

export class TicketBook {
  /** Open tickets and closed ones still retained. */
  readonly all = new Map<string, TicketRec>();
  readonly open = new Map<string, TicketRec>();
  /** Dropped closed tickets, as much as a later rating or follow-up needs (FollowUpTarget). */
  private readonly forgotten = new Map<string, FollowUpTarget>();
  private order: TicketRec[] = [];
  private orderSorted = true;
  private droppedCount = 0;
  /** Closed tickets in the order they closed (from closedHead on), for the count limit of the retention. */
  private closedQueue: TicketRec[] = [];
  private closedHead = 0;
  private closedHeld = 0;
  private count = 0;

  /** Creation order of the next ticket: the tie-break for "newest first". */
  nextOrder(): number {
    return this.count++;
  }

  add(rec: TicketRec): void {
    this.all.set(rec.id, rec);
    this.open.set(rec.id, rec);
    const last = this.order[this.order.length - 1];
    if (last && last.createdMs > rec.createdMs) this.orderSorted = false;
    this.order.push(rec);
  }

  /** An open or closed ticket, or what is kept of a forgotten one: what a rating or a follow-up needs. */
  followUpTarget(ticketId: string): FollowUpTarget | undefined {
    return this.all.get(ticketId) ?? this.forgotten.get(ticketId);
  }

  /**
   * The ticket closed: it leaves the open set and joins the retention queue. Past `max` closed tickets the
   * longest closed are dropped, each taken off the clock by `unschedule` first.
   */
  closed(rec: TicketRec, max: number, unschedule: (oldest: TicketRec) => void): void {
    this.open.delete(rec.id);
    this.closedQueue.push(rec);
    this.closedHeld++;
    while (this.closedHeld > max) {
      const oldest = this.closedQueue[this.closedHead++]!;
      if (oldest.dropped) continue; // its time ran out earlier
      unschedule(oldest);
      this.drop(oldest);
    }
    if (this.closedHead > 4096 && this.closedHead * 2 > this.closedQueue.length) {
      this.closedQueue = this.closedQueue.slice(this.closedHead);
      this.closedHead = 0;
    }
  }

  /** Forgets a closed ticket (a later rating of it is ignored); its facts stay in the windows. */
  drop(rec: TicketRec): void {
    if (this.all.get(rec.id) === rec) this.all.delete(rec.id);
    rec.dropped = true;
    // Kept small for a later follow-up; the oldest go first past the limit (a Map iterates in insertion order).
    this.forgotten.set(rec.id, {
      chain: rec.chain,
      closedMs: rec.closedMs,
      verdict: rec.verdict,
      rated: rec.rated,
      followed: rec.followed,
    });
    if (this.forgotten.size > FORGOTTEN_MAX) this.forgotten.delete(this.forgotten.keys().next().value!);
    this.droppedCount++;
    this.closedHeld--;
    // Here as well as on read: a server nobody asks for ticket lists would otherwise hold every dropped one.
    this.compactOrder();
  }

  /** Held tickets, oldest first (creation time, then creation order); dropped ones may still be in it. */
  ordered(): readonly TicketRec[] {
    this.compactOrder();
    if (!this.orderSorted) {
      this.order.sort((x, y) => x.createdMs - y.createdMs || x.order - y.order);
      this.orderSorted = true;
    }
    return this.order;
  }

  /** Lets the dropped tickets go once they are more than half of the ordering array (amortised O(1) a drop). */
  private compactOrder(): void {
    if (this.droppedCount > 1024 && this.droppedCount * 2 > this.order.length) {
      this.order = this.order.filter((t) => !t.dropped);
      this.droppedCount = 0;
    }
  }

  snapshot(): TicketBookSnapshot {
    return {
      tickets: this.all,
      openTickets: this.open,
      forgotten: this.forgotten,
      ticketOrder: this.order,
      ticketOrderSorted: this.orderSorted,
      droppedTickets: this.droppedCount,
      closedQueue: this.closedQueue.slice(this.closedHead),
      closedHeld: this.closedHeld,
      ticketCount: this.count,
    };
  }

  restore(s: TicketBookSnapshot): void {
    // A deserialised record is a plain object: the timer loop tells tickets from rangers by their class.
    for (const t of s.tickets.values()) Object.setPrototypeOf(t, TicketRec.prototype);
    refill(this.all, s.tickets);
    refill(this.open, s.openTickets);
    refill(this.forgotten, s.forgotten);
    this.order = s.ticketOrder;
    this.orderSorted = s.ticketOrderSorted;
    this.droppedCount = s.droppedTickets;
    this.closedQueue = s.closedQueue;
    this.closedHead = 0;
    this.closedHeld = s.closedHeld;
    this.count = s.ticketCount;
  }
}
