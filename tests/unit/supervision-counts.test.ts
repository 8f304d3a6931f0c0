// 督办 counted per area (server/live/supervision.ts, hearing the live state): open tickets under supervision now, and tickets whose latest
// supervision lies in each window, by hand at every window's edge (the year's and the month's first instant, the
// 30 days' first day, today), with a ticket supervised twice, one supervised late in the log, a closed one and an
// unknown one; then against the live state's own ticket records over a simulated fortnight, and through a keyframe.
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpsEvent, StoredEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator, type Locator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import { createSupervisionFold } from '../../server/live/supervision';
import { localDay } from '../../server/contract/time';
import { createSimulator } from '../../server/sim/engine';
import { GEO_DIR } from '../helpers/paths';
import { at, closed, created, Feed, spotIn, type Bare, type Spot } from '../helpers/ticket-events';

let geo: Geo;
let locator: Locator;
let A: Spot;
let B: Spot;
const YUQIAO = 'town:110112004';
const DISTRICT = 'district:110112';

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  locator = createLocator(geo);
  A = spotIn(geo, locator, 'grid', 'g-110112004-250-0071-0148');
  B = spotIn(geo, locator, 'grid', 'g-110112105-1000-0016-0021');
});

const supervised = (ticketId: string, time: string): Bare<OpsEvent> => ({
  kind: 'ticket.supervised',
  time,
  ticketId,
  by: '区指挥中心',
  level: 'district',
});

/** Tickets t1…t12 created in early December 2025 (t12 in another town) and their supervisions. */
function scenario(): StoredEvent[] {
  const feed = new Feed();
  const out: StoredEvent[] = [];
  const push = (e: Bare<OpsEvent>, place?: StoredEvent['place']) => out.push(feed.make(e, place));
  for (let i = 1; i <= 11; i++) push(created(`t${i}`, '2025-12-01T08:00:00+08:00', A), A.place);
  push(created('t12', '2025-12-01T08:00:00+08:00', B), B.place);
  push(supervised('t8', '2025-12-20T10:00:00+08:00'));
  push(supervised('t1', '2025-12-31T23:59:59.999+08:00')); // last instant of the old year
  push(supervised('t2', '2026-01-01T00:00:00+08:00')); // first instant of the year
  push(supervised('t3', '2026-01-16T23:59:59.999+08:00')); // the day before the 30 days of 15 February
  push(supervised('t4', '2026-01-17T00:00:00+08:00')); // their first day
  push(supervised('t5', '2026-01-31T23:59:59.999+08:00')); // last instant of January
  push(supervised('t6', '2026-02-01T00:00:00+08:00')); // first instant of February
  push(closed('t10', '2026-02-01T09:00:00+08:00', true));
  push(supervised('t10', '2026-02-02T09:00:00+08:00')); // closed: nothing
  push(supervised('t11x', '2026-02-02T09:00:00+08:00')); // unknown: nothing
  push(supervised('t8', '2026-02-10T10:00:00+08:00')); // again: moves from December to February
  push(supervised('t9', '2026-02-12T10:00:00+08:00'));
  push(supervised('t9', '2026-01-05T10:00:00+08:00')); // folded late, dated earlier: moves nothing
  push(supervised('t12', '2026-02-14T10:00:00+08:00'));
  push(supervised('t7', '2026-02-15T00:00:00+08:00')); // first instant of today
  push(closed('t7', '2026-02-15T09:00:00+08:00', true)); // closed: no longer open, still supervised today
  return out;
}

/** The counts as the app keeps them: hearing a live state that folds `events` (in batches of `batch`). */
function counted(events: StoredEvent[], batch = events.length) {
  const fold = createSupervisionFold(geo);
  const live = createLiveState(geo, {}, undefined, fold.observer);
  for (let i = 0; i < events.length; i += batch) {
    live.apply(events.slice(i, i + batch));
    fold.apply(events.slice(i, i + batch));
  }
  return { fold, live };
}

describe('督办 counted per area, by hand', () => {
  it('counts each window from its first instant on 15 February', () => {
    const { fold } = counted(scenario());
    const now = at('2026-02-15T10:00:00+08:00');
    // Open and supervised: t1–t6, t8, t9. Today: t7. Month: t6, t7, t8, t9. 30 days (17 Jan on): t4–t9.
    // Year: t2–t9. t12 lies in another town: the district's only.
    const town = { open: 8, today: 1, month: 4, rolling30d: 6, year: 8 };
    expect(fold.counts(YUQIAO, now)).toEqual(town);
    expect(fold.counts(`grid:${A.place.gridId!}`, now)).toEqual(town);
    expect(fold.counts(DISTRICT, now)).toEqual({ open: 9, today: 1, month: 5, rolling30d: 7, year: 9 });
    expect(fold.counts(`grid:${B.place.gridId!}`, now)).toEqual({
      open: 1,
      today: 0,
      month: 1,
      rolling30d: 1,
      year: 1,
    });
    expect(fold.counts('town:999' as never, now)).toBeUndefined();
  });

  it('turns the year and the month at local midnight, not at UTC midnight', () => {
    // The log up to the first instant of 2026: t8 still on 20 December.
    const { fold } = counted(scenario().filter((s) => at(s.event.time) <= at('2026-01-01T00:00:00+08:00')));
    const newYear = fold.counts(YUQIAO, at('2026-01-01T00:00:00+08:00'))!;
    // t2 at the first instant is in the new year, month and day; t1 (23:59:59.999) and t8 are December's.
    expect(newYear).toEqual({ open: 3, today: 1, month: 1, year: 1, rolling30d: 3 });
    // A millisecond earlier it is still 2025: t2, dated after now, counts nowhere yet.
    const oldYear = fold.counts(YUQIAO, at('2025-12-31T23:59:59.999+08:00'))!;
    expect(oldYear).toEqual({ open: 3, today: 1, month: 2, year: 2, rolling30d: 2 });
    // 08:00 on 1 January in Beijing is 00:00 UTC: the local day has long begun.
    expect(localDay(at('2026-01-01T00:00:00+08:00'))).toBe(localDay(at('2026-01-01T07:59:59+08:00')));
  });

  it('comes back from a keyframe equal to a fold of the whole log', () => {
    const events = scenario();
    const whole = counted(events).fold;
    // The live state tells each supervision and close as it folds it: batches do not change what counts.
    const single = counted(events, 1).fold;
    const half = counted(events.slice(0, 15));
    const restored = createSupervisionFold(geo);
    const live = createLiveState(geo, {}, undefined, restored.observer);
    live.restoreState(structuredClone(half.live.snapshotState()));
    restored.restoreState(structuredClone(half.fold.snapshotState()));
    live.apply(events);
    restored.apply(events);
    const now = at('2026-02-15T10:00:00+08:00');
    for (const area of [YUQIAO, DISTRICT, `grid:${B.place.gridId!}`] as const) {
      expect(restored.counts(area, now)).toEqual(whole.counts(area, now));
      expect(single.counts(area, now)).toEqual(whole.counts(area, now));
    }
    expect(restored.seq).toBe(whole.seq);
  });
});

describe('督办 counted against the live state’s tickets', () => {
  it('agrees with the tickets the live state lists, per town, after a simulated fortnight', () => {
    const start = Date.parse('2025-04-15T00:00:00+08:00');
    const end = start + 16 * 86_400_000;
    const sim = createSimulator({
      geo,
      scenario: 'normal',
      seed: 3,
      start,
      tune: { patrols: { enabled: false }, flood: { enabled: false }, property: { enabled: false } },
    });
    const feed = new Feed();
    const stored = sim.next(end).map((e) => {
      const { id: _id, source: _source, ...bare } = e;
      const place =
        'location' in e && e.location ? (locator.locate(e.location.lon, e.location.lat) ?? undefined) : undefined;
      return feed.make(bare as Bare<OpsEvent>, place);
    });
    const fold = createSupervisionFold(geo);
    const live = createLiveState(geo, {}, start, fold.observer);
    for (let i = 0; i < stored.length; i += 500) {
      const batch = stored.slice(i, i + 500);
      live.apply(batch);
      fold.apply(batch);
    }
    live.advance(end);
    const today = localDay(end - 1);
    let supervisedTowns = 0;
    for (const town of geo.tree.children[geo.tree.root]!) {
      const listed = live.tickets({ area: town as never, limit: 100_000 }).items.filter((t) => t.supervision);
      const open = listed.filter((t) => t.status !== 'closed').length;
      const supervisedToday = listed.filter((t) => localDay(Date.parse(t.supervision!.at)) === today).length;
      const counts = fold.counts(town as never, end - 1)!;
      expect({ town, open: counts.open, today: counts.today }).toEqual({ town, open, today: supervisedToday });
      if (counts.rolling30d > 0) supervisedTowns++;
    }
    expect(supervisedTowns).toBeGreaterThan(10);
  });
});
