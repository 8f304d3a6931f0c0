// The live feed: what just happened in the followed scope, told in domain terms (a ticket came in, a ticket
// was closed, a checkpoint turned orange, a ranger lost signal), derived from each delta by comparing its
// objects with the ones the client held. GPS pings and counter moves are not news and make no item.
import { WARNING_ORDER, type LonLat, type WarningColor } from '../../server/contract/areas';
import type { TicketCategory, TicketStatus, IncidentType } from '../../server/contract/events';
import type {
  CheckpointObject,
  DeltaWire,
  IncidentObject,
  RangerObject,
  Snapshot,
  TicketObject,
} from '../../server/contract/live';

export const FEED_LENGTH = 50;

export type FeedItem =
  | FeedBase<'ticket.created', { category: TicketCategory; title: string; urgent: boolean }>
  | FeedBase<'ticket.status', { status: TicketStatus; title: string }>
  | FeedBase<'ticket.overdue', { title: string }>
  | FeedBase<'checkpoint.color', { from: WarningColor; to: WarningColor; level: number | null; rising: boolean }>
  | FeedBase<'incident.reported', { type: IncidentType; rangerId: string }>
  | FeedBase<'incident.closed', Record<string, never>>
  | FeedBase<'ranger.patrolStarted', Record<string, never>>
  | FeedBase<'ranger.patrolEnded', Record<string, never>>
  | FeedBase<'ranger.signalLost', Record<string, never>>;

interface FeedBase<K extends string, P> {
  /** Unique within the feed: the kind, the object and the delta's seq. */
  id: string;
  kind: K;
  /** When it happened (epoch ms): the object's own time where it has one, else the delta's. */
  at: number;
  subject: { kind: 'ticket' | 'checkpoint' | 'ranger' | 'incident'; id: string };
  position: LonLat | null;
  /** Shown prominently and counted in the feed badge. */
  severe: boolean;
  params: P;
}

/** What the client held before the delta: read only. */
export interface HeldState {
  tickets: ReadonlyMap<string, TicketObject>;
  checkpoints: ReadonlyMap<string, CheckpointObject>;
  rangers: ReadonlyMap<string, RangerObject>;
  incidents: ReadonlyMap<string, IncidentObject>;
}

const rank = (c: WarningColor) => WARNING_ORDER.indexOf(c);

/** A ticket that came in; `seq` makes the id unique (the delta's toSeq, or the snapshot's seq). */
function ticketCreated(t: TicketObject, seq: number): FeedItem {
  return {
    id: `ticket.created:${t.id}:${seq}`,
    kind: 'ticket.created',
    at: Date.parse(t.createdAt),
    subject: { kind: 'ticket', id: t.id },
    position: t.position,
    severe: t.urgency === 'urgent',
    params: { category: t.category, title: t.title, urgent: t.urgency === 'urgent' },
  };
}

/** A patrol incident reported; fire risk and high severity are the ones a duty officer must not miss. */
function incidentReported(i: IncidentObject, seq: number): FeedItem {
  return {
    id: `incident.reported:${i.id}:${seq}`,
    kind: 'incident.reported',
    at: Date.parse(i.reportedAt),
    subject: { kind: 'incident', id: i.id },
    position: i.position,
    severe: i.type === 'fire_risk' || i.severity === 'high',
    params: { type: i.type, rangerId: i.rangerId },
  };
}

/**
 * The feed a page opens with: the newest tickets and incidents the snapshot holds, so that a duty officer who
 * just sat down sees what came in lately instead of an empty list. (Closures and colour changes are not in a
 * snapshot: those appear from the deltas on.)
 */
export function feedFromSnapshot(s: Pick<Snapshot, 'seq' | 'tickets' | 'incidents'>, limit = FEED_LENGTH): FeedItem[] {
  const out: FeedItem[] = s.tickets.map((t) => ticketCreated(t, s.seq));
  for (const i of s.incidents ?? []) out.push(incidentReported(i, s.seq));
  return out.sort((a, b) => b.at - a.at).slice(0, limit);
}

/** Feed items for one delta, newest first. `held` must be the state at wire.fromSeq. */
export function feedFromDelta(wire: DeltaWire, held: HeldState): FeedItem[] {
  const out: FeedItem[] = [];
  const at = Date.parse(wire.at);
  const tag = (kind: string, id: string) => `${kind}:${id}:${wire.toSeq}`;

  for (const t of wire.tickets?.upserts ?? []) {
    const before = held.tickets.get(t.id);
    const subject = { kind: 'ticket' as const, id: t.id };
    if (!before) {
      out.push(ticketCreated(t, wire.toSeq));
    } else if (before.status !== t.status) {
      out.push({
        id: tag('ticket.status', t.id),
        kind: 'ticket.status',
        at,
        subject,
        position: t.position,
        severe: false,
        params: { status: t.status, title: t.title },
      });
    } else if (!before.overdue && t.overdue) {
      out.push({
        id: tag('ticket.overdue', t.id),
        kind: 'ticket.overdue',
        at,
        subject,
        position: t.position,
        severe: true,
        params: { title: t.title },
      });
    }
  }
  for (const id of wire.tickets?.removals ?? []) {
    const before = held.tickets.get(id);
    // Closed tickets leave the map: that is the moment a citizen's problem is done.
    if (before && before.status !== 'closed') {
      out.push({
        id: tag('ticket.status', id),
        kind: 'ticket.status',
        at,
        subject: { kind: 'ticket', id },
        position: before.position,
        severe: false,
        params: { status: 'closed', title: before.title },
      });
    }
  }

  for (const c of wire.checkpoints?.upserts ?? []) {
    const before = held.checkpoints.get(c.id);
    const from = before?.color ?? 'none';
    if (from === c.color) continue;
    const rising = rank(c.color) > rank(from);
    out.push({
      id: tag('checkpoint.color', c.id),
      kind: 'checkpoint.color',
      at: c.readingAt ? Date.parse(c.readingAt) : at,
      subject: { kind: 'checkpoint', id: c.id },
      position: null,
      severe: rising && rank(c.color) >= rank('orange'),
      params: { from, to: c.color, level: c.level, rising },
    });
  }

  for (const i of wire.incidents?.upserts ?? []) {
    if (!held.incidents.has(i.id)) out.push(incidentReported(i, wire.toSeq));
  }
  for (const id of wire.incidents?.removals ?? []) {
    const before = held.incidents.get(id);
    if (before)
      out.push({
        id: tag('incident.closed', id),
        kind: 'incident.closed',
        at,
        subject: { kind: 'incident', id },
        position: before.position,
        severe: false,
        params: {},
      });
  }

  for (const r of wire.rangers?.upserts ?? []) {
    const before = held.rangers.get(r.id);
    const subject = { kind: 'ranger' as const, id: r.id };
    if (r.status === 'patrolling' && before?.status !== 'patrolling') {
      out.push({
        id: tag('ranger.patrolStarted', r.id),
        kind: 'ranger.patrolStarted',
        at,
        subject,
        position: r.position,
        severe: false,
        params: {},
      });
    } else if (r.status === 'idle' && before?.status === 'patrolling') {
      out.push({
        id: tag('ranger.patrolEnded', r.id),
        kind: 'ranger.patrolEnded',
        at,
        subject,
        position: r.position,
        severe: false,
        params: {},
      });
    }
    if (r.signalLost && before && !before.signalLost) {
      out.push({
        id: tag('ranger.signalLost', r.id),
        kind: 'ranger.signalLost',
        at,
        subject,
        position: r.position,
        severe: true,
        params: {},
      });
    }
  }
  return out.sort((a, b) => b.at - a.at);
}
