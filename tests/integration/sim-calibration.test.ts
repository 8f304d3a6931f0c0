// The simulator against the seeds' figures (docs/DOMAIN.md, server/sim/README.md "Demand per town"), counted
// by hand from the events it generates, as the live state counts them (server/live/state/): 解决率 =
// resolved verdicts / closes with a verdict, 满意率 = satisfied / rated, each event in the window of its time;
// a ticket belongs to the town its location falls in.
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpsEvent, TicketCategory } from '../../server/contract/events';
import { TICKET_CATEGORIES } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { TOWN_DEMAND, YUQIAO_ID, ZHANGJIAWAN_ID, ZHANGJIAWAN_TURNAROUND } from '../../server/sim/demand';
import { createSimulator } from '../../server/sim/engine';
import { scenarioParams } from '../../server/sim/scenarios';
import { GEO_DIR } from '../helpers/paths';

const DAY = 86_400_000;

let geo: Geo;
let townOfPoint: (lon: number, lat: number) => string | undefined;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  const locator = createLocator(geo);
  townOfPoint = (lon, lat) => locator.locate(lon, lat)?.townId;
});

interface Tally {
  created: number;
  verdicts: number;
  resolved: number;
  rated: number;
  satisfied: number;
  byCategory: Partial<Record<TicketCategory, number>>;
}
const tally = (): Tally => ({ created: 0, verdicts: 0, resolved: 0, rated: 0, satisfied: 0, byCategory: {} });

/**
 * Counts one town's tickets. `windowOf` picks the tally an event goes to from a time: the event's own time
 * (a month's figures) or, with `byCreation`, its ticket's creation time (what the tickets of a period became).
 */
function count(
  events: readonly OpsEvent[],
  townId: string,
  windowOf: (t: number) => Tally | null,
  byCreation = false,
): void {
  const createdAt = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'ticket.created') {
      if (townOfPoint(e.location.lon, e.location.lat) !== townId) continue;
      createdAt.set(e.ticketId, Date.parse(e.time));
      const w = windowOf(Date.parse(e.time));
      if (!w) continue;
      w.created++;
      w.byCategory[e.category] = (w.byCategory[e.category] ?? 0) + 1;
      continue;
    }
    // The simulator's follow-up (回访) agrees with the handler's verdict, so the closes count the resolution and
    // the follow-ups the satisfaction, as the live state does.
    if (e.kind !== 'ticket.closed' && e.kind !== 'ticket.followed_up') continue;
    const born = createdAt.get(e.ticketId);
    if (born === undefined) continue;
    const w = windowOf(byCreation ? born : Date.parse(e.time));
    if (!w) continue;
    if (e.kind === 'ticket.closed') {
      w.verdicts++;
      if (e.resolved) w.resolved++;
    } else if (e.satisfied !== undefined) {
      w.rated++;
      if (e.satisfied) w.satisfied++;
    }
  }
}

describe('the normal scenario over a simulated month', () => {
  // April 2025: 30 days, no summer or heating factor; the simulator starts at the month's first midnight.
  const start = Date.parse('2025-04-01T00:00:00+08:00');
  const end = Date.parse('2025-05-01T00:00:00+08:00');
  const yuqiao = tally();
  const perTown = new Map<string, number>();
  beforeAll(() => {
    // Flood stays on (its showers bring waterlogging tickets); patrols never touch tickets and only cost time.
    const events = createSimulator({
      geo,
      scenario: 'normal',
      seed: 1,
      start,
      tune: { patrols: { enabled: false } },
    }).next(end - 1);
    count(events, YUQIAO_ID, (t) => (t >= start && t < end ? yuqiao : null));
    for (const e of events)
      if (e.kind === 'ticket.created') {
        const town = townOfPoint(e.location.lon, e.location.lat) ?? '?';
        perTown.set(town, (perTown.get(town) ?? 0) + 1);
      }
  });

  it('gives 玉桥 its 50 tickets a day, within ±15 %', () => {
    expect(yuqiao.created / 30).toBeGreaterThanOrEqual(50 * 0.85);
    expect(yuqiao.created / 30).toBeLessThanOrEqual(50 * 1.15);
  });

  it('resolves 82.94 % in 玉桥 within ±3 points, over a month of closes', () => {
    expect(yuqiao.verdicts).toBeGreaterThan(1000);
    expect(Math.abs((100 * yuqiao.resolved) / yuqiao.verdicts - 82.94)).toBeLessThanOrEqual(3);
  });

  it('satisfies 91.83 % in 玉桥 within ±3 points, over a month of ratings', () => {
    expect(yuqiao.rated).toBeGreaterThan(900);
    expect(Math.abs((100 * yuqiao.satisfied) / yuqiao.rated - 91.83)).toBeLessThanOrEqual(3);
  });

  it('gives every town its table figure within ±15 %, so 文景 (many large cells) stays below 玉桥', () => {
    // The table's figure is a weekday's; April 2025 has 22 weekdays and 8 weekend days at weekendFactor.
    const monthFactor = (22 + 8 * scenarioParams('normal').tickets.weekendFactor) / 30;
    const off = Object.entries(TOWN_DEMAND)
      .map(([id, t]) => ({ town: t.name, perDay: (perTown.get(id) ?? 0) / 30, want: t.perDay * monthFactor }))
      .filter((x) => Math.abs(x.perDay / x.want - 1) > 0.15);
    expect(off).toEqual([]);
    expect(perTown.get('110112009') ?? 0).toBeLessThan(perTown.get(YUQIAO_ID) ?? 0);
  });
});

describe('scenario turnaround: 张家湾 from a 治理类 town to its present figures', () => {
  const params = scenarioParams('turnaround').tickets.turnaround!;
  const hold = params.holdDays * DAY;
  const settled = (params.holdDays + params.turnaroundDays) * DAY;
  // December: the heating season, so that 供暖 has tickets enough to measure its fall too.
  const start = Date.parse('2025-12-01T00:00:00+08:00');
  const afterDays = 20;

  it('starts 张家湾 as the district’s busiest town', () => {
    const events = createSimulator({
      geo,
      scenario: 'turnaround',
      seed: 1,
      start,
      tune: { patrols: { enabled: false }, flood: { enabled: false } },
    }).next(start + hold);
    const perTown = new Map<string, number>();
    for (const e of events)
      if (e.kind === 'ticket.created') {
        const town = townOfPoint(e.location.lon, e.location.lat) ?? '?';
        perTown.set(town, (perTown.get(town) ?? 0) + 1);
      }
    const ranking = [...perTown].sort((a, b) => b[1] - a[1]);
    expect(ranking[0]![0]).toBe(ZHANGJIAWAN_ID);
  });

  // 张家湾 alone (the other towns at 0 a day), pooled over several seeds: the gains are differences of two
  // rates, and one run of one town leaves each with a sampling error of about 1.5 points.
  const before = tally();
  const after = tally();
  beforeAll(() => {
    const alone = {
      patrols: { enabled: false },
      flood: { enabled: false },
      tickets: {
        perDay: TOWN_DEMAND[ZHANGJIAWAN_ID]!.perDay,
        towns: Object.fromEntries(
          Object.keys(TOWN_DEMAND).map((id) => [id, { perDay: id === ZHANGJIAWAN_ID ? 40 : 0 }]),
        ),
      },
    };
    for (const seed of [1, 2, 3, 4, 5]) {
      const events = createSimulator({ geo, scenario: 'turnaround', seed, start, tune: alone }).next(
        start + settled + afterDays * DAY,
      );
      count(events, ZHANGJIAWAN_ID, (t) => (t < start + hold ? before : t >= start + settled ? after : null), true);
    }
  });

  it('raises 解决率 by the seed’s 17 points, within ±3', () => {
    const gain = (100 * after.resolved) / after.verdicts - (100 * before.resolved) / before.verdicts;
    expect(Math.abs(gain - 100 * ZHANGJIAWAN_TURNAROUND.resolutionGain)).toBeLessThanOrEqual(3);
  });

  it('raises 满意率 by the seed’s 21 points, within ±3', () => {
    const gain = (100 * after.satisfied) / after.rated - (100 * before.satisfied) / before.rated;
    expect(Math.abs(gain - 100 * ZHANGJIAWAN_TURNAROUND.satisfactionGain)).toBeLessThanOrEqual(3);
  });

  it('lowers each category the seed names by its figure (−22 % … −79 %), within ±10 points, and no other', () => {
    const perDay = (w: Tally, c: TicketCategory, days: number) => (w.byCategory[c] ?? 0) / days;
    const holdDays = params.holdDays;
    const drops = ZHANGJIAWAN_TURNAROUND.categoryDrop as Partial<Record<TicketCategory, number>>;
    const off: string[] = [];
    for (const [c, drop] of Object.entries(drops) as [TicketCategory, number][]) {
      const fell = 1 - perDay(after, c, afterDays) / perDay(before, c, holdDays);
      if (Math.abs(fell - drop) > 0.1) off.push(`${c}: fell ${(100 * fell).toFixed(0)} %, seed ${100 * drop} %`);
    }
    expect(off).toEqual([]);
    // The categories the seed does not name, together: flat within ±10 %.
    const others = TICKET_CATEGORIES.filter((c) => drops[c] === undefined);
    const sum = (w: Tally, days: number) => others.reduce((s, c) => s + perDay(w, c, days), 0);
    expect(Math.abs(sum(after, afterDays) / sum(before, holdDays) - 1)).toBeLessThanOrEqual(0.1);
  });
});
