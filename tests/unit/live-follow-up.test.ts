// 回访: the hotline's follow-up call decides the resolution and satisfaction rates. Hand counts: the handler's
// verdict stands until the citizen answers, then is taken back where it was counted; a follow-up of a ticket the
// state no longer lists still counts, once; and a restart that folds the log in small batches with today's
// clock counts the same follow-ups as the server that lived through them.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { OpsEvent, StoredEvent } from '../../server/contract/events';
import type { TicketKpis } from '../../server/contract/live';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import type { LiveState } from '../../server/live/types';
import { GEO_DIR } from '../helpers/paths';
import { at, closed, created, Feed, spotIn, type Bare, type Spot } from '../helpers/ticket-events';

let geo: Geo;
let A: Spot;
const YUQIAO = 'town:110112004' as AreaKey;

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  A = spotIn(geo, createLocator(geo), 'grid', 'g-110112004-250-0071-0148');
});

const local = (date: string, hms = '10:00:00') => `${date}T${hms}+08:00`;
const followedUp = (
  ticketId: string,
  time: string,
  answers: { resolved?: boolean; satisfied?: boolean },
): Bare<OpsEvent> => ({ kind: 'ticket.followed_up', time, ticketId, by: '回访员 07', ...answers });
const kpis = (state: LiveState): TicketKpis => state.aggregate(YUQIAO)!.tickets;
/** [resolved, verdicts, satisfied, ratings] of the month. */
const month = (state: LiveState) => {
  const m = kpis(state).month;
  const r = (rate: number | null, n: number) => Math.round((rate ?? 0) * n);
  return [
    r(m.resolutionRate, m.sample.resolution),
    m.sample.resolution,
    r(m.satisfactionRate, m.sample.satisfaction),
    m.sample.satisfaction,
  ];
};

describe('a follow-up call', () => {
  it("replaces the handler's verdict with the citizen's, and counts the satisfaction by the call's time", () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([
      feed.make(created('f1', local('2025-07-10', '08:30:00'), A), A.place),
      feed.make(closed('f1', local('2025-07-10'), true)),
    ]);
    // Before the call the handler's "resolved" stands.
    expect(month(state)).toEqual([1, 1, 0, 0]);
    state.advance(at(local('2025-07-11', '09:00:00')));
    state.apply([feed.make(followedUp('f1', local('2025-07-11', '09:00:00'), { resolved: false, satisfied: false }))]);
    // The citizen says it is not solved: 0 of 1, and not satisfied: 0 of 1. Still one close in the month.
    expect(month(state)).toEqual([0, 1, 0, 1]);
    expect(kpis(state).month.closed).toBe(1);
    // Today (the call's day) holds the call's answers; the close's day lost its verdict.
    expect(kpis(state).sample).toMatchObject({ resolution: 1, satisfaction: 1 });
    expect(kpis(state).resolutionRate).toBe(0);
    // A second call about the same ticket counts nothing.
    state.apply([feed.make(followedUp('f1', local('2025-07-11', '10:00:00'), { resolved: true, satisfied: true }))]);
    expect(month(state)).toEqual([0, 1, 0, 1]);
  });

  it('that asks only about satisfaction leaves the handler its verdict; one that reached nobody counts nothing', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([
      feed.make(created('f2', local('2025-07-10', '08:30:00'), A), A.place),
      feed.make(closed('f2', local('2025-07-10'), false)),
      feed.make(created('f3', local('2025-07-10', '08:40:00'), A), A.place),
      feed.make(closed('f3', local('2025-07-10', '10:10:00'), true)),
      feed.make(followedUp('f2', local('2025-07-10', '15:00:00'), { satisfied: true })),
      feed.make(followedUp('f3', local('2025-07-10', '15:10:00'), {})),
    ]);
    // Verdicts: f2 unresolved (handler), f3 resolved (handler): 1 of 2. Ratings: f2 satisfied: 1 of 1.
    expect(month(state)).toEqual([1, 2, 1, 1]);
  });

  it("made before the close counts, and the handler's later verdict does not", () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([
      feed.make(created('f4', local('2025-07-10', '08:30:00'), A), A.place),
      feed.make(followedUp('f4', local('2025-07-10', '09:00:00'), { resolved: true })),
      feed.make(closed('f4', local('2025-07-10'), false)),
    ]);
    expect(month(state)).toEqual([1, 1, 0, 0]);
    expect(kpis(state).month.closed).toBe(1);
  });

  it('of a ticket closed so long ago that it is no longer listed still counts, once', () => {
    const feed = new Feed();
    const state = createLiveState(geo, { closedTicketRetentionMs: 86_400_000 }, at(local('2025-07-01', '08:00:00')));
    state.apply([
      feed.make(created('f5', local('2025-07-01', '08:30:00'), A), A.place),
      feed.make(closed('f5', local('2025-07-01'), true)),
    ]);
    state.advance(at(local('2025-07-05')));
    expect(state.tickets({ status: 'closed' }).total).toBe(0);
    state.apply([feed.make(followedUp('f5', local('2025-07-05'), { resolved: false, satisfied: true }))]);
    expect(month(state)).toEqual([0, 1, 1, 1]);
    state.apply([feed.make(followedUp('f5', local('2025-07-05', '11:00:00'), { resolved: true, satisfied: false }))]);
    expect(month(state)).toEqual([0, 1, 1, 1]);
  });
});

describe('a restart', () => {
  it('counts every follow-up of the month, folding the log in small batches with today’s clock', () => {
    // A ticket a day from July 1 to 30, closed resolved two hours later, followed up nine days after the close
    // (beyond the seven days a closed ticket is listed): unresolved on every third ticket, satisfied otherwise.
    const feed = new Feed();
    const log: StoredEvent[] = [];
    for (let d = 1; d <= 30; d++) {
      const day = `2025-07-${String(d).padStart(2, '0')}`;
      log.push(feed.make(created(`r${d}`, local(day, '08:00:00'), A), A.place));
      log.push(feed.make(closed(`r${d}`, local(day), true)));
    }
    for (let d = 1; d <= 21; d++) {
      const day = `2025-07-${String(d + 9).padStart(2, '0')}`;
      const good = d % 3 !== 0;
      log.push(feed.make(followedUp(`r${d}`, local(day, '12:00:00'), { resolved: good, satisfied: good })));
    }
    // The log in time order, as a server that lived through July wrote it.
    log.sort((x, y) => Date.parse(x.event.time) - Date.parse(y.event.time) || x.seq - y.seq);
    log.forEach((s, i) => (s.seq = i + 1));
    const end = at(local('2025-07-31', '09:00:00'));
    const lived = createLiveState(geo, {}, at(local('2025-07-01', '00:00:00')));
    for (const s of log) {
      lived.advance(Date.parse(s.event.time));
      lived.apply([s]);
    }
    lived.advance(end);
    const restarted = createLiveState(geo, {}, end);
    for (let i = 0; i < log.length; i += 4) restarted.apply(log.slice(i, i + 4));
    // By hand: 30 closes; 21 followed up, 7 of them (d = 3, 6, …, 21) unresolved and unsatisfied; the other nine
    // keep the handler's "resolved". Resolution 23 of 30; satisfaction 14 of 21.
    expect(month(lived)).toEqual([23, 30, 14, 21]);
    expect(month(restarted)).toEqual(month(lived));
    expect(kpis(restarted).rolling30d).toEqual(kpis(lived).rolling30d);
  });
});
