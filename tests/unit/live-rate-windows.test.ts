// The long rate windows of the live state (month, year, rolling 30 days) at their edges, against hand counts:
// the month and the year start at local midnight of their first day, the rolling 30 days drop a day at each
// midnight, a rating that comes after the month turned counts in the new month, and a state that lived through
// the days agrees with one folded at once over the same log (a restart).
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { StoredEvent } from '../../server/contract/events';
import { ticketWindow, type RateWindow, type TicketKpis } from '../../server/contract/live';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator, type Locator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import type { LiveState } from '../../server/live/types';
import { GEO_DIR } from '../helpers/paths';
import { at, closed, created, Feed, rated, spotIn, type Spot } from '../helpers/ticket-events';

let geo: Geo;
let locator: Locator;
let A: Spot;
const YUQIAO = 'town:110112004' as AreaKey;

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  locator = createLocator(geo);
  A = spotIn(geo, locator, 'grid', 'g-110112004-250-0071-0148');
});

const local = (date: string, hms = '10:00:00') => `${date}T${hms}+08:00`;
const tickets = (state: LiveState): TicketKpis => state.aggregate(YUQIAO)!.tickets;
/** created, closed, and the three samples of one window. */
const counts = (t: TicketKpis, w: RateWindow) => {
  const x = ticketWindow(t, w);
  return [x.created, x.closed, x.sample.response, x.sample.resolution, x.sample.satisfaction];
};

/** A ticket created, closed (resolved or not) and rated (satisfied or not), each at its own time. */
function life(feed: Feed, id: string, times: { created: string; closed?: string; rated?: string }, good = true) {
  const out: StoredEvent[] = [feed.make(created(id, times.created, A), A.place)];
  if (times.closed) out.push(feed.make(closed(id, times.closed, good)));
  if (times.rated) out.push(feed.make(rated(id, times.rated, good)));
  return out;
}

describe('the month window', () => {
  it('starts at local midnight of the 1st; the year and the 30 days keep the day before', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-31', '08:00:00')));
    // July 31: k1 created 09:00, closed 10:00 resolved (its close is its response, in time).
    state.apply(life(feed, 'k1', { created: local('2025-07-31', '09:00:00'), closed: local('2025-07-31') }));
    state.advance(at(local('2025-07-31', '23:59:59')));
    expect(counts(tickets(state), 'month')).toEqual([1, 1, 1, 1, 0]);
    // 00:00 on August 1: July leaves the month, stays in the year and the 30 days.
    state.advance(at(local('2025-08-01', '00:00:00')));
    expect(counts(tickets(state), 'month')).toEqual([0, 0, 0, 0, 0]);
    expect(counts(tickets(state), 'year')).toEqual([1, 1, 1, 1, 0]);
    expect(counts(tickets(state), 'rolling30d')).toEqual([1, 1, 1, 1, 0]);
    expect(tickets(state).month.resolutionRate).toBeNull();
    expect(tickets(state).year!.resolutionRate).toBe(1);
  });

  it('counts a rating that comes after the month turned in the new month, by its own time', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-31', '08:00:00')));
    state.apply(
      life(feed, 'k2', { created: local('2025-07-31', '09:00:00'), closed: local('2025-07-31', '22:00:00') }, false),
    );
    state.advance(at(local('2025-08-01', '09:00:00')));
    state.apply([feed.make(rated('k2', local('2025-08-01', '10:00:00'), true))]);
    const t = tickets(state);
    // August: no creation, no close, one rating (satisfied). July's close and its verdict stay in July.
    expect(counts(t, 'month')).toEqual([0, 0, 0, 0, 1]);
    expect(t.month.satisfactionRate).toBe(1);
    expect(t.month.resolutionRate).toBeNull();
    // The year holds both: the unresolved close and the satisfied rating.
    expect(counts(t, 'year')).toEqual([1, 1, 1, 1, 1]);
    expect(t.year!.resolutionRate).toBe(0);
    // Today is the day of the rating.
    expect(counts(t, 'today')).toEqual([0, 0, 0, 0, 1]);
  });
});

describe('the year window', () => {
  it('starts on 1 January; the rolling 30 days cross the new year', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-12-31', '08:00:00')));
    state.apply(life(feed, 'y1', { created: local('2025-12-31', '09:00:00'), closed: local('2025-12-31') }));
    state.advance(at(local('2026-01-01', '08:00:00')));
    state.apply(life(feed, 'y2', { created: local('2026-01-01', '09:00:00') }));
    const t = tickets(state);
    expect(counts(t, 'year')).toEqual([1, 0, 0, 0, 0]);
    expect(counts(t, 'month')).toEqual([1, 0, 0, 0, 0]);
    expect(counts(t, 'rolling30d')).toEqual([2, 1, 1, 1, 0]);
  });
});

describe('the rolling 30 days', () => {
  it('hold the last 30 local days, today included, and drop one at each midnight', () => {
    const feed = new Feed();
    // Today is 2025-07-31: the window is July 2 … July 31.
    const state = createLiveState(geo, {}, at(local('2025-07-31', '12:00:00')));
    state.apply([
      ...life(feed, 'r1', { created: local('2025-07-01') }), // 30 days before today: out
      ...life(feed, 'r2', { created: local('2025-07-02') }), // 29 days before: in
      ...life(feed, 'r3', { created: local('2025-07-15') }),
      ...life(feed, 'r4', { created: local('2025-07-31', '11:00:00') }),
    ]);
    expect(counts(tickets(state), 'rolling30d')[0]).toBe(3);
    expect(counts(tickets(state), 'month')[0]).toBe(4);
    // August 1: July 2 leaves; the month starts again.
    state.advance(at(local('2025-08-01', '00:00:00')));
    expect(counts(tickets(state), 'rolling30d')[0]).toBe(2);
    expect(counts(tickets(state), 'month')[0]).toBe(0);
    // August 14: July 15 leaves (30 days before), July 31 is still in.
    state.advance(at(local('2025-08-14', '00:00:00')));
    expect(counts(tickets(state), 'rolling30d')[0]).toBe(1);
    // A jump of many days at once (a clock that slept) empties the window.
    state.advance(at(local('2025-09-30', '00:00:00')));
    expect(counts(tickets(state), 'rolling30d')[0]).toBe(0);
    expect(counts(tickets(state), 'year')[0]).toBe(4);
  });

  it('take a fact dated on a later day (a producer clock ahead) when that day comes', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-31', '12:00:00')));
    state.apply(life(feed, 'f1', { created: local('2025-08-01', '09:00:00') }));
    expect(counts(tickets(state), 'month')[0]).toBe(0);
    expect(counts(tickets(state), 'rolling30d')[0]).toBe(0);
    state.advance(at(local('2025-08-01', '00:00:01')));
    expect(counts(tickets(state), 'month')[0]).toBe(1);
    expect(counts(tickets(state), 'rolling30d')[0]).toBe(1);
    expect(counts(tickets(state), 'today')[0]).toBe(1);
  });
});

describe('未诉先办', () => {
  it("counts a grid worker's own tickets in every window, apart from those a citizen's call raised", () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-31', '08:00:00')));
    state.apply([
      feed.make(created('p1', local('2025-07-30', '09:00:00'), A, { channel: 'grid_worker' }), A.place),
      feed.make(created('p2', local('2025-07-31', '09:00:00'), A, { channel: 'grid_worker' }), A.place),
      feed.make(created('p3', local('2025-07-31', '09:30:00'), A), A.place), // the hotline
      feed.make(created('p4', local('2025-07-31', '09:40:00'), A, { channel: 'wechat' }), A.place),
    ]);
    const t = tickets(state);
    // Today: p2 of p2, p3, p4. The month, the year and the 30 days: p1 and p2 of four.
    expect([t.proactiveToday, t.newToday]).toEqual([1, 3]);
    expect([t.month.proactive, t.month.created]).toEqual([2, 4]);
    expect([t.year!.proactive, t.rolling30d!.proactive, t.rolling24h.proactive]).toEqual([2, 2, 2]);
    // Categories still count each ticket once: the flag is not a category.
    expect(t.byCategory).toEqual({ e_bike: 3 });
  });
});

describe('a restart', () => {
  it('gives the same long windows as a state that lived through the 45 days', () => {
    // One ticket a day for 45 days around a month and a year turn, each closed two hours later and rated the
    // next morning, resolved and satisfied on two days in three.
    const feed = new Feed();
    const log: StoredEvent[] = [];
    const first = at(local('2025-11-20', '00:00:00'));
    for (let d = 0; d < 45; d++) {
      const day = new Date(first + d * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
      const next = new Date(first + (d + 1) * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
      log.push(
        ...life(
          feed,
          `d${d}`,
          { created: local(day, '09:00:00'), closed: local(day, '11:00:00'), rated: local(next, '08:00:00') },
          d % 3 !== 0,
        ),
      );
    }
    const end = at(local('2026-01-03', '12:00:00'));
    const lived = createLiveState(geo, {}, first);
    for (const s of log) {
      const ms = Date.parse(s.event.time);
      if (ms > end) break;
      lived.advance(ms);
      lived.apply([s]);
    }
    lived.advance(end);
    const restarted = createLiveState(geo, {}, end);
    restarted.apply(log.filter((s) => Date.parse(s.event.time) <= end));
    const a = tickets(lived);
    const b = tickets(restarted);
    for (const w of ['today', 'month', 'year', 'rolling30d'] as const)
      expect(ticketWindow(b, w), w).toEqual(ticketWindow(a, w));
    // By hand: January 1–3 hold three creations and closes (d42, d43, d44) and the ratings of d41 (Dec 31's
    // ticket, rated Jan 1), d42 and d43; d42 is the only bad one (42 % 3 = 0).
    expect(counts(b, 'month')).toEqual([3, 3, 3, 3, 3]);
    expect(b.month.resolutionRate).toBeCloseTo(2 / 3, 12);
    expect(b.month.satisfactionRate).toBeCloseTo(2 / 3, 12);
    // The rolling 30 days: December 5 … January 3 = d15 … d44, ratings of d14 … d43.
    expect(counts(b, 'rolling30d')).toEqual([30, 30, 30, 30, 30]);
  });
});
