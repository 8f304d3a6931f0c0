// The day-end facts' one difference from the brief's replay (reports/brief-facts.ts): a ticket dated late on the
// 20th that arrives after the fold's clock passed midnight, before any event of the 21st. The replay, which has
// no clock but the events', counts it on the 20th; a server that lived through that midnight had already closed
// the 20th without it (the dashboard's midnight had missed it too); a start that folds the same log with no
// ticks closes the 20th at the first event of the 21st and agrees with the replay.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { StoredEvent } from '../../server/contract/events';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import { createSupervisionFold } from '../../server/live/supervision';
import { createBriefFold, dayOfDate } from '../../server/reports/brief';
import { createBriefFacts } from '../../server/reports/brief-facts';
import { firstOf } from '../../server/reports/brief-day';
import { createAlertBook } from '../../server/rules/alerts';
import { GEO_DIR } from '../helpers/paths';
import { created, Feed } from '../helpers/ticket-events';

const DAY = dayOfDate('2025-07-20')!;
const TOWN = 'town:110112105' as AreaKey;
const AT = Date.parse('2025-07-21T00:00:01+08:00');

let geo: Geo;
let events: StoredEvent[];

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  const cell = geo.layers.grid.features.find((f) => f.properties.townId === '110112105')!;
  const [lon, lat] = interiorPoint(cell.geometry as never);
  const place = createLocator(geo).locate(lon, lat)!;
  const spot = { lon, lat, place };
  const feed = new Feed();
  events = [
    feed.make(created('A', '2025-07-20T10:00:00+08:00', spot), place),
    // Late: dated before midnight, folded after the clock passed it (AT) and before any event of the 21st.
    feed.make(created('LATE', '2025-07-20T23:59:00+08:00', spot), place),
    feed.make(created('B', '2025-07-21T08:00:00+08:00', spot), place),
  ];
});

function factsFold() {
  const supervision = createSupervisionFold(geo);
  const live = createLiveState(geo, {}, undefined, supervision.observer);
  const facts = createBriefFacts({
    geo,
    live,
    supervision,
    book: createAlertBook(),
    fold: (batch) => live.apply(batch),
    advance: (t) => live.advance(t),
  });
  return facts;
}

describe('a ticket dated yesterday that arrives after midnight', () => {
  it('is in the replay’s figures of yesterday', () => {
    const fold = createBriefFold(geo, {}, DAY);
    fold.apply(events);
    expect(fold.finish(AT, 'on-demand').get(TOWN)!.tickets.day.created).toBe(2);
  });

  it('is not in the facts of a server whose clock passed midnight before it came', () => {
    const facts = factsFold();
    facts.apply(events.slice(0, 1));
    facts.advance(AT);
    facts.apply(events.slice(1));
    expect(facts.briefs(DAY, AT, 'on-demand')!.get(TOWN)!.tickets.day.created).toBe(1);
  });

  it('is in the facts of a start that folds the same log without ticks, as in the replay', () => {
    const facts = factsFold();
    facts.apply(events);
    expect(facts.briefs(DAY, AT, 'on-demand')!.get(TOWN)!.tickets.day.created).toBe(2);
  });
});

describe('a day the facts do not hold', () => {
  it('is left to the replay: the day before the log began, and a day not yet over', () => {
    const facts = factsFold();
    facts.apply(events);
    facts.advance(AT);
    // The log began on the 20th: the 19th has no day-end state here (the route then replays the log).
    expect(facts.briefs(DAY - 1, AT, 'on-demand')).toBeUndefined();
    expect(facts.briefs(DAY + 1, AT, 'on-demand')).toBeUndefined();
    expect(facts.briefs(DAY, AT, 'on-demand')).toBeDefined();
  });
});

describe('firstOf (the worst cells of a day without sorting them all)', () => {
  it('gives the first k of a stable sort, ties in their order, for any k', () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ i, v: (i * 7919) % 13 }));
    const byV = (a: { v: number }, b: { v: number }) => a.v - b.v;
    const sorted = [...rows].sort(byV);
    for (const k of [0, 1, 10, 299, 300, 400]) expect(firstOf(rows, k, byV)).toEqual(sorted.slice(0, k));
  });
});
