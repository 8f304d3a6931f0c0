// 督办 and 回访 on the ticket: the live state counts each supervision of an open ticket and keeps the latest by its
// time, and keeps on the ticket the follow-up's answers as the rates count them. Hand counts, one ticket at a time.
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpsEvent } from '../../server/contract/events';
import type { TicketObject } from '../../server/contract/live';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import type { LiveState } from '../../server/live/types';
import { GEO_DIR } from '../helpers/paths';
import { at, closed, created, Feed, rated, spotIn, type Bare, type Spot } from '../helpers/ticket-events';

let geo: Geo;
let A: Spot;

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  A = spotIn(geo, createLocator(geo), 'grid', 'g-110112004-250-0071-0148');
});

const local = (date: string, hms = '10:00:00') => `${date}T${hms}+08:00`;
const supervised = (
  ticketId: string,
  time: string,
  level: 'city' | 'district' | 'town',
  by: string,
  note?: string,
): Bare<OpsEvent> => ({ kind: 'ticket.supervised', time, ticketId, by, level, ...(note ? { note } : {}) });
const followedUp = (
  ticketId: string,
  time: string,
  answers: { resolved?: boolean; satisfied?: boolean; score?: number },
  by = '回访员 07',
): Bare<OpsEvent> => ({ kind: 'ticket.followed_up', time, ticketId, by, ...answers });
/** A ticket open or still retained after its close, as the ticket list has it. */
const listed = (state: LiveState, id: string): TicketObject | undefined =>
  state.tickets({ limit: 1000 }).items.find((t) => t.id === id);

describe('督办 of a ticket', () => {
  it('counts each supervision and keeps the latest by its time; the aggregates do not move', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([feed.make(created('s1', local('2025-07-01', '08:30:00'), A), A.place)]);
    // Created on the 1st, a normal ticket is due in 7 days: overdue on the 10th.
    expect(state.ticket('s1')).toMatchObject({ overdue: true });
    expect(state.ticket('s1')!.supervision).toBeUndefined();
    const before = state.aggregate('town:110112004')!;
    state.takeChanges();

    state.apply([feed.make(supervised('s1', local('2025-07-10', '09:00:00'), 'town', '玉桥街道 值班员', '今日办结'))]);
    expect(state.ticket('s1')!.supervision).toEqual({
      count: 1,
      at: local('2025-07-10', '09:00:00'),
      by: '玉桥街道 值班员',
      level: 'town',
      note: '今日办结',
    });
    const changes = state.takeChanges();
    // The map hears of the ticket; no figure changed.
    expect([...changes.upserts.tickets.keys()]).toEqual(['s1']);
    expect(changes.aggregates.size).toBe(0);
    expect(state.aggregate('town:110112004')).toEqual(before);

    // A second, by the district, later: two, the district's now (its note replaces the town's, none here).
    state.apply([feed.make(supervised('s1', local('2025-07-10', '11:00:00'), 'district', '区指挥中心'))]);
    expect(state.ticket('s1')!.supervision).toEqual({
      count: 2,
      at: local('2025-07-10', '11:00:00'),
      by: '区指挥中心',
      level: 'district',
    });
    // One dated before the latest, folded late, adds to the count only.
    state.apply([feed.make(supervised('s1', local('2025-07-10', '10:00:00'), 'city', '12345 中心'))]);
    expect(state.ticket('s1')!.supervision).toMatchObject({ count: 3, level: 'district', by: '区指挥中心' });
  });

  it('of a closed or unknown ticket changes nothing; a closed ticket keeps what it had', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([
      feed.make(created('s2', local('2025-07-01', '08:30:00'), A), A.place),
      feed.make(supervised('s2', local('2025-07-09'), 'town', '玉桥街道 值班员')),
      feed.make(closed('s2', local('2025-07-10', '07:00:00'), true)),
      feed.make(supervised('s2', local('2025-07-10', '09:00:00'), 'district', '区指挥中心')),
      feed.make(supervised('nope', local('2025-07-10', '09:00:00'), 'district', '区指挥中心')),
    ]);
    expect(state.ticket('s2')).toBeUndefined();
    expect(listed(state, 's2')!.supervision).toMatchObject({ count: 1, level: 'town' });
    expect(state.tickets({ limit: 1000 }).total).toBe(1);
  });

  it('survives a keyframe: restored, the ticket has the same supervision', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([
      feed.make(created('s3', local('2025-07-01', '08:30:00'), A), A.place),
      feed.make(supervised('s3', local('2025-07-10', '09:00:00'), 'town', '玉桥街道 值班员')),
    ]);
    const restored = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    restored.restoreState(structuredClone(state.snapshotState()));
    expect(restored.ticket('s3')).toEqual(state.ticket('s3'));
    restored.apply([feed.make(supervised('s3', local('2025-07-10', '10:00:00'), 'district', '区指挥中心'))]);
    expect(restored.ticket('s3')!.supervision).toMatchObject({ count: 2, level: 'district' });
  });
});

describe('回访 on the ticket', () => {
  it('shows the answers that count, with when and by whom; a second call changes nothing', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([
      feed.make(created('f1', local('2025-07-10', '08:30:00'), A), A.place),
      feed.make(closed('f1', local('2025-07-10'), true)),
    ]);
    expect(listed(state, 'f1')!.followUp).toBeUndefined();
    state.apply([
      feed.make(followedUp('f1', local('2025-07-11', '09:00:00'), { resolved: false, satisfied: true, score: 4 })),
    ]);
    const answer = { at: local('2025-07-11', '09:00:00'), by: '回访员 07', resolved: false, satisfied: true, score: 4 };
    expect(listed(state, 'f1')!.followUp).toEqual(answer);
    state.apply([feed.make(followedUp('f1', local('2025-07-12'), { resolved: true, satisfied: false }, '回访员 09'))]);
    expect(listed(state, 'f1')!.followUp).toEqual(answer);
  });

  it('a call that reached nobody shows until one answers; a rating is a follow-up of satisfaction only', () => {
    const feed = new Feed();
    const state = createLiveState(geo, {}, at(local('2025-07-10', '08:00:00')));
    state.apply([
      feed.make(created('f2', local('2025-07-10', '08:30:00'), A), A.place),
      feed.make(closed('f2', local('2025-07-10'), true)),
      feed.make(followedUp('f2', local('2025-07-11', '09:00:00'), {}, '回访员 03')),
    ]);
    expect(listed(state, 'f2')!.followUp).toEqual({ at: local('2025-07-11', '09:00:00'), by: '回访员 03' });
    state.apply([feed.make(rated('f2', local('2025-07-11', '15:00:00'), false))]);
    // The rating has no caller: the answer is the rating's, and so is the time.
    expect(listed(state, 'f2')!.followUp).toEqual({ at: local('2025-07-11', '15:00:00'), satisfied: false });
    state.apply([feed.make(followedUp('f2', local('2025-07-12', '09:00:00'), { resolved: true, satisfied: true }))]);
    // Only "resolved?" still counted: satisfaction stays the rating's.
    expect(listed(state, 'f2')!.followUp).toEqual({
      at: local('2025-07-12', '09:00:00'),
      by: '回访员 07',
      resolved: true,
      satisfied: false,
    });
  });
});
