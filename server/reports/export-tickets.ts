// Tickets as CSV rows and GeoJSON features, from one of two sources:
// - now (no window): the live state's ticket list, page by page (open tickets and the closed ones it retains),
//   exactly what GET /api/v1/tickets pages through;
// - a window [from, to): the tickets created in it, each folded from its events in the log up to `to`, read
//   with store.scan() one batch at a time. Only tickets still open are held: a closed ticket's row is final
//   (later updates and escalations of a closed ticket change nothing, as in the live state), so it is written
//   at its close and forgotten. Memory is the window's open tickets, never the log.
// The fold follows the live state's ticket rules (live/state/tickets.ts: first create wins, statuses only move
// forward, deadlines from the event or from its urgency, overdue / near deadline against the clock).
import type { AreaKey, AreaTree } from '../contract/areas';
import type { UrgencyDeadlines } from '../contract/config-defaults';
import { ticketDeadlines } from '../live/deadlines';
import {
  TICKET_STATUS_ORDER,
  type Department,
  type Place,
  type StoredEvent,
  type TicketCategory,
  type TicketStatus,
  type Urgency,
} from '../contract/events';
import type { TicketFollowUp, TicketObject, TicketSupervision } from '../contract/live';
import { isoLocal } from '../contract/time';
import type { LiveState, TicketQuery } from '../live/types';
import { type EventStore, SCAN_BATCH } from '../store/types';
import { csvRow, type CsvValue, type Write } from './csv';
import type { TimeWindow } from './ticket-filter';

/** The live state pages at most this many. */
const LIVE_PAGE = 1000;

export const TICKET_CSV_COLUMNS = [
  'id',
  'title',
  'category',
  'urgency',
  'status',
  'created_at',
  'response_due_at',
  'resolve_due_at',
  'overdue',
  'near_deadline',
  'assignee',
  'escalated_to',
  'town_id',
  'town',
  'grid_id',
  'property_id',
  'forest_id',
  'lon',
  'lat',
] as const;

/** A producer's time as Beijing time with +08:00: a spreadsheet shows what the duty officer saw. */
const local = (iso: string): string => {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : isoLocal(ms);
};

export function ticketCsvRow(t: TicketObject, tree: Pick<AreaTree, 'nodes'>): string {
  const townId = t.place?.townId;
  const values: CsvValue[] = [
    t.id,
    t.title,
    t.category,
    t.urgency,
    t.status,
    local(t.createdAt),
    local(t.responseDueAt),
    local(t.resolveDueAt),
    t.overdue,
    t.nearDeadline,
    t.assignee,
    t.escalatedTo.join(';'),
    townId,
    townId === undefined ? undefined : tree.nodes[`town:${townId}`]?.name,
    t.place?.gridId,
    t.place?.propertyId,
    t.place?.forestId,
    t.position[0],
    t.position[1],
  ];
  return csvRow(values);
}

/** A GeoJSON Point feature; the properties are the ticket as GET /api/v1/tickets has it, less the position. */
export function ticketFeature(t: TicketObject): string {
  const { position, ...properties } = t;
  return JSON.stringify({ type: 'Feature', id: t.id, geometry: { type: 'Point', coordinates: position }, properties });
}

/** Where the rows go: one call per ticket that passes the filter. */
export type TicketSink = (t: TicketObject) => Promise<void>;

/**
 * The live state's tickets for the query, newest first, page by page. Tickets created while the export runs
 * shift the pages; an id already written is skipped, so none is written twice.
 */
export async function liveTickets(
  live: Pick<LiveState, 'tickets'>,
  query: TicketQuery,
  sink: TicketSink,
): Promise<number> {
  const written = new Set<string>();
  for (let offset = 0; ; offset += LIVE_PAGE) {
    const page = live.tickets({ ...query, offset, limit: LIVE_PAGE });
    for (const t of page.items) {
      if (written.has(t.id)) continue;
      written.add(t.id);
      await sink(t);
    }
    if (page.items.length < LIVE_PAGE || offset + LIVE_PAGE >= page.total) return written.size;
  }
}

export interface TicketFoldOptions {
  tree: Pick<AreaTree, 'nodes'>;
  deadlines: UrgencyDeadlines;
  nearDeadlineFraction: number;
}

interface OpenTicket {
  id: string;
  category: TicketCategory;
  urgency: Urgency;
  title: string;
  position: [number, number];
  place: Place | undefined;
  createdAt: string;
  createdMs: number;
  responseDueAt: string;
  resolveDueMs: number;
  resolveDueAt: string;
  nearMs: number;
  status: TicketStatus;
  statusIdx: number;
  escalatedTo: Department[];
  assignee: string | undefined;
  /** As the live state keeps them (live/state/tickets.ts): a rating or a follow-up already counted, and what shows. */
  rated: boolean;
  followed: boolean;
  followUp?: TicketFollowUp;
  supervision?: TicketSupervision;
}

/** True when a ticket placed at `place` lies in `area` (any level), as the live state's chains decide. */
export function placeIn(place: Place | undefined, area: AreaKey, tree: Pick<AreaTree, 'nodes'>): boolean {
  const node = tree.nodes[area];
  if (!node) return false;
  switch (node.level) {
    case 'district':
      return true;
    case 'town': {
      if (place?.townId !== undefined) return place.townId === node.id;
      // A place with a cell but no town still counts in the cell's town (live/areas.ts).
      const cell = place?.gridId ?? place?.propertyId ?? place?.forestId;
      const level = place?.gridId !== undefined ? 'grid' : place?.propertyId !== undefined ? 'property' : 'forest';
      return cell !== undefined && tree.nodes[`${level}:${cell}`]?.parent === area;
    }
    case 'grid':
      return place?.gridId === node.id;
    case 'property':
      return place?.propertyId === node.id;
    case 'forest':
      return place?.forestId === node.id;
  }
}

function toObject(t: OpenTicket, clockMs: number): TicketObject {
  const closed = t.status === 'closed';
  const overdue = !closed && clockMs > t.resolveDueMs;
  const o: TicketObject = {
    id: t.id,
    category: t.category,
    urgency: t.urgency,
    status: t.status,
    title: t.title,
    position: t.position,
    createdAt: t.createdAt,
    responseDueAt: t.responseDueAt,
    resolveDueAt: t.resolveDueAt,
    overdue,
    nearDeadline: !closed && !overdue && clockMs > t.nearMs,
    escalatedTo: [...t.escalatedTo],
  };
  if (t.place) o.place = { ...t.place };
  if (t.assignee !== undefined) o.assignee = t.assignee;
  if (t.supervision) o.supervision = { ...t.supervision };
  if (t.followUp) o.followUp = { ...t.followUp };
  return o;
}

function passes(t: TicketObject, query: TicketQuery): boolean {
  if (query.status !== undefined && (query.status === 'open' ? t.status === 'closed' : t.status !== query.status))
    return false;
  if (query.overdue !== undefined && t.overdue !== query.overdue) return false;
  return true;
}

/**
 * The tickets created in `window` that pass `query`, as they stood at the window's end (or now, if that is
 * earlier): closed ones in the order they closed, then those still open, in creation order. Events dated at or
 * after the window's end are not folded. `clockMs` judges overdue and near deadline of the open ones.
 */
export async function windowTickets(
  store: Pick<EventStore, 'scan'>,
  window: TimeWindow,
  query: TicketQuery & { area: AreaKey },
  clockMs: number,
  options: TicketFoldOptions,
  sink: TicketSink,
): Promise<number> {
  const open = new Map<string, OpenTicket>();
  const asOf = Math.min(window.toMs, clockMs);
  let written = 0;
  const emit = async (t: OpenTicket) => {
    const o = toObject(t, asOf);
    if (!passes(o, query)) return;
    written++;
    await sink(o);
  };
  await store.scan(0, SCAN_BATCH, async (batch: StoredEvent[]) => {
    for (const s of batch) {
      const e = s.event;
      if (
        e.kind !== 'ticket.created' &&
        e.kind !== 'ticket.updated' &&
        e.kind !== 'ticket.escalated' &&
        e.kind !== 'ticket.closed' &&
        e.kind !== 'ticket.rated' &&
        e.kind !== 'ticket.followed_up' &&
        e.kind !== 'ticket.supervised'
      )
        continue;
      const ms = Date.parse(e.time);
      if (Number.isNaN(ms) || ms >= window.toMs) continue;
      if (e.kind === 'ticket.created') {
        if (ms < window.fromMs || open.has(e.ticketId)) continue;
        if (query.category !== undefined && e.category !== query.category) continue;
        if (!placeIn(s.place, query.area, options.tree)) continue;
        const d = ticketDeadlines(ms, e, options.deadlines, options.nearDeadlineFraction);
        open.set(e.ticketId, {
          id: e.ticketId,
          category: e.category,
          urgency: e.urgency,
          title: e.title,
          position: [e.location.lon, e.location.lat],
          place: s.place ? { ...s.place } : undefined,
          createdAt: e.time,
          createdMs: ms,
          responseDueAt: e.responseDueAt ?? isoLocal(d.respondDueMs),
          resolveDueMs: d.resolveDueMs,
          resolveDueAt: e.resolveDueAt ?? isoLocal(d.resolveDueMs),
          nearMs: d.nearMs,
          status: 'received',
          statusIdx: 0,
          escalatedTo: [],
          assignee: undefined,
          rated: false,
          followed: false,
        });
        continue;
      }
      const t = open.get(e.ticketId);
      if (!t) continue;
      if (e.kind === 'ticket.rated' || e.kind === 'ticket.followed_up') {
        // The answers that counted (the first per question) and the latest call, as on the ticket's detail;
        // a rating counts and shows as a satisfaction answer (live/state/tickets.ts, noteFollowUp).
        if (e.kind === 'ticket.rated' && t.rated) continue;
        const satisfied = e.satisfied !== undefined && !t.rated ? e.satisfied : undefined;
        const resolved =
          e.kind === 'ticket.followed_up' && e.resolved !== undefined && !t.followed ? e.resolved : undefined;
        if (satisfied !== undefined) t.rated = true;
        if (resolved !== undefined) t.followed = true;
        if (resolved === undefined && satisfied === undefined && t.followUp) continue;
        const f: TicketFollowUp = { ...t.followUp, at: e.time };
        const call = e as { by?: string; score?: number };
        if (call.by !== undefined) f.by = call.by;
        else delete f.by;
        if (resolved !== undefined) f.resolved = resolved;
        if (satisfied !== undefined) {
          f.satisfied = satisfied;
          if (call.score !== undefined) f.score = call.score;
        }
        t.followUp = f;
        continue;
      }
      if (e.kind === 'ticket.supervised') {
        const prev = t.supervision;
        const count = (prev?.count ?? 0) + 1;
        t.supervision =
          prev && ms < Date.parse(prev.at)
            ? { ...prev, count }
            : { count, at: e.time, by: e.by, level: e.level, ...(e.note !== undefined ? { note: e.note } : {}) };
        continue;
      }
      if (e.kind === 'ticket.escalated') {
        for (const dep of e.departments) if (!t.escalatedTo.includes(dep)) t.escalatedTo.push(dep);
        continue;
      }
      if (e.kind === 'ticket.updated' && e.status !== 'closed') {
        const idx = TICKET_STATUS_ORDER.indexOf(e.status);
        if (idx > t.statusIdx) {
          t.status = e.status;
          t.statusIdx = idx;
        }
        if (e.assignee !== undefined) t.assignee = e.assignee;
        continue;
      }
      // Closed (ticket.closed, or ticket.updated to closed): final, so written now and forgotten.
      if (e.kind === 'ticket.updated' && e.assignee !== undefined) t.assignee = e.assignee;
      t.status = 'closed';
      t.statusIdx = TICKET_STATUS_ORDER.length - 1;
      // Final, so written now and forgotten (the heap stays flat over any log): a rating or follow-up after the
      // close is not on the exported row, unlike the live list's retained closed tickets.
      open.delete(t.id);
      await emit(t);
    }
  });
  const rest = [...open.values()].sort((a, b) => a.createdMs - b.createdMs);
  open.clear();
  for (const t of rest) await emit(t);
  return written;
}

/** A sink that writes CSV rows. */
export const csvSink =
  (write: Write, tree: Pick<AreaTree, 'nodes'>): TicketSink =>
  (t) =>
    write(ticketCsvRow(t, tree));

/** A sink that writes the features of a FeatureCollection, comma-separated; the caller writes the frame. */
export function featureSink(write: Write): TicketSink {
  let first = true;
  return (t) => {
    const text = (first ? '' : ',\n') + ticketFeature(t);
    first = false;
    return write(text);
  };
}
