// Ticket KPIs of the live state on the real geography, against figures computed by hand in the comments.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { StoredEvent } from '../../server/contract/events';
import { checkAreaAggregate, type AreaAggregate } from '../../server/contract/live';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator, type Locator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import type { LiveState } from '../../server/live/types';
import { GEO_DIR } from '../helpers/paths';
import { at, closed, created, Feed, rated, spotIn as spotInGeo, updated, type Spot } from '../helpers/ticket-events';

let geo: Geo;
let locator: Locator;

/** Local (Asia/Shanghai) times on 2025-07-20, the test day D. */
const D = (hms: string) => `2025-07-20T${hms}+08:00`;
const spotIn = (layer: 'property' | 'grid' | 'towns', id: string): Spot => spotInGeo(geo, locator, layer, id);

function agg(state: LiveState, key: string): AreaAggregate {
  const a = state.aggregate(key as AreaKey);
  expect(a, key).toBeDefined();
  expect(checkAreaAggregate(a).ok, key).toBe(true);
  return a!;
}

// A1: inside property district p-110112004-01 (玉桥街道), A2: another grid cell of 玉桥 in p-110112004-41,
// B1: a grid cell of 中仓街道.
let A1: Spot;
let A2: Spot;
let B1: Spot;
const DISTRICT = 'district:110112';
const YUQIAO = 'town:110112004';
const ZHONGCANG = 'town:110112001';

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  locator = createLocator(geo);
  A1 = spotIn('property', 'p-110112004-01');
  A2 = spotIn('grid', 'g-110112004-250-0071-0148');
  const firstZhongcangCell = geo.layers.grid.features.find((f) => f.properties.townId === '110112001')!;
  B1 = spotIn('grid', firstZhongcangCell.properties.id);
});

describe('the fixture places', () => {
  it('are where the tests assume', () => {
    expect(A1.place).toEqual({
      townId: '110112004',
      gridId: 'g-110112004-250-0076-0149',
      propertyId: 'p-110112004-01',
    });
    expect(A2.place).toEqual({
      townId: '110112004',
      gridId: 'g-110112004-250-0071-0148',
      propertyId: 'p-110112004-41',
    });
    expect(B1.place.townId).toBe('110112001');
  });
});

/**
 * The day's story (D = 2025-07-20, clock at 12:00):
 * t1 A1 e_bike normal  09:00, in progress 09:30 (in time), closed 10:00 resolved, rated 11:00 satisfied
 * t2 A1 e_bike urgent  09:10, respond by 11:10: nothing → missed once the clock passes 11:10
 * t3 A2 noise  normal  09:20, closed 10:30 not resolved (the close is its response, in time), rated 11:30 unsatisfied
 * t4 B1 parking urgent 08:30 (folded after t1) with its own deadlines: respond 08:45, resolve 11:00; in progress 09:00 (late)
 * t5 A2 noise  low     D-1 20:00, in progress D-1 21:00 (in time, yesterday)
 * t6 A1 e_bike urgent  00:30, in progress 01:00 (in time); resolve due D+1 00:30, near after 19.2 h = 19:42
 */
function dayStory(feed: Feed): StoredEvent[] {
  return [
    feed.make(created('t5', '2025-07-19T20:00:00+08:00', A2, { category: 'noise', urgency: 'low' }), A2.place),
    feed.make(updated('t5', '2025-07-19T21:00:00+08:00', 'in_progress')),
    feed.make(created('t6', D('00:30:00'), A1, { urgency: 'urgent' }), A1.place),
    feed.make(updated('t6', D('01:00:00'), 'in_progress')),
    feed.make(created('t1', D('09:00:00'), A1), A1.place),
    // t4 reaches the log after t1 although it was created earlier (a slow channel).
    feed.make(
      created('t4', D('08:30:00'), B1, {
        category: 'parking',
        urgency: 'urgent',
        responseDueAt: D('08:45:00'),
        resolveDueAt: D('11:00:00'),
      }),
      B1.place,
    ),
    feed.make(updated('t4', D('09:00:00'), 'in_progress')),
    feed.make(created('t2', D('09:10:00'), A1, { urgency: 'urgent' }), A1.place),
    feed.make(created('t3', D('09:20:00'), A2, { category: 'noise' }), A2.place),
    feed.make(updated('t1', D('09:30:00'), 'in_progress')),
    feed.make(closed('t1', D('10:00:00'), true)),
    feed.make(closed('t3', D('10:30:00'), false)),
    feed.make(rated('t1', D('11:00:00'), true)),
    feed.make(rated('t3', D('11:30:00'), false)),
  ];
}

describe('ticket KPIs over one day', () => {
  let state: LiveState;
  beforeAll(() => {
    state = createLiveState(geo, {}, at(D('08:00:00')));
    state.apply(dayStory(new Feed()));
    state.advance(at(D('12:00:00')));
  });

  it('counts and rates the town of 玉桥 (t1, t2, t3, t5, t6)', () => {
    const t = agg(state, YUQIAO).tickets;
    // open: t2, t5, t6; new today: t1 t2 t3 t6; closed today: t1 t3
    expect([t.open, t.newToday, t.closedToday, t.overdue, t.nearDeadline]).toEqual([3, 4, 2, 0, 0]);
    expect(t.byCategory).toEqual({ e_bike: 3, noise: 1 });
    // responses settled today: t1 in time, t3 in time (its close), t6 in time, t2 missed → 3/4
    expect(t.responseRate).toBe(0.75);
    expect(t.resolutionRate).toBe(0.5); // t1 resolved, t3 not
    expect(t.satisfactionRate).toBe(0.5); // t1 satisfied, t3 not
    expect(t.composite).toBeCloseTo(0.2 * 0.75 + 0.4 * 0.5 + 0.4 * 0.5, 12); // 0.55
    // rolling 24 h = (D-1 12:00, now]: t5 (created 20:00, answered 21:00 in time) joins
    expect(t.rolling24h).toEqual({
      created: 5,
      closed: 2,
      responseRate: 0.8,
      resolutionRate: 0.5,
      satisfactionRate: 0.5,
      composite: expect.closeTo(0.2 * 0.8 + 0.4 * 0.5 + 0.4 * 0.5, 12),
      sample: { response: 5, resolution: 2, satisfaction: 2 },
      proactive: 0, // every one came through the hotline
    });
    // Each rate says what it rests on: today 4 responses settled, 2 verdicts, 2 ratings.
    expect(t.sample).toEqual({ response: 4, resolution: 2, satisfaction: 2 });
  });

  it('rolls up grid cell and property district of A1 (t1, t2, t6)', () => {
    for (const key of ['grid:g-110112004-250-0076-0149', 'property:p-110112004-01']) {
      const t = agg(state, key).tickets;
      expect([t.open, t.newToday, t.closedToday], key).toEqual([2, 3, 1]);
      expect(t.byCategory).toEqual({ e_bike: 3 });
      expect(t.responseRate).toBeCloseTo(2 / 3, 12); // t1, t6 in time; t2 missed
      expect(t.resolutionRate).toBe(1);
      expect(t.satisfactionRate).toBe(1);
      expect(t.composite).toBeCloseTo(0.2 * (2 / 3) + 0.4 + 0.4, 12);
    }
  });

  it('rolls up the cell of A2 (t3, t5)', () => {
    const t = agg(state, 'grid:g-110112004-250-0071-0148').tickets;
    expect([t.open, t.newToday, t.closedToday]).toEqual([1, 1, 1]);
    expect([t.responseRate, t.resolutionRate, t.satisfactionRate]).toEqual([1, 0, 0]);
    expect(t.composite).toBeCloseTo(0.2, 12);
    expect(t.rolling24h.created).toBe(2);
    expect(t.rolling24h.responseRate).toBe(1);
  });

  it('scores 中仓 on the response rate alone (t4: late, and overdue since 11:00)', () => {
    const t = agg(state, ZHONGCANG).tickets;
    expect([t.open, t.newToday, t.overdue]).toEqual([1, 1, 1]);
    expect([t.responseRate, t.resolutionRate, t.satisfactionRate]).toEqual([0, null, null]);
    // Rates without data are left out and the weights renormalised: only the response rate remains.
    expect(t.composite).toBe(0);
    expect(t.byCategory).toEqual({ parking: 1 });
  });

  it('sums everything at the district', () => {
    const t = agg(state, DISTRICT).tickets;
    expect([t.open, t.newToday, t.closedToday, t.overdue, t.nearDeadline]).toEqual([4, 5, 2, 1, 0]);
    expect(t.byCategory).toEqual({ e_bike: 3, noise: 1, parking: 1 });
    expect(t.responseRate).toBe(0.6); // t1 t3 t6 in time; t2 t4 missed
    expect(t.composite).toBeCloseTo(0.2 * 0.6 + 0.4 * 0.5 + 0.4 * 0.5, 12); // 0.52
  });

  it('leaves a town without tickets empty, rates null', () => {
    const t = agg(state, 'town:110112117').tickets;
    expect([
      t.open,
      t.newToday,
      t.closedToday,
      t.responseRate,
      t.resolutionRate,
      t.satisfactionRate,
      t.composite,
    ]).toEqual([0, 0, 0, null, null, null, null]);
    expect(t.byCategory).toEqual({});
  });

  it('uses custom composite weights', () => {
    const custom = createLiveState(
      geo,
      { kpiWeights: { response: 0.5, resolution: 0.25, satisfaction: 0.25 } },
      at(D('08:00:00')),
    );
    custom.apply(dayStory(new Feed()));
    custom.advance(at(D('12:00:00')));
    expect(agg(custom, YUQIAO).tickets.composite).toBeCloseTo(0.5 * 0.75 + 0.25 * 0.5 + 0.25 * 0.5, 12); // 0.625
    expect(agg(custom, DISTRICT).tickets.composite).toBeCloseTo(0.5 * 0.6 + 0.25 * 0.5 + 0.25 * 0.5, 12); // 0.55
  });

  it('rejects weights that do not sum to 1', () => {
    expect(() => createLiveState(geo, { kpiWeights: { response: 0.5, resolution: 0.5, satisfaction: 0.5 } })).toThrow(
      /sum to 1/,
    );
  });

  it('marks the ticket objects', () => {
    expect(state.ticket('t4')).toMatchObject({
      status: 'in_progress',
      overdue: true,
      nearDeadline: false,
      resolveDueAt: D('11:00:00'),
    });
    // Derived deadlines are written in Beijing time.
    expect(state.ticket('t2')).toMatchObject({
      responseDueAt: D('11:10:00'),
      resolveDueAt: '2025-07-21T09:10:00+08:00',
    });
    expect(state.ticket('t1')).toBeUndefined(); // closed: off the map
  });
});

describe('deadlines move with the clock', () => {
  it('turns near deadline strictly after 80 % of the window and overdue strictly after the due time', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('10:00:00')));
    // urgent: respond 2 h, resolve 24 h → near after 10:00 + 19.2 h = D+1 05:12, overdue after D+1 10:00
    state.apply([feed.make(created('u', D('10:00:00'), A1, { urgency: 'urgent' }), A1.place)]);
    state.advance(at('2025-07-21T05:12:00+08:00'));
    expect(agg(state, YUQIAO).tickets.nearDeadline).toBe(0);
    state.advance(at('2025-07-21T05:12:00.001+08:00'));
    expect(agg(state, YUQIAO).tickets.nearDeadline).toBe(1);
    expect(state.ticket('u')).toMatchObject({ nearDeadline: true, overdue: false });
    state.advance(at('2025-07-21T10:00:00+08:00'));
    expect(agg(state, YUQIAO).tickets.overdue).toBe(0);
    state.advance(at('2025-07-21T10:00:00.001+08:00'));
    const t = agg(state, YUQIAO).tickets;
    expect([t.overdue, t.nearDeadline]).toEqual([1, 0]);
    expect(state.ticket('u')).toMatchObject({ nearDeadline: false, overdue: true });
    expect(state.tickets({ overdue: true }).items.map((x) => x.id)).toEqual(['u']);
    // Closing takes it out of both counters.
    state.apply([feed.make(closed('u', '2025-07-21T11:00:00+08:00', true))]);
    expect(agg(state, DISTRICT).tickets.overdue).toBe(0);
  });

  it('uses configured urgency deadlines and near-deadline fraction', () => {
    const state = createLiveState(
      geo,
      {
        deadlines: {
          urgent: { respondMs: 30 * 60_000, resolveMs: 4 * 3_600_000 },
          normal: { respondMs: 3_600_000, resolveMs: 8 * 3_600_000 },
          low: { respondMs: 3_600_000, resolveMs: 8 * 3_600_000 },
        },
        nearDeadlineFraction: 0.5,
      },
      at(D('08:00:00')),
    );
    state.apply([new Feed().make(created('x', D('08:00:00'), A1, { urgency: 'urgent' }), A1.place)]);
    expect(state.ticket('x')).toMatchObject({ responseDueAt: D('08:30:00'), resolveDueAt: D('12:00:00') });
    state.advance(at(D('10:00:01'))); // half of 4 h has passed
    expect(agg(state, YUQIAO).tickets.nearDeadline).toBe(1);
    expect(agg(state, YUQIAO).tickets.responseRate).toBe(0); // no answer by 08:30
  });

  it('takes back a miss when an in-time response is folded after the clock passed the deadline', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('10:00:00')));
    state.apply([feed.make(created('r', D('10:00:00'), A1, { urgency: 'urgent' }), A1.place)]);
    state.advance(at(D('13:00:00')));
    expect(agg(state, YUQIAO).tickets.responseRate).toBe(0);
    state.apply([feed.make(updated('r', D('11:30:00'), 'in_progress'))]); // delivered late, dated in time
    const t = agg(state, YUQIAO).tickets;
    expect([t.responseRate, t.rolling24h.responseRate]).toEqual([1, 1]);
    // A later status is not a second response.
    state.apply([feed.make(updated('r', D('14:00:00'), 'replied'))]);
    expect(agg(state, YUQIAO).tickets.responseRate).toBe(1);
  });

  it('does not count a dispatch (派单) as the response: only first contact does', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('10:00:00')));
    state.apply([
      feed.make(created('q', D('10:00:00'), A1, { urgency: 'urgent' }), A1.place),
      feed.make(updated('q', D('10:05:00'), 'dispatched')),
    ]);
    state.advance(at(D('12:30:00'))); // past the 2 h response deadline with only a dispatch
    expect(agg(state, YUQIAO).tickets.responseRate).toBe(0);
  });

  it('counts a response dated after the deadline as a miss, once', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('10:00:00')));
    state.apply([
      feed.make(created('l', D('10:00:00'), A1, { urgency: 'urgent' }), A1.place),
      feed.make(updated('l', D('12:30:00'), 'in_progress')),
    ]);
    state.advance(at(D('13:00:00')));
    const t = agg(state, YUQIAO).tickets;
    expect(t.responseRate).toBe(0);
    expect(t.rolling24h.responseRate).toBe(0);
    state.apply([feed.make(closed('l', D('13:30:00'), true))]);
    expect(agg(state, YUQIAO).tickets.responseRate).toBe(0);
  });
});

describe('window edges', () => {
  it('puts 23:59:59 in its own day and 00:00:00 in the next; midnight resets today', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('23:59:59.500')));
    state.apply([
      feed.make(created('late', D('23:59:59'), A1, { category: 'noise' }), A1.place),
      feed.make(created('early', '2025-07-21T00:00:00+08:00', B1), B1.place),
    ]);
    let t = agg(state, DISTRICT).tickets;
    expect([t.newToday, t.rolling24h.created, t.open]).toEqual([1, 2, 2]);
    expect(t.byCategory).toEqual({ noise: 1 });
    state.advance(at('2025-07-21T00:00:00+08:00'));
    t = agg(state, DISTRICT).tickets;
    expect([t.newToday, t.rolling24h.created, t.open]).toEqual([1, 2, 2]);
    expect(t.byCategory).toEqual({ e_bike: 1 });
    expect(agg(state, YUQIAO).tickets.newToday).toBe(0);
    expect(agg(state, ZHONGCANG).tickets.newToday).toBe(1);
  });

  it('drops a fact from the rolling window when it is exactly 24 h old', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('10:00:00')));
    state.apply([feed.make(created('w', D('10:00:00'), A1), A1.place), feed.make(closed('w', D('10:00:00'), true))]);
    state.advance(at('2025-07-21T09:59:59.999+08:00'));
    let r = agg(state, YUQIAO).tickets.rolling24h;
    expect([r.created, r.closed, r.resolutionRate]).toEqual([1, 1, 1]);
    expect(agg(state, YUQIAO).tickets.newToday).toBe(0); // another day already
    state.advance(at('2025-07-21T10:00:00+08:00'));
    r = agg(state, YUQIAO).tickets.rolling24h;
    expect([r.created, r.closed, r.responseRate, r.resolutionRate, r.composite]).toEqual([0, 0, null, null, null]);
  });

  it('ignores facts older than the windows but still knows the ticket', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('10:00:00')));
    state.apply([feed.make(created('old', '2025-07-10T10:00:00+08:00', A1), A1.place)]);
    const t = agg(state, YUQIAO).tickets;
    expect([t.open, t.newToday, t.rolling24h.created, t.overdue]).toEqual([1, 0, 0, 1]); // 7 days elapsed on 07-17
  });

  it('counts a ticket dated tomorrow (a producer clock ahead) when tomorrow comes', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('23:00:00')));
    state.apply([feed.make(created('f', '2025-07-21T00:10:00+08:00', A1), A1.place)]);
    expect(agg(state, YUQIAO).tickets.newToday).toBe(0);
    state.advance(at('2025-07-21T00:20:00+08:00'));
    expect(agg(state, YUQIAO).tickets.newToday).toBe(1);
    expect(agg(state, YUQIAO).tickets.byCategory).toEqual({ e_bike: 1 });
  });
});

describe('the clock', () => {
  it('starts at the first event folded when no clock is given, and never runs backwards', () => {
    const feed = new Feed();
    const state = createLiveState(geo);
    state.apply([feed.make(created('c', D('09:00:00'), A1), A1.place)]);
    expect(agg(state, YUQIAO).tickets.newToday).toBe(1);
    expect(state.snapshot(YUQIAO).at).toBe(D('09:00:00'));
    state.advance(at(D('08:00:00')));
    expect(state.snapshot(YUQIAO).at).toBe(D('09:00:00'));
  });
});

describe('零诉求 streaks', () => {
  it('counts whole days before today since the last ticket, from the first event seen', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('23:59:59.500')));
    expect(agg(state, 'town:110112117').zeroComplaintDays).toBe(0); // nothing seen yet
    state.apply([
      feed.make(created('x', D('23:59:59'), A1), A1.place), // 玉桥, day D (also the baseline day)
      feed.make(created('y', '2025-07-21T00:00:00+08:00', B1), B1.place), // 中仓, day D+1
    ]);
    expect(agg(state, YUQIAO).zeroComplaintDays).toBe(0);
    expect(agg(state, 'town:110112117').zeroComplaintDays).toBe(0); // D is today: not counted yet
    state.advance(at('2025-07-21T00:00:00+08:00'));
    expect(agg(state, YUQIAO).zeroComplaintDays).toBe(0); // ticket yesterday
    expect(agg(state, ZHONGCANG).zeroComplaintDays).toBe(1); // D was quiet; today's ticket does not count yet
    expect(agg(state, 'town:110112117').zeroComplaintDays).toBe(1);
    expect(agg(state, DISTRICT).zeroComplaintDays).toBe(0);
    state.advance(at('2025-07-23T08:00:00+08:00')); // today D+3
    expect(agg(state, YUQIAO).zeroComplaintDays).toBe(2); // D+1, D+2
    expect(agg(state, ZHONGCANG).zeroComplaintDays).toBe(1); // D+2
    expect(agg(state, 'town:110112117').zeroComplaintDays).toBe(3); // D, D+1, D+2
    expect(agg(state, 'grid:g-110112004-250-0076-0149').zeroComplaintDays).toBe(2);
    expect(agg(state, 'grid:g-110112004-250-0071-0148').zeroComplaintDays).toBe(3);
  });

  it('counts from the configured epoch for areas that never had a ticket', () => {
    const feed = new Feed();
    const state = createLiveState(geo, { zeroComplaintSinceMs: at('2025-07-10T00:00:00+08:00') }, at(D('10:00:00')));
    state.apply([feed.make(created('x', D('09:00:00'), A1), A1.place)]);
    expect(agg(state, 'town:110112117').zeroComplaintDays).toBe(10); // 07-10 … 07-19
    expect(agg(state, YUQIAO).zeroComplaintDays).toBe(10); // today's ticket ends the streak only tomorrow
    state.advance(at('2025-07-21T10:00:00+08:00'));
    expect(agg(state, YUQIAO).zeroComplaintDays).toBe(0);
    expect(agg(state, 'town:110112117').zeroComplaintDays).toBe(11);
    // A ticket dated in the past (a late import) shortens the streak of its area.
    state.apply([feed.make(created('z', '2025-07-15T09:00:00+08:00', B1), B1.place)]);
    expect(agg(state, ZHONGCANG).zeroComplaintDays).toBe(5); // 07-16 … 07-20
  });
});

describe('ticket lifecycle rules', () => {
  it('folds idempotently: the same seq twice changes nothing', () => {
    const feed = new Feed();
    const events = dayStory(feed);
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    state.apply(events.slice(0, 8));
    state.apply(events);
    state.apply(events);
    state.advance(at(D('12:00:00')));
    expect(state.seq).toBe(events.length);
    const once = createLiveState(geo, {}, at(D('08:00:00')));
    once.apply(events);
    once.advance(at(D('12:00:00')));
    for (const key of [DISTRICT, YUQIAO, ZHONGCANG, 'grid:g-110112004-250-0076-0149']) {
      expect(state.aggregate(key as AreaKey)).toEqual(once.aggregate(key as AreaKey));
    }
  });

  it('moves statuses forward only, records escalations and assignees', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    state.apply([
      feed.make(created('s', D('08:00:00'), A1), A1.place),
      feed.make({
        kind: 'ticket.updated',
        time: D('08:10:00'),
        ticketId: 's',
        status: 'in_progress',
        assignee: '110112004',
      }),
      feed.make(updated('s', D('08:20:00'), 'dispatched')),
      feed.make({ kind: 'ticket.escalated', time: D('08:30:00'), ticketId: 's', departments: ['fire', 'housing'] }),
      feed.make({ kind: 'ticket.escalated', time: D('08:40:00'), ticketId: 's', departments: ['housing', 'market'] }),
      feed.make(updated('nope', D('08:50:00'), 'dispatched')), // unknown ticket: ignored
    ]);
    expect(state.ticket('s')).toMatchObject({
      status: 'in_progress',
      assignee: '110112004',
      escalatedTo: ['fire', 'housing', 'market'],
    });
  });

  it('counts a close without a verdict as closed but outside the resolution rate, until ticket.closed gives one', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(D('08:00:00')));
    state.apply([
      feed.make(created('v', D('08:00:00'), A1), A1.place),
      feed.make(updated('v', D('09:00:00'), 'closed')),
    ]);
    let t = agg(state, YUQIAO).tickets;
    expect([t.open, t.closedToday, t.resolutionRate, t.responseRate]).toEqual([0, 1, null, 1]);
    state.apply([feed.make(closed('v', D('09:05:00'), false))]);
    t = agg(state, YUQIAO).tickets;
    expect([t.closedToday, t.resolutionRate]).toEqual([1, 0]);
  });

  it('counts one rating per ticket and forgets closed tickets after the retention', () => {
    const feed = new Feed();
    const state = createLiveState(geo, { closedTicketRetentionMs: 2 * 86_400_000 }, at(D('08:00:00')));
    state.apply([
      feed.make(created('k', D('08:00:00'), A1), A1.place),
      feed.make(closed('k', D('09:00:00'), true)),
      feed.make(rated('k', D('10:00:00'), false)),
      feed.make(rated('k', D('10:05:00'), true)),
    ]);
    expect(agg(state, YUQIAO).tickets.satisfactionRate).toBe(0);
    expect(state.tickets({ status: 'closed' }).items.map((x) => x.id)).toEqual(['k']);
    state.advance(at('2025-07-22T09:00:00.001+08:00'));
    expect(state.tickets({ status: 'closed' }).total).toBe(0);
    state.apply([
      feed.make(created('m', '2025-07-22T09:30:00+08:00', A1), A1.place),
      feed.make(rated('k', '2025-07-22T10:00:00+08:00', true)),
    ]);
    expect(agg(state, YUQIAO).tickets.satisfactionRate).toBeNull();
  });
});

describe('the count limit of the closed tickets kept', () => {
  it('forgets the one closed longest ago first, past the limit, and still counts its later rating, once', () => {
    const feed = new Feed();
    const state = createLiveState(geo, { closedTicketRetentionMax: 2 }, at(D('08:00:00')));
    state.apply([
      feed.make(created('a', D('08:00:00'), A1), A1.place),
      feed.make(created('b', D('08:01:00'), A1), A1.place),
      feed.make(created('c', D('08:02:00'), A1), A1.place),
      feed.make(created('d', D('08:03:00'), A1), A1.place),
      // b closes before a: the order of closing decides, not of creation
      feed.make(closed('b', D('09:00:00'), true)),
      feed.make(closed('a', D('09:01:00'), true)),
      feed.make(closed('c', D('09:02:00'), true)),
    ]);
    expect(state.tickets({ status: 'closed' }).items.map((x) => x.id)).toEqual(['c', 'a']);
    // Open tickets never count against it, and the windows keep every closing.
    expect(state.tickets({ status: 'open' }).items.map((x) => x.id)).toEqual(['d']);
    expect(agg(state, YUQIAO).tickets.closedToday).toBe(3);
    // b is no longer listed, but its rating still counts (a follow-up comes after the close); a second call
    // about it does not count again.
    state.apply([
      feed.make(rated('b', D('10:00:00'), false)),
      feed.make(rated('a', D('10:01:00'), true)),
      feed.make(rated('b', D('10:02:00'), true)),
    ]);
    expect(agg(state, YUQIAO).tickets.satisfactionRate).toBe(0.5);
    expect(agg(state, YUQIAO).tickets.sample.satisfaction).toBe(2);
    // The time limit still applies to the ones kept, and a ticket forgotten by count is not dropped twice.
    state.advance(at('2025-07-27T09:01:30+08:00'));
    expect(state.tickets({ status: 'closed' }).items.map((x) => x.id)).toEqual(['c']);
  });

  it('keeps the number of closed tickets flat however many close', () => {
    const feed = new Feed();
    const state = createLiveState(geo, { closedTicketRetentionMax: 500 }, at(D('08:00:00')));
    for (let i = 0; i < 20_000; i++) {
      state.apply([
        feed.make(created(`t${i}`, D('08:00:00'), A1), A1.place),
        feed.make(closed(`t${i}`, D('09:00:00'), true)),
      ]);
    }
    const kept = state.tickets({ status: 'closed', limit: 1000 });
    expect(kept.total).toBe(500);
    expect(kept.items.some((x) => x.id === 't19999')).toBe(true);
    expect(kept.items.some((x) => x.id === 't19499')).toBe(false);
    expect(agg(state, YUQIAO).tickets.closedToday).toBe(20_000);
  });

  it('is refused when it is not a whole number', () => {
    expect(() => createLiveState(geo, { closedTicketRetentionMax: 1.5 })).toThrow(/closedTicketRetentionMax/);
  });
});

describe('tickets(query)', () => {
  let state: LiveState;
  beforeAll(() => {
    state = createLiveState(geo, {}, at(D('08:00:00')));
    state.apply(dayStory(new Feed()));
    state.advance(at(D('12:00:00')));
  });

  it('lists newest first, by creation time, whatever the folding order', () => {
    expect(state.tickets({}).items.map((t) => t.id)).toEqual(['t3', 't2', 't1', 't4', 't6', 't5']);
    expect(state.tickets({ status: 'open' }).items.map((t) => t.id)).toEqual(['t2', 't4', 't6', 't5']);
    expect(state.tickets({ status: 'closed' }).items.map((t) => t.id)).toEqual(['t3', 't1']);
    expect(state.tickets({ status: 'in_progress' }).items.map((t) => t.id)).toEqual(['t4', 't6', 't5']);
  });

  it('filters by area at every level, category and overdue', () => {
    expect(state.tickets({ area: YUQIAO }).total).toBe(5);
    expect(state.tickets({ area: 'property:p-110112004-01' }).items.map((t) => t.id)).toEqual(['t2', 't1', 't6']);
    expect(state.tickets({ area: 'grid:g-110112004-250-0071-0148' }).items.map((t) => t.id)).toEqual(['t3', 't5']);
    expect(state.tickets({ area: ZHONGCANG, status: 'open' }).items.map((t) => t.id)).toEqual(['t4']);
    expect(state.tickets({ category: 'noise' }).items.map((t) => t.id)).toEqual(['t3', 't5']);
    expect(state.tickets({ overdue: true }).items.map((t) => t.id)).toEqual(['t4']);
    expect(state.tickets({ area: 'town:110112117' })).toEqual({ total: 0, items: [] });
    expect(state.tickets({ area: 'town:nowhere' as AreaKey })).toEqual({ total: 0, items: [] });
  });

  it('pages with a stable total', () => {
    const p1 = state.tickets({ limit: 4 });
    const p2 = state.tickets({ offset: 4, limit: 4 });
    expect(p1.total).toBe(6);
    expect(p2.total).toBe(6);
    expect([...p1.items, ...p2.items].map((t) => t.id)).toEqual(['t3', 't2', 't1', 't4', 't6', 't5']);
  });
});
