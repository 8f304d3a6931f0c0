// The trends' bucketing (live/area-trends.ts) on the real geography: days end at Beijing midnight, not UTC
// midnight; weeks are seven local days ending today; a fact the live state takes back is taken back from its
// day too; flood buckets stay within their point budget and keep the highest reading.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { OpsEvent, Place, StoredEvent } from '../../server/contract/events';
import { FLOOD_BUCKET_MS, FLOOD_MAX_POINTS } from '../../server/contract/trends';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createAreaTrends, floodBucketMs, localDate, weekDays } from '../../server/live/area-trends';
import { localDay } from '../../server/contract/time';
import { GEO_DIR } from '../helpers/paths';

let geo: Geo;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
});

const TOWN = 'town:110112105' as AreaKey;
const PLACE: Place = { townId: '110112105' };
const B = (local: string) => `${local}+08:00`;
const ms = (local: string) => Date.parse(B(local));

type Bare<T> = T extends unknown ? Omit<T, 'id' | 'source'> : never;
let seq = 0;
function stored(event: Bare<OpsEvent>, place: Place | undefined = PLACE): StoredEvent {
  seq++;
  const s: StoredEvent = {
    seq,
    receivedAt: event.time,
    event: { ...event, id: `e${seq}`, source: 'simulator' } as OpsEvent,
  };
  if (place) s.place = place;
  return s;
}
const created = (ticketId: string, local: string, urgency: 'urgent' | 'normal' = 'normal') =>
  stored({
    kind: 'ticket.created',
    time: B(local),
    ticketId,
    category: 'noise',
    urgency,
    channel: 'hotline_12345',
    title: 't',
    location: { lon: 116.7, lat: 39.85 },
  });
const rated = (ticketId: string, local: string, satisfied: boolean) =>
  stored({ kind: 'ticket.rated', time: B(local), ticketId, satisfied });
const closed = (ticketId: string, local: string) =>
  stored({ kind: 'ticket.closed', time: B(local), ticketId, resolved: true });

describe('calendar helpers', () => {
  it('names the Beijing date, which is not the UTC date between 00:00 and 08:00', () => {
    // 2026-07-16T16:30Z is half past midnight on the 17th in Beijing.
    expect(localDate(localDay(Date.parse('2026-07-16T16:30:00Z')))).toBe('2026-07-17');
    expect(localDate(localDay(Date.parse('2026-07-16T15:59:59.999Z')))).toBe('2026-07-16');
  });

  it('makes weeks of seven local days, the latest ending today', () => {
    const today = localDay(ms('2026-07-20T12:00:00'));
    expect(weekDays(today, 0)).toEqual({ first: today - 6, last: today });
    expect(weekDays(today, 1)).toEqual({ first: today - 13, last: today - 7 });
    expect(localDate(weekDays(today, 0).first)).toBe('2026-07-14');
  });

  it('widens flood buckets in whole 10-minute steps, never past the point budget', () => {
    const t = ms('2026-07-20T12:03:00');
    expect(floodBucketMs(t - 3600_000, t)).toBe(FLOOD_BUCKET_MS);
    expect(floodBucketMs(t - 24 * 3600_000, t)).toBe(FLOOD_BUCKET_MS);
    expect(floodBucketMs(t - 7 * 86_400_000, t)).toBe(3 * FLOOD_BUCKET_MS);
    for (const span of [1, 599_999, 5_000 * 60_000, 83 * 3600_000 + 17, 7 * 86_400_000, 31 * 86_400_000]) {
      for (const start of [t, t + 1, t + 299_999]) {
        const b = floodBucketMs(start, start + span);
        expect(b % FLOOD_BUCKET_MS).toBe(0);
        expect(Math.floor((start + span) / b) - Math.floor(start / b) + 1).toBeLessThanOrEqual(FLOOD_MAX_POINTS);
      }
    }
  });
});

describe('createAreaTrends', () => {
  it('puts a ticket into the Beijing day of its time: 23:59:59 and 00:00 fall on two days', () => {
    const now = ms('2026-07-20T12:00:00');
    const fold = createAreaTrends(geo, {}, now);
    fold.apply([
      created('a', '2026-07-16T23:59:59'),
      created('b', '2026-07-17T00:00:00'),
      created('c', '2026-07-17T07:59:00'),
    ]);
    const t = fold.trends(TOWN, now, { from: now - 3600_000, to: now })!;
    const day = (d: string) => t.days.find((x) => x.day === d)!;
    expect(day('2026-07-16').created).toBe(1);
    expect(day('2026-07-17')).toMatchObject({ created: 2, byCategory: { noise: 2 } });
    expect(t.days.at(-1)!.day).toBe('2026-07-20');
  });

  it('counts a rating in the week of its local day: 13th 23:59:59 last week, 14th 00:00 this week', () => {
    const now = ms('2026-07-20T12:00:00'); // this week: the 14th to today, the 20th
    const fold = createAreaTrends(geo, {}, now);
    fold.apply([
      created('a', '2026-07-12T08:00:00'),
      created('b', '2026-07-12T08:00:00'),
      closed('a', '2026-07-12T09:00:00'),
      closed('b', '2026-07-12T09:00:00'),
      rated('a', '2026-07-13T23:59:59', true),
      rated('b', '2026-07-14T00:00:00', false),
    ]);
    const w = fold.trends(TOWN, now, { from: now - 3600_000, to: now })!.weeks;
    expect(w.at(-1)).toMatchObject({ from: '2026-07-14', to: '2026-07-20', satisfactionRate: 0 });
    expect(w.at(-2)).toMatchObject({
      from: '2026-07-07',
      to: '2026-07-13',
      satisfactionRate: 1,
      created: 2,
      closed: 2,
    });
  });

  it('takes back a missed response from its day when an in-time answer is folded later, as the KPIs do', () => {
    const fold = createAreaTrends(geo, {}, ms('2026-07-20T08:00:00'));
    fold.apply([created('u', '2026-07-20T08:00:00', 'urgent')]); // respond within 2 h: by 10:00
    fold.advance(ms('2026-07-20T12:00:00')); // the clock passes the deadline: missed
    const at12 = ms('2026-07-20T12:00:00');
    expect(fold.trends(TOWN, at12, { from: at12 - 1, to: at12 })!.weeks.at(-1)!.responseRate).toBe(0);
    // A late upload of the answer at 09:00.
    fold.apply([
      stored({ kind: 'ticket.updated', time: B('2026-07-20T09:00:00'), ticketId: 'u', status: 'in_progress' }),
    ]);
    expect(fold.trends(TOWN, at12, { from: at12 - 1, to: at12 })!.weeks.at(-1)!.responseRate).toBe(1);
  });

  it('keeps the highest reading of each bucket, and readings of unknown checkpoints nowhere', () => {
    const now = ms('2026-07-20T12:00:00');
    const fold = createAreaTrends(geo, {}, now);
    const reading = (checkpointId: string, local: string, level: number) =>
      stored({ kind: 'flood.reading', time: B(local), checkpointId, level }, undefined);
    fold.apply([
      reading('cp-liangshui-03', '2026-07-20T10:09:59', 18.2),
      reading('cp-liangshui-03', '2026-07-20T10:00:00', 18.1),
      reading('cp-liangshui-03', '2026-07-20T10:10:00', 17.9),
      reading('cp-nowhere-01', '2026-07-20T10:05:00', 30),
    ]);
    const t = fold.trends(TOWN, now, { from: ms('2026-07-20T09:00:00'), to: now })!;
    expect(t.flood.checkpoints.map((c) => c.checkpointId)).toEqual(['cp-liangshui-03']);
    expect(t.flood.checkpoints[0]!.points).toEqual([
      [ms('2026-07-20T10:00:00'), 18.2],
      [ms('2026-07-20T10:10:00'), 17.9],
    ]);
    // The district has every checkpoint; a grid cell elsewhere none.
    expect(fold.trends('district:110112' as AreaKey, now, { from: now - 1, to: now })!.flood.checkpoints).toHaveLength(
      geo.layers.checkpoints.features.length,
    );
  });
});
