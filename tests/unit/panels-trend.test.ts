// Shaping the trend answer into chart series: every hour present, backlog change, categories largest first.
import { describe, expect, it } from 'vitest';
import { categoryBars, trendSeries } from '../../client/charts/trend';

const HOUR = 3600_000;
const FROM = Date.parse('2026-07-20T12:00:00+08:00');
const at = (i: number) => new Date(FROM + i * HOUR).toISOString();
const label = (ms: number) => String((new Date(ms).getUTCHours() + 8) % 24);

describe('trendSeries', () => {
  it('keeps every hour of the window, an hour left out reading as zero', () => {
    const s = trendSeries(
      {
        from: new Date(FROM).toISOString(),
        bucketMs: HOUR,
        hours: 4,
        points: [
          { at: at(0), created: 5, closed: 1 },
          { at: at(1), created: 2, closed: 4 },
          { at: at(3), created: 7, closed: 2 },
        ],
      },
      label,
    );
    expect(s.labels).toEqual(['12', '13', '14', '15']);
    expect(s.created).toEqual([5, 2, 0, 7]);
    expect(s.closed).toEqual([1, 4, 0, 2]);
    expect(s.backlogChange).toBe(14 - 7);
    expect(s.peak).toBe(7);
  });

  it('shows a shrinking backlog as negative', () => {
    const s = trendSeries(
      { from: new Date(FROM).toISOString(), bucketMs: HOUR, hours: 1, points: [{ at: at(0), created: 1, closed: 3 }] },
      label,
    );
    expect(s.backlogChange).toBe(-2);
  });
});

describe('categoryBars', () => {
  it('lists categories largest first, ties in a stable order, capped', () => {
    expect(categoryBars({ noise: 3, e_bike: 9, parking: 3, heating: 0 }, 2)).toEqual([
      { category: 'e_bike', count: 9 },
      { category: 'noise', count: 3 },
    ]);
    expect(categoryBars({})).toEqual([]);
  });
});
