// The leader's landing view helpers: how a KPI reads against the district, how late a ticket is, how long a
// 零诉求 streak reads, and the map link of an area.
import { describe, expect, it } from 'vitest';
import type { LandingKpis } from '../../server/contract/landing';
import { arrow, lateness, mapSearch, riseBar, standing, streakSpan } from '../../client/landing/view';
import { parseView } from '../../client/view/url';

const kpis = (over: Partial<LandingKpis>): LandingKpis => ({
  responseRate: null,
  resolutionRate: null,
  satisfactionRate: null,
  composite: null,
  sample: { response: 0, resolution: 0, satisfaction: 0 },
  open: 0,
  overdue: 0,
  nearDeadline: 0,
  newToday: 0,
  proactiveShare: null,
  created: 0,
  ...over,
});

describe('standing against the district average', () => {
  it('is better for a higher rate and for fewer tickets', () => {
    expect(standing('composite', kpis({ composite: 0.9 }), kpis({ composite: 0.8 }))).toBe('better');
    expect(standing('resolutionRate', kpis({ resolutionRate: 0.7 }), kpis({ resolutionRate: 0.8 }))).toBe('worse');
    expect(standing('overdue', kpis({ overdue: 3 }), kpis({ overdue: 1.5 }))).toBe('worse');
    expect(standing('open', kpis({ open: 10 }), kpis({ open: 12.4 }))).toBe('better');
    // More found before anyone called is better.
    expect(standing('proactiveShare', kpis({ proactiveShare: 0.3 }), kpis({ proactiveShare: 0.2 }))).toBe('better');
    expect(arrow('proactiveShare', 'worse')).toBe('▼');
  });

  it('is level within half a point or a tenth of a ticket, and unknown without data', () => {
    expect(standing('composite', kpis({ composite: 0.803 }), kpis({ composite: 0.8 }))).toBe('level');
    expect(standing('overdue', kpis({ overdue: 2 }), kpis({ overdue: 2.05 }))).toBe('level');
    expect(standing('satisfactionRate', kpis({}), kpis({ satisfactionRate: 0.9 }))).toBeNull();
  });

  it('points the arrow the way the number goes, whatever is good', () => {
    // Fewer overdue than the district is better, and the number is lower: down.
    expect(arrow('overdue', 'better')).toBe('▼');
    expect(arrow('overdue', 'worse')).toBe('▲');
    expect(arrow('composite', 'better')).toBe('▲');
    expect(arrow('composite', 'worse')).toBe('▼');
    expect(arrow('composite', 'level')).toBe('＝');
    expect(arrow('composite', null)).toBe('＝');
  });
});

describe('landing texts', () => {
  it('splits lateness into days, hours and minutes', () => {
    expect(lateness(28 * 3600_000 + 5 * 60_000 + 59_000)).toEqual({ days: 1, hours: 4, minutes: 5 });
    expect(lateness(-1)).toEqual({ days: 0, hours: 0, minutes: 0 });
  });

  it('reads a streak in days up to two months, then in months', () => {
    expect(streakSpan(13)).toEqual({ unit: 'days', value: 13 });
    expect(streakSpan(59)).toEqual({ unit: 'days', value: 59 });
    expect(streakSpan(95)).toEqual({ unit: 'months', value: 3 });
  });

  it('links the map to the area, as the dashboard reads it', () => {
    const search = mapSearch('district:110112', 'grid:g-110112105-1000-0026-0030');
    expect(parseView(search, 'district:110112').area).toBe('grid:g-110112105-1000-0026-0030');
  });

  it('draws rises against the largest, never a fall', () => {
    expect(riseBar(2, 4)).toBe(0.5);
    expect(riseBar(-3, 4)).toBe(0);
    expect(riseBar(1, 0)).toBe(0);
  });
});
