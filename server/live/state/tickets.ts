// The ticket family's reducer: creation, status, escalation, close, rating, follow-up (回访) and supervision
// (督办), the response outcome, deadlines against the clock and the end of retention. It changes the ticket
// records (records.ts, held by the TicketBook), the counters and their window facts, and marks the change set.
//
// - responseRate counts a ticket once its response is settled: answered by responseDueAt (counted at the
//   answer's time) or not answered by then (counted at responseDueAt, once the clock is past it or a
//   later-dated answer arrives). If the clock settled a miss and an answer dated in time is folded later, the
//   miss is taken back.
// - resolutionRate: the handler's verdict (ticket.closed) counts at the close; the follow-up call has the last
//   word: its "resolved?" takes the handler's verdict back at the close's time and counts at the call's time.
// - open: not closed, any age. overdue: open and now > resolveDueAt. nearDeadline: open, not overdue and now >
//   nearMs (deadlines.ts). A deadline instant itself is still in time.
import { TICKET_STATUS_ORDER, type EventOf, type Place } from '../../contract/events';
import type { TicketFollowUp } from '../../contract/live';
import { ticketDeadlines } from '../deadlines';
import {
  RESP_LATE,
  RESP_MISSED_BY_CLOCK,
  RESP_ON_TIME,
  RESP_PENDING,
  TicketRec,
  VERDICT_NONE,
  VERDICT_RESOLVED,
  VERDICT_UNRESOLVED,
} from '../records';
import type { FoldContext, Reducers, TicketKind } from './context';
import {
  C_NEAR,
  C_OPEN,
  C_OVERDUE,
  CATEGORY_INDEX,
  fact,
  K_CLOSED,
  K_CREATED,
  K_RATED,
  K_RESPONSE,
  K_VERDICT,
  NCAT,
  PROACTIVE_FLAG,
} from './layout';
import { TicketBook } from './ticket-book';

const CLOSED_INDEX = TICKET_STATUS_ORDER.length - 1;
const IN_PROGRESS_INDEX = TICKET_STATUS_ORDER.indexOf('in_progress');

export class TicketReducer {
  readonly book = new TicketBook();
  readonly reducers: Reducers<TicketKind> = {
    'ticket.created': (e, place, ms) => this.created(e, place, ms),
    'ticket.updated': (e, _, ms) => this.updated(e, ms),
    'ticket.escalated': (e) => this.escalated(e),
    'ticket.closed': (e, _, ms) => this.closedEvent(e, ms),
    'ticket.rated': (e, _, ms) => this.rated(e, ms),
    'ticket.followed_up': (e, _, ms) => this.followedUp(e, ms),
    'ticket.supervised': (e, _, ms) => this.supervised(e, ms),
  };

  constructor(private readonly x: FoldContext) {}

  private town(rec: TicketRec): string | undefined {
    return this.x.areas.townOf(rec.chain);
  }

  private created(e: EventOf<'ticket.created'>, place: Place | undefined, ms: number): void {
    const { x, book } = this;
    if (book.all.has(e.ticketId)) return; // a second create for the same ticket is a producer retry
    const due = ticketDeadlines(ms, e, x.o.deadlines, x.o.nearDeadlineFraction);
    const catIdx = CATEGORY_INDEX.get(e.category) ?? NCAT - 1;
    const chain = x.areas.chainOfPlace(place);
    const rec = new TicketRec(
      e.ticketId,
      book.nextOrder(),
      e.category,
      catIdx,
      e.urgency,
      e.title,
      e.location.lon,
      e.location.lat,
      place ? { ...place } : undefined,
      chain,
      e.time,
      ms,
      due.respondDueMs,
      due.resolveDueMs,
      due.nearMs,
      e.responseDueAt,
      e.resolveDueAt,
    );
    if (e.address !== undefined) rec.address = e.address;
    if (e.mediaUrl !== undefined) rec.mediaUrl = e.mediaUrl;
    book.add(rec);
    x.counters.add(chain, C_OPEN, 1);
    // 未诉先办: the channel says who raised it; a grid worker's ticket came before any citizen's call.
    x.counters.addFact(ms, fact(K_CREATED, e.channel === 'grid_worker' ? catIdx | PROACTIVE_FLAG : catIdx), chain, 1);
    this.refreshDeadlines(rec);
    x.changes.upsert('tickets', rec.id, this.town(rec));
  }

  private updated(e: EventOf<'ticket.updated'>, ms: number): void {
    const rec = this.book.all.get(e.ticketId);
    if (!rec || rec.status === 'closed') return;
    const idx = TICKET_STATUS_ORDER.indexOf(e.status);
    // The response (响应) is the first contact with the citizen: 办理 in progress or anything after it, even
    // out of order. 派单 (dispatch) is an internal hand-over within minutes and would make every response
    // rate 100 %.
    if (idx >= IN_PROGRESS_INDEX) this.respond(rec, ms);
    if (e.status === 'closed') {
      if (e.assignee !== undefined) rec.assignee = e.assignee;
      this.close(rec, ms, VERDICT_NONE);
      return;
    }
    let changed = false;
    // Statuses only move forward: a replayed older status is late news, not a step back.
    if (idx > rec.statusIdx) {
      rec.status = e.status;
      rec.statusIdx = idx;
      changed = true;
    }
    if (e.assignee !== undefined && e.assignee !== rec.assignee) {
      rec.assignee = e.assignee;
      changed = true;
    }
    if (changed) this.x.changes.upsert('tickets', rec.id, this.town(rec));
  }

  private escalated(e: EventOf<'ticket.escalated'>): void {
    const rec = this.book.all.get(e.ticketId);
    if (!rec || rec.status === 'closed') return;
    let changed = false;
    for (const d of e.departments) {
      if (!rec.escalatedTo.includes(d)) {
        rec.escalatedTo.push(d);
        changed = true;
      }
    }
    if (changed) this.x.changes.upsert('tickets', rec.id, this.town(rec));
  }

  private closedEvent(e: EventOf<'ticket.closed'>, ms: number): void {
    const rec = this.book.all.get(e.ticketId);
    if (!rec) return;
    const verdict = e.resolved ? VERDICT_RESOLVED : VERDICT_UNRESOLVED;
    if (rec.status !== 'closed') {
      this.respond(rec, ms);
      this.close(rec, ms, verdict);
    } else if (rec.verdict === VERDICT_NONE) {
      // Closed earlier through ticket.updated: the verdict completes that close, dated when it happened
      // (unless a follow-up has answered already: its verdict counts instead).
      rec.verdict = verdict;
      if (!rec.followed) this.x.counters.addFact(rec.closedMs, fact(K_VERDICT, verdict), rec.chain, 1);
    }
  }

  private rated(e: EventOf<'ticket.rated'>, ms: number): void {
    const t = this.book.followUpTarget(e.ticketId);
    // One 回访 per ticket counts: a second call about the same ticket does not double its weight.
    if (!t || t.rated) return;
    t.rated = true;
    this.x.counters.addFact(ms, fact(K_RATED, e.satisfied ? 1 : 0), t.chain, 1);
    if (t instanceof TicketRec) this.noteFollowUp(t, e, undefined, e.satisfied);
  }

  /**
   * Keeps on the ticket what its follow-up counted, for its detail: an answer only where it counted (the first
   * per question), and when and by whom the latest call that gave one was made (a call that reached nobody
   * stands only until one answers). A ticket on the map shows it at once.
   */
  private noteFollowUp(
    rec: TicketRec,
    e: { time: string; by?: string; score?: number },
    resolved: boolean | undefined,
    satisfied: boolean | undefined,
  ): void {
    const answered = resolved !== undefined || satisfied !== undefined;
    if (!answered && rec.followUp) return;
    const f: TicketFollowUp = { ...rec.followUp, at: e.time };
    if (e.by !== undefined) f.by = e.by;
    else delete f.by;
    if (resolved !== undefined) f.resolved = resolved;
    if (satisfied !== undefined) {
      f.satisfied = satisfied;
      if (e.score !== undefined) f.score = e.score;
    }
    rec.followUp = f;
    if (rec.status !== 'closed') this.x.changes.upsert('tickets', rec.id, this.town(rec));
  }

  /**
   * 督办: counted on the ticket, the latest by its time kept; no aggregate changes. A closed ticket (or one the
   * state no longer holds) has nothing left to supervise.
   */
  private supervised(e: EventOf<'ticket.supervised'>, ms: number): void {
    const rec = this.book.all.get(e.ticketId);
    if (!rec || rec.status === 'closed') return;
    const prev = rec.supervision;
    const count = (prev?.count ?? 0) + 1;
    const prevMs = prev ? Date.parse(prev.at) : -1;
    // A supervision folded late (dated before the one kept) adds to the count only.
    if (prev && ms < prevMs) rec.supervision = { ...prev, count };
    else {
      this.x.observer?.supervised?.(this.x.areas.chains[rec.chain]!, prevMs, ms);
      rec.supervision = {
        count,
        at: e.time,
        by: e.by,
        level: e.level,
        ...(e.note !== undefined ? { note: e.note } : {}),
      };
    }
    this.x.changes.upsert('tickets', rec.id, this.town(rec));
  }

  /**
   * 回访: its satisfaction counts like a rating (the first per ticket), by the call's time; its "resolved?"
   * replaces the handler's verdict: that one is taken back where it was counted (the close's time), the
   * citizen's counts at the call's time. Only the first follow-up that answers each question counts.
   */
  private followedUp(e: EventOf<'ticket.followed_up'>, ms: number): void {
    const t = this.book.followUpTarget(e.ticketId);
    if (!t) return;
    const counters = this.x.counters;
    const satisfied = e.satisfied !== undefined && !t.rated ? e.satisfied : undefined;
    const resolved = e.resolved !== undefined && !t.followed ? e.resolved : undefined;
    if (satisfied !== undefined) {
      t.rated = true;
      counters.addFact(ms, fact(K_RATED, satisfied ? 1 : 0), t.chain, 1);
    }
    if (resolved !== undefined) {
      t.followed = true;
      if (t.verdict !== VERDICT_NONE && Number.isFinite(t.closedMs))
        counters.addFact(t.closedMs, fact(K_VERDICT, t.verdict), t.chain, -1);
      counters.addFact(ms, fact(K_VERDICT, resolved ? VERDICT_RESOLVED : VERDICT_UNRESOLVED), t.chain, 1);
    }
    if (t instanceof TicketRec) this.noteFollowUp(t, e, resolved, satisfied);
  }

  /** A response dated `ms`; only the first one settles the response outcome. */
  private respond(rec: TicketRec, ms: number): void {
    const counters = this.x.counters;
    if (rec.resp === RESP_PENDING) {
      if (ms <= rec.respDueMs) {
        rec.resp = RESP_ON_TIME;
        counters.addFact(ms, fact(K_RESPONSE, 1), rec.chain, 1);
      } else {
        rec.resp = RESP_LATE;
        counters.addFact(rec.respDueMs, fact(K_RESPONSE, 0), rec.chain, 1);
      }
      this.schedule(rec);
    } else if (rec.resp === RESP_MISSED_BY_CLOCK && ms <= rec.respDueMs) {
      // The clock ran past the deadline before this (in-time) response was folded: take the miss back.
      rec.resp = RESP_ON_TIME;
      counters.addFact(rec.respDueMs, fact(K_RESPONSE, 0), rec.chain, -1);
      counters.addFact(ms, fact(K_RESPONSE, 1), rec.chain, 1);
    } else if (rec.resp === RESP_MISSED_BY_CLOCK) {
      // A late first response settles the miss the clock counted: final, as if it had been folded before the
      // clock passed (where a batch or a restart begins must not decide whether a later response may count).
      rec.resp = RESP_LATE;
    }
  }

  private close(rec: TicketRec, ms: number, verdict: number): void {
    const { counters, timers, changes, o } = this.x;
    const chain = rec.chain;
    counters.add(chain, C_OPEN, -1);
    if (rec.overdue) counters.add(chain, C_OVERDUE, -1);
    if (rec.near) counters.add(chain, C_NEAR, -1);
    rec.overdue = false;
    rec.near = false;
    if (rec.supervision) this.x.observer?.supervisedClosed?.(this.x.areas.chains[chain]!);
    rec.status = 'closed';
    rec.statusIdx = CLOSED_INDEX;
    rec.closedMs = ms;
    rec.verdict = verdict;
    // Followed up before the close (rare): the citizen's verdict counts already, the handler's does not.
    counters.addFact(ms, fact(K_CLOSED, rec.followed ? VERDICT_NONE : verdict), chain, 1);
    this.schedule(rec);
    changes.remove('tickets', rec.id, this.town(rec));
    this.book.closed(rec, o.closedTicketRetentionMax, (oldest) => timers.schedule(oldest, Infinity));
  }

  /** Overdue and near-deadline against the clock; counts and marks the ticket when either flips. */
  private refreshDeadlines(rec: TicketRec): void {
    const { counters } = this.x;
    const now = counters.now;
    const overdue = now > rec.resolveDueMs;
    const near = !overdue && now > rec.nearMs;
    if (overdue !== rec.overdue || near !== rec.near) {
      if (overdue !== rec.overdue) counters.add(rec.chain, C_OVERDUE, overdue ? 1 : -1);
      if (near !== rec.near) counters.add(rec.chain, C_NEAR, near ? 1 : -1);
      rec.overdue = overdue;
      rec.near = near;
      this.x.changes.upsert('tickets', rec.id, this.town(rec));
    }
    this.schedule(rec);
  }

  /** Queues the ticket's next transition: a deadline while open, the end of retention once closed. */
  private schedule(rec: TicketRec): void {
    let due = Infinity;
    if (rec.status === 'closed') {
      due = rec.closedMs + this.x.o.closedTicketRetentionMs;
    } else {
      if (rec.resp === RESP_PENDING) due = rec.respDueMs;
      if (!rec.near && !rec.overdue) due = Math.min(due, rec.nearMs);
      if (!rec.overdue) due = Math.min(due, rec.resolveDueMs);
    }
    this.x.timers.schedule(rec, due);
  }

  /** The ticket's timer ran out: a missed response, a deadline, or the end of its retention. */
  timer(rec: TicketRec): void {
    if (rec.status === 'closed') {
      if (!rec.dropped) this.book.drop(rec);
      return;
    }
    if (rec.resp === RESP_PENDING && this.x.counters.now > rec.respDueMs) {
      rec.resp = RESP_MISSED_BY_CLOCK;
      this.x.counters.addFact(rec.respDueMs, fact(K_RESPONSE, 0), rec.chain, 1);
    }
    this.refreshDeadlines(rec);
  }
}
