// The Open311 service requests (server/live/service-requests.ts) kept for GeoReport clients are bounded by count
// as well as by the 90 days: past the bound the longest closed request goes first, open ones never, a request
// closed through ticket.updated and again by ticket.closed counts once, and a keyframe carries the order of
// closing so a restored book drops the same requests as one that folded the whole log.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../server/contract/auth';
import type { StoredEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createServiceRequestBook, CLOSED_REQUEST_RETENTION_MS } from '../../server/live/service-requests';
import { DEFAULT_URGENCY_DEADLINES } from '../../server/contract/config-defaults';
import { GEO_DIR } from '../helpers/paths';
import { closed, created, Feed, spotIn, updated, type Spot } from '../helpers/ticket-events';

let geo: Geo;
let A: Spot;
const admin: Principal = { kind: 'user', id: 'admin', name: 'admin', role: 'admin', scope: 'district:110112' };

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  A = spotIn(geo, createLocator(geo), 'grid', 'g-110112004-250-0071-0148');
});

const book = (closedMax: number) =>
  createServiceRequestBook({ tree: geo.tree, deadlines: DEFAULT_URGENCY_DEADLINES, serviceName: (c) => c, closedMax });

const minute = (m: number) =>
  `2026-03-01T${String(8 + Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}:00+08:00`;

/** r1…r6 created; r1–r5 closed in the order r3, r1, r5, r2 (by ticket.updated, then ticket.closed), r4. */
function log(): StoredEvent[] {
  const feed = new Feed();
  const out: StoredEvent[] = [];
  for (let i = 1; i <= 6; i++) out.push(feed.make(created(`r${i}`, minute(i), A), A.place));
  out.push(feed.make(closed('r3', minute(10), true)));
  out.push(feed.make(closed('r1', minute(11), true)));
  out.push(feed.make(closed('r5', minute(12), true)));
  out.push(feed.make(updated('r2', minute(13), 'closed')));
  out.push(feed.make(closed('r2', minute(14), true)));
  out.push(feed.make(closed('r4', minute(15), true)));
  return out;
}

const ids = (b: ReturnType<typeof book>) =>
  b
    .list(admin, { limit: 100 })
    .map((r) => `${r.service_request_id}:${r.status}`)
    .sort();

describe('Open311 service requests bounded by count', () => {
  it('keeps the three latest closed and every open request', () => {
    const b = book(3);
    b.apply(log());
    // r3 and r1 closed first and are dropped; r2's second close did not count twice.
    expect(ids(b)).toEqual(['r2:closed', 'r4:closed', 'r5:closed', 'r6:open']);
    expect(b.get(admin, 'r3')).toBeUndefined();
  });

  it('drops the same requests after a keyframe as a fold of the whole log', () => {
    const events = log();
    const whole = book(3);
    whole.apply(events);
    const half = book(3);
    half.apply(events.slice(0, 8));
    const restored = book(3);
    restored.restoreState(structuredClone(half.snapshotState()));
    restored.apply(events.slice(8));
    expect(ids(restored)).toEqual(ids(whole));
    expect(restored.snapshotState()).toEqual(whole.snapshotState());
  });

  it('still lets a closed request go after 90 days, and the count follows', () => {
    const b = book(3);
    b.apply(log().slice(0, 9)); // r3, r1, r5 closed
    b.advance(Date.parse(minute(12)) + CLOSED_REQUEST_RETENTION_MS + 3_600_000);
    expect(ids(b)).toEqual(['r2:open', 'r4:open', 'r6:open']);
    // Three more closes fit under the bound again.
    const feed = new Feed();
    feed.seq = 100;
    b.apply(['r2', 'r4', 'r6'].map((id, i) => feed.make(closed(id, minute(20 + i), true))));
    expect(ids(b)).toEqual(['r2:closed', 'r4:closed', 'r6:closed']);
  });
});
