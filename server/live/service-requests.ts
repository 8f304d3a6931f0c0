// Tickets as Open311 service requests (GET /api/v1/open311/requests): a fold of the ticket events of the log,
// kept apart from the live state because a GeoReport client asks for what the map does not hold (the full
// description, the status notes, the last update) and for longer: the spec's default window is 90 days, while the
// live state lets a closed ticket go after a week. Every ticket is a service request; one that came in through
// Open311 (`o311-<id>`) answers to its own id.
import { inScope, type Principal } from '../contract/auth';
import type { AreaTree } from '../contract/areas';
import { defaultDueTimes, type UrgencyDeadlines } from '../contract/config-defaults';
import type { StoredEvent, TicketCategory } from '../contract/events';
import type { Open311ServiceRequest } from '../contract/open311';
import { DAY_MS, isoLocal } from '../contract/time';

/** How long a closed request stays readable: the spec's default query window. */
export const CLOSED_REQUEST_RETENTION_MS = 90 * DAY_MS;
/**
 * And at most this many closed requests, the longest closed dropped first, so memory has a bound whatever the
 * rate (about 350 bytes a request: 50 MB). Tongzhou's hotline closes about 1,100 tickets a day, 100,000 in 90
 * days; a district busier than that keeps fewer than 90 days readable here (the log, and the exports that read
 * it, keep them all).
 */
export const CLOSED_REQUEST_MAX = 150_000;
const OPEN311_PREFIX = 'o311-';

interface RequestRec {
  ticketId: string;
  category: TicketCategory;
  description: string | undefined;
  address: string | undefined;
  addressId: string | undefined;
  zipcode: string | undefined;
  mediaUrl: string | undefined;
  lon: number;
  lat: number;
  /** `town:<id>`, the key scopes are checked against; undefined when it lies in no town. */
  town: string | undefined;
  requestedAt: string;
  requestedMs: number;
  updatedAt: string;
  updatedMs: number;
  expectedAt: string;
  closed: boolean;
  notes: string | undefined;
  agency: string | undefined;
  notice: string | undefined;
  postedBy: string | undefined;
}

export interface RequestFilter {
  /** service_request_id list: only these. */
  ids?: readonly string[];
  serviceCode?: TicketCategory;
  status?: 'open' | 'closed';
  /** Requested at or after / before, epoch ms. */
  fromMs?: number;
  toMs?: number;
  limit: number;
}

export interface ServiceRequestBook {
  apply(events: readonly StoredEvent[]): void;
  /** One request the principal may read, by service_request_id; undefined when there is none it may see. */
  get(principal: Principal, serviceRequestId: string): Open311ServiceRequest | undefined;
  /** The requests the principal may read, newest first. */
  list(principal: Principal, filter: RequestFilter): Open311ServiceRequest[];
  /** Drops closed requests past retention (called with the clock). */
  advance(nowMs: number): void;
  /** Its state for a keyframe, and back (live/keyframes.ts). */
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

export interface ServiceRequestBookOptions {
  tree: Pick<AreaTree, 'nodes'>;
  deadlines: UrgencyDeadlines;
  serviceName: (code: TicketCategory) => string;
  /** The count bound of closed requests (CLOSED_REQUEST_MAX). */
  closedMax?: number;
}

export const serviceRequestIdOf = (ticketId: string): string =>
  ticketId.startsWith(OPEN311_PREFIX) ? ticketId.slice(OPEN311_PREFIX.length) : ticketId;

const metaText = (meta: Record<string, unknown> | undefined, key: string): string | undefined => {
  const v = meta?.[key];
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
};

export function createServiceRequestBook(options: ServiceRequestBookOptions): ServiceRequestBook {
  const recs = new Map<string, RequestRec>();
  let lastPruneMs = -Infinity;
  const closedMax = options.closedMax ?? CLOSED_REQUEST_MAX;
  /** Closed requests' ids in the order they closed (from closedHead on); some may have left by the time bound. */
  let closedOrder: string[] = [];
  let closedHead = 0;
  let closedHeld = 0;

  /** The request closed (once): counted, and past the bound the longest closed still held is dropped. */
  const closed = (r: RequestRec) => {
    if (r.closed) return;
    r.closed = true;
    closedOrder.push(r.ticketId);
    closedHeld++;
    while (closedHeld > closedMax) {
      const id = closedOrder[closedHead++]!;
      if (recs.get(id)?.closed) {
        recs.delete(id);
        closedHeld--;
      }
    }
    if (closedHead > 4096 && closedHead * 2 > closedOrder.length) {
      closedOrder = closedOrder.slice(closedHead);
      closedHead = 0;
    }
  };

  const touch = (rec: RequestRec, time: string) => {
    const ms = Date.parse(time);
    if (ms > rec.updatedMs) {
      rec.updatedMs = ms;
      rec.updatedAt = time;
    }
  };

  /**
   * Admins and other readers see what their scope holds; a feed, which may not read the live state, sees only
   * the requests it posted itself (docs/SECURITY.md), and those only inside its own scope.
   */
  const visible = (p: Principal, r: RequestRec): boolean => {
    if (p.role === 'feed' && r.postedBy !== p.id) return false;
    if (r.town === undefined) return options.tree.nodes[p.scope]?.level === 'district';
    return inScope(options.tree, p.scope, r.town);
  };

  const toWire = (r: RequestRec): Open311ServiceRequest => ({
    service_request_id: serviceRequestIdOf(r.ticketId),
    status: r.closed ? 'closed' : 'open',
    status_notes: r.notes ?? null,
    service_name: options.serviceName(r.category),
    service_code: r.category,
    description: r.description ?? null,
    agency_responsible: r.agency ?? null,
    service_notice: r.notice ?? null,
    requested_datetime: r.requestedAt,
    updated_datetime: r.updatedAt,
    expected_datetime: r.expectedAt,
    address: r.address ?? null,
    address_id: r.addressId ?? null,
    zipcode: r.zipcode ?? null,
    lat: r.lat,
    long: r.lon,
    media_url: r.mediaUrl ?? null,
  });

  return {
    snapshotState() {
      return { recs, lastPruneMs, closedOrder: closedOrder.slice(closedHead), closedHeld };
    },
    restoreState(data) {
      const s = data as {
        recs: Map<string, RequestRec>;
        lastPruneMs: number;
        closedOrder: string[];
        closedHeld: number;
      };
      recs.clear();
      for (const [k, v] of s.recs) recs.set(k, v);
      lastPruneMs = s.lastPruneMs;
      closedOrder = s.closedOrder;
      closedHead = 0;
      closedHeld = s.closedHeld;
    },
    apply(events) {
      for (const s of events) {
        const e = s.event;
        switch (e.kind) {
          case 'ticket.created': {
            if (recs.has(e.ticketId)) break; // a producer's retry
            const ms = Date.parse(e.time);
            const due = e.resolveDueAt ?? isoLocal(defaultDueTimes(ms, e.urgency, options.deadlines).resolveDueAtMs);
            recs.set(e.ticketId, {
              ticketId: e.ticketId,
              category: e.category,
              description: e.description,
              address: e.address,
              addressId: metaText(e.meta, 'address_id'),
              zipcode: metaText(e.meta, 'zipcode'),
              mediaUrl: e.mediaUrl,
              lon: e.location.lon,
              lat: e.location.lat,
              town: s.place?.townId ? `town:${s.place.townId}` : undefined,
              requestedAt: e.time,
              requestedMs: ms,
              updatedAt: e.time,
              updatedMs: ms,
              expectedAt: due,
              closed: false,
              notes: undefined,
              agency: metaText(e.meta, 'agency_responsible'),
              notice: metaText(e.meta, 'service_notice'),
              postedBy: metaText(e.meta, 'postedBy'),
            });
            break;
          }
          case 'ticket.updated': {
            const r = recs.get(e.ticketId);
            if (!r) break;
            touch(r, e.time);
            if (e.assignee !== undefined) r.agency = e.assignee;
            if (e.note !== undefined) r.notes = e.note;
            if (e.status === 'closed') closed(r);
            break;
          }
          case 'ticket.escalated': {
            const r = recs.get(e.ticketId);
            if (!r) break;
            touch(r, e.time);
            if (e.note !== undefined) r.notes = e.note;
            break;
          }
          case 'ticket.closed': {
            const r = recs.get(e.ticketId);
            if (!r) break;
            touch(r, e.time);
            closed(r);
            if (e.note !== undefined) r.notes = e.note;
            break;
          }
          default:
            break;
        }
      }
    },
    get(principal, id) {
      const r = recs.get(`${OPEN311_PREFIX}${id}`) ?? recs.get(id);
      return r && visible(principal, r) ? toWire(r) : undefined;
    },
    list(principal, filter) {
      const ids = filter.ids ? new Set(filter.ids) : undefined;
      const out: RequestRec[] = [];
      for (const r of recs.values()) {
        if (ids && !ids.has(serviceRequestIdOf(r.ticketId)) && !ids.has(r.ticketId)) continue;
        if (filter.serviceCode && r.category !== filter.serviceCode) continue;
        if (filter.status && r.closed !== (filter.status === 'closed')) continue;
        if (filter.fromMs !== undefined && r.requestedMs < filter.fromMs) continue;
        if (filter.toMs !== undefined && r.requestedMs > filter.toMs) continue;
        if (!visible(principal, r)) continue;
        out.push(r);
      }
      out.sort((a, b) => b.requestedMs - a.requestedMs);
      return out.slice(0, filter.limit).map(toWire);
    },
    advance(nowMs) {
      // Hourly is often enough: a request read a little past 90 days does no harm.
      if (nowMs - lastPruneMs < 3_600_000) return;
      lastPruneMs = nowMs;
      for (const [id, r] of recs) {
        if (r.closed && nowMs - r.updatedMs > CLOSED_REQUEST_RETENTION_MS) {
          recs.delete(id);
          closedHeld--;
        }
      }
    },
  };
}
