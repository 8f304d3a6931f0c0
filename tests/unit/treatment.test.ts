// 治理类 towns' 三升四降 pair and 零诉求 streaks with a configured start (server/reports/treatment.ts), on the real
// geography and a real fold, against counts made by hand in the comments.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { OpsEvent, Place, StoredEvent } from '../../server/contract/events';
import { Landing } from '../../server/contract/landing';
import { TreatmentPair } from '../../server/contract/treatment';
import { checker } from '../../server/contract/validate';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createAreaTrends } from '../../server/live/area-trends';
import { buildLanding, indexUnits } from '../../server/reports/landing';
import {
  addMonths,
  dayOfDate,
  DEFAULT_TREATED_TOWNS,
  DEFAULT_ZERO_COMPLAINT_SINCE,
  monthPair,
  parseTreatedTowns,
  parseZeroComplaintSince,
  resolveConcepts,
  streakWithStart,
  unitStart,
} from '../../server/reports/treatment';
import { createWeeklyTickets } from '../../server/live/weekly';
import { createLiveState } from '../../server/live/state';
import { mergeObservers } from '../../server/live/observer';
import { buildAreaFigures } from '../../server/reports/area-figures';
import { createPropertyScores } from '../../server/live/property-scores';
import { createSupervisionFold } from '../../server/live/supervision';
import { GEO_DIR } from '../helpers/paths';

const TOWN = 'town:110112105' as AreaKey; // 张家湾镇
const CELL = 'g-110112105-1000-0019-0027'; // 张辛庄村·1号网格
const HOUQINGSHAN = 'g-110112105-1000-0019-0033'; // 后青山村·1号网格
const L = (local: string) => `${local}+08:00`;

type Bare<T> = T extends unknown ? Omit<T, 'id' | 'source'> : never;

let geo: Geo;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
});

/** A log writer placing tickets at the interior point of a grid cell. */
function writer() {
  const locator = createLocator(geo);
  const events: StoredEvent[] = [];
  const push = (event: Bare<OpsEvent>, place?: Place) => {
    const seq = events.length + 1;
    const s: StoredEvent = {
      seq,
      receivedAt: event.time,
      event: { ...event, id: `e${seq}`, source: 'simulator' } as OpsEvent,
    };
    if (place) s.place = place;
    events.push(s);
  };
  const create = (ticketId: string, local: string, gridId = CELL) => {
    const f = geo.layers.grid.features.find((x) => x.properties.id === gridId)!;
    const [lon, lat] = interiorPoint(f.geometry as never);
    const place = locator.locate(lon, lat)!;
    expect(place.gridId).toBe(gridId);
    push(
      {
        kind: 'ticket.created',
        time: L(local),
        ticketId,
        category: 'noise',
        urgency: 'normal',
        channel: 'hotline_12345',
        title: `工单 ${ticketId}`,
        location: { lon, lat },
      },
      place,
    );
  };
  const close = (ticketId: string, local: string, resolved: boolean) =>
    push({ kind: 'ticket.closed', time: L(local), ticketId, resolved });
  const rate = (ticketId: string, local: string, satisfied: boolean) =>
    push({ kind: 'ticket.rated', time: L(local), ticketId, satisfied });
  return { events, create, close, rate };
}

describe('the 三升四降 pair at a month edge', () => {
  const NOW = Date.parse(L('2025-08-11T15:00:00'));

  function fold() {
    const w = writer();
    // July (31 days, the log begins on the 1st): 31 tickets on the 1st at 10:00; 20 closed at 12:00 (in time:
    // answered), 16 of them resolved; the other 11 never answered: missed at their response deadline, 2 July
    // 10:00. 20 rated on the 3rd, 15 satisfied. One more on 31 July 23:00, closed resolved at 23:59 and rated
    // satisfied at 1 August 00:00: its close is July's, its rating August's.
    for (let i = 1; i <= 31; i++) w.create(`J${i}`, '2025-07-01T10:00:00');
    for (let i = 1; i <= 20; i++) w.close(`J${i}`, '2025-07-01T12:00:00', i <= 16);
    for (let i = 1; i <= 20; i++) w.rate(`J${i}`, '2025-07-03T09:00:00', i <= 15);
    w.create('E', '2025-07-31T23:00:00');
    w.close('E', '2025-07-31T23:59:00', true);
    w.rate('E', '2025-08-01T00:00:00', true);
    // August: 10 tickets at 00:00 on the 1st, closed at 01:00 (answered in time), 9 resolved, rated on the 2nd,
    // 9 satisfied; 5 more today (the 11th), not yet due for a response and not part of the volume (today is
    // not over).
    for (let i = 1; i <= 10; i++) w.create(`A${i}`, '2025-08-01T00:00:00');
    for (let i = 1; i <= 10; i++) w.close(`A${i}`, '2025-08-01T01:00:00', i <= 9);
    for (let i = 1; i <= 10; i++) w.rate(`A${i}`, '2025-08-02T09:00:00', i <= 9);
    for (let i = 1; i <= 5; i++) w.create(`T${i}`, '2025-08-11T10:00:00');
    const trends = createAreaTrends(geo, {}, Date.parse(L('2025-07-01T00:00:00')));
    trends.apply(w.events);
    trends.advance(NOW);
    return trends;
  }

  it('counts both months by hand, the rates in the month of each fact, the volume per whole day', () => {
    const trends = fold();
    const pair = monthPair(trends, TOWN, NOW)!;
    expect(checker(TreatmentPair)(pair).ok).toBe(true);
    // July: response 21 in time of 32 settled (the 11 misses); resolution 17 / 21; satisfaction 15 / 20;
    // volume 32 tickets over 31 days.
    expect(pair.previous).toMatchObject({ from: '2025-07-01', to: '2025-07-31', days: 31, created: 32 });
    expect(pair.previous.sample).toEqual({ response: 32, resolution: 21, satisfaction: 20 });
    expect(pair.previous.responseRate).toBeCloseTo(21 / 32, 12);
    expect(pair.previous.resolutionRate).toBeCloseTo(17 / 21, 12);
    expect(pair.previous.satisfactionRate).toBeCloseTo(15 / 20, 12);
    expect(pair.previous.perDay).toBeCloseTo(32 / 31, 12);
    // August so far: response 10 / 10; resolution 9 / 10; satisfaction (9 + E's) 10 / 11; volume: the 10 of
    // the 1st over the 10 whole days 1–10 (today's 5 left out) = 1.0 a day, below July's 1.03.
    expect(pair.month).toMatchObject({ from: '2025-08-01', to: '2025-08-11', days: 10, created: 10, perDay: 1 });
    expect(pair.month.sample).toEqual({ response: 10, resolution: 10, satisfaction: 11 });
    expect(pair.month.responseRate).toBe(1);
    expect(pair.month.resolutionRate).toBeCloseTo(0.9, 12);
    expect(pair.month.satisfactionRate).toBeCloseTo(10 / 11, 12);
    expect(pair).toMatchObject({
      response: 'up',
      resolution: 'up',
      satisfaction: 'up',
      volume: 'down',
      met: true,
    });
  });

  it("gives this month's rates exactly as the live state's month window", () => {
    const trends = fold();
    const pair = monthPair(trends, TOWN, NOW)!;
    const m = trends.live.aggregate(TOWN)!.tickets.month;
    expect(pair.month.responseRate).toBe(m.responseRate);
    expect(pair.month.resolutionRate).toBe(m.resolutionRate);
    expect(pair.month.satisfactionRate).toBe(m.satisfactionRate);
    expect(pair.month.sample).toEqual(m.sample);
  });

  it('compares no rate resting on fewer tickets than the floor', () => {
    // Floor 11: August's 10 verdicts and 10 responses are under it, its 11 ratings are not.
    const pair = monthPair(fold(), TOWN, NOW, 11)!;
    expect(pair).toMatchObject({ response: null, resolution: null, satisfaction: 'up', volume: 'down', met: false });
  });

  it('counts the previous month from the first day the log covers, and no volume on the 1st', () => {
    const w = writer();
    // The log begins on 20 July: July's volume is over its last 12 days (20–31).
    for (let i = 1; i <= 6; i++) w.create(`J${i}`, '2025-07-20T10:00:00');
    const trends = createAreaTrends(geo, {}, Date.parse(L('2025-07-20T00:00:00')));
    trends.apply(w.events);
    const first = Date.parse(L('2025-08-01T08:00:00'));
    trends.advance(first);
    const pair = monthPair(trends, TOWN, first)!;
    expect(pair.previous).toMatchObject({ from: '2025-07-20', days: 12, created: 6, perDay: 0.5 });
    expect(pair.month).toMatchObject({ from: '2025-08-01', to: '2025-08-01', days: 0, perDay: null });
    expect(pair.volume).toBeNull();
    expect(pair.met).toBe(false);
  });
});

describe('零诉求 streaks from a configured start', () => {
  it('reads the settings: dates and months, names and codes, and refuses what the geography lacks', () => {
    const concepts = resolveConcepts(
      {
        treatedTowns: parseTreatedTowns(DEFAULT_TREATED_TOWNS),
        zeroComplaintSince: parseZeroComplaintSince(DEFAULT_ZERO_COMPLAINT_SINCE),
      },
      geo.tree,
      geo.layers.villages,
    );
    expect([...concepts.treatedTowns]).toEqual([[TOWN, '2019-07-01']]);
    expect(concepts.zeroComplaintSince.get('110112117209')).toEqual({ months: 22 }); // 老槐庄村
    expect(concepts.zeroComplaintSince.get('110112105252')).toEqual({ months: 15 }); // 后青山村
    expect(parseZeroComplaintSince('110112105252@2024-03-01')).toEqual([
      { village: '110112105252', start: { date: '2024-03-01' } },
    ]);
    expect(() => parseTreatedTowns('张家湾镇@2019-13-01')).toThrow(/not a date/);
    expect(() => parseZeroComplaintSince('老槐庄村@soon')).toThrow(/neither a date/);
    const none = { treatedTowns: [], zeroComplaintSince: [] };
    expect(() =>
      resolveConcepts(
        { ...none, treatedTowns: [{ town: '不存在镇', since: '2020-01-01' }] },
        geo.tree,
        geo.layers.villages,
      ),
    ).toThrow(/no town/);
    // The source lists two 姚辛庄村 in 张家湾镇: a name two committees share must be given by code.
    expect(() =>
      resolveConcepts(
        { ...none, zeroComplaintSince: [{ village: '姚辛庄村', start: { months: 3 } }] },
        geo.tree,
        geo.layers.villages,
      ),
    ).toThrow(/12-digit code/);
  });

  it('counts calendar months back and clamps to the month end', () => {
    expect(addMonths(dayOfDate('2025-07-01'), -15)).toBe(dayOfDate('2024-04-01'));
    expect(addMonths(dayOfDate('2025-03-31'), -1)).toBe(dayOfDate('2025-02-28'));
  });

  it('gives a village the unit of its committees only when they agree', () => {
    const concepts = {
      treatedTowns: new Map(),
      zeroComplaintSince: new Map([
        ['a', { months: 3 }],
        ['b', { months: 3 }],
        ['c', { date: '2025-01-01' }],
      ]),
    };
    expect(unitStart(concepts, ['a', 'b'])).toEqual({ months: 3 });
    expect(unitStart(concepts, ['a', 'c'])).toBeUndefined();
    expect(unitStart(concepts, ['a', 'x'])).toBeUndefined();
    expect(unitStart(concepts, [])).toBeUndefined();
  });

  it('on the landing: from the start while the log has no ticket of the village before today, broken by one', () => {
    const NOW = Date.parse(L('2025-07-20T16:00:00'));
    const w = writer();
    // The log begins on 1 July with a ticket of 张辛庄村 (configured 2024-01-01, but it had a ticket in the log).
    w.create('Z1', '2025-07-01T09:00:00', CELL);
    // 后青山村 has one today only: today is not counted, so its streak still stands.
    w.create('H1', '2025-07-20T09:00:00', HOUQINGSHAN);
    const weekly = createWeeklyTickets(geo);
    const trends = createAreaTrends(geo, {}, Date.parse(L('2025-07-01T00:00:00')), (observer) =>
      createLiveState(geo, {}, Date.parse(L('2025-07-01T00:00:00')), mergeObservers(observer, weekly.observer)),
    );
    trends.apply(w.events);
    weekly.apply(w.events);
    trends.advance(NOW);
    const concepts = resolveConcepts(
      {
        treatedTowns: parseTreatedTowns('张家湾镇@2019-07-01'),
        zeroComplaintSince: parseZeroComplaintSince('后青山村@15mo,张辛庄村@2024-01-01,牌楼营村@2025-06-01'),
      },
      geo.tree,
      geo.layers.villages,
    );
    const units = indexUnits(geo.layers.grid, geo.layers.villages);
    const src = { tree: geo.tree, units, live: trends.live, weekly };
    const plain = buildLanding(src, TOWN, NOW)!;
    const body = buildLanding({ ...src, concepts: { concepts, counters: trends } }, TOWN, NOW)!;
    expect(checker(Landing)(body).ok).toBe(true);
    const days = (b: typeof body, name: string) => b.units.find((u) => u.name === name)!.zeroComplaintDays;

    // Without a start the log caps every streak: 1–19 July is 19 days; 张辛庄村's runs from 2 July: 18.
    expect(days(plain, '后青山村')).toBe(19);
    expect(days(plain, '张辛庄村')).toBe(18);
    // 后青山村: 15 months before the log's first day, 2024-04-01, to 20 July 2025: 365 + 91 + 19 = 475 days.
    expect(days(body, '后青山村')).toBe(475);
    // 牌楼营村 from 2025-06-01: 30 days of June and 19 of July.
    expect(days(body, '牌楼营村')).toBe(49);
    // 张辛庄村: its 1 July ticket ends the configured streak; the log's count stands.
    expect(days(body, '张辛庄村')).toBe(18);
    expect(body.streaks.slice(0, 2).map((s) => [s.name, s.days])).toEqual([
      ['后青山村', 475],
      ['牌楼营村', 49],
    ]);
    // The town is listed, with its pair; without concepts it is not.
    expect(body.treatment).toMatchObject({ key: TOWN, name: '张家湾镇', since: '2019-07-01' });
    expect(plain.treatment).toBeNull();

    // The desk's area detail (GET /api/v1/area-figures) shows the village's one cell the landing's figure;
    // 张辛庄村's cell, whose ticket ended the configured streak, the log's count.
    const figureSrc = {
      live: trends.live,
      supervision: createSupervisionFold(geo),
      scores: createPropertyScores(),
      units,
      concepts: { concepts, counters: trends },
    };
    const cellDays = (gridId: string, at: number) =>
      buildAreaFigures(figureSrc, `grid:${gridId}`, at)!.zeroComplaintDays;
    expect(cellDays(HOUQINGSHAN, NOW)).toBe(475);
    expect(cellDays(CELL, NOW)).toBe(18);
    // A town keeps the live state's own count.
    expect(buildAreaFigures(figureSrc, TOWN, NOW)!.zeroComplaintDays).toBe(
      trends.live.aggregate(TOWN)!.zeroComplaintDays,
    );

    // Tomorrow 后青山村's ticket of today lies before "today": the log's own count takes over (21 July − 21 July).
    const tomorrow = NOW + 86_400_000;
    trends.advance(tomorrow);
    const next = buildLanding({ ...src, concepts: { concepts, counters: trends } }, TOWN, tomorrow)!;
    expect(days(next, '后青山村')).toBe(0);
    expect(streakWithStart(0, { months: 15 }, [`grid:${HOUQINGSHAN}`], trends, tomorrow)).toBe(0);

    expect(cellDays(HOUQINGSHAN, tomorrow)).toBe(0);
  });
});
