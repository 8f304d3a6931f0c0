// Deadline countdowns in the ticket table: time left rounds down, time overdue rounds up, two units at most.
import { describe, expect, it } from 'vitest';
import { countdown, formatDuration } from '../../client/panels/countdown';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../server/contract/time';

const NOW = Date.parse('2026-07-20T10:00:00+08:00');
const ZH = { day: '天', hour: '小时', minute: '分钟' };

describe('countdown', () => {
  it('counts time left down to the whole minute and marks the last two hours as soon', () => {
    expect(countdown(NOW + 3 * HOUR_MS + 20 * MINUTE_MS + 59_000, NOW)).toEqual({
      state: 'remaining',
      minutes: 200,
      soon: false,
    });
    expect(countdown(NOW + 90 * MINUTE_MS, NOW)).toEqual({ state: 'remaining', minutes: 90, soon: true });
  });

  it('is still on time at the deadline itself, overdue right after it, rounded up', () => {
    expect(countdown(NOW, NOW)).toMatchObject({ state: 'remaining', minutes: 0 });
    expect(countdown(NOW - 1000, NOW)).toEqual({ state: 'overdue', minutes: 1, soon: false });
    expect(countdown(NOW - 2 * DAY_MS - 4 * HOUR_MS, NOW)).toEqual({
      state: 'overdue',
      minutes: 2 * 24 * 60 + 240,
      soon: false,
    });
  });
});

describe('formatDuration', () => {
  it('shows the two largest units', () => {
    expect(formatDuration(2 * 24 * 60 + 4 * 60 + 59, ZH)).toBe('2天 4小时');
    expect(formatDuration(3 * 60 + 20, ZH)).toBe('3小时 20分钟');
    expect(formatDuration(12, ZH)).toBe('12分钟');
  });

  it('drops a zero second unit and shows zero as minutes', () => {
    expect(formatDuration(3 * 24 * 60, ZH)).toBe('3天');
    expect(formatDuration(5 * 60, ZH)).toBe('5小时');
    expect(formatDuration(0, ZH)).toBe('0分钟');
  });

  it('formats the numbers with the given formatter', () => {
    expect(
      formatDuration(1500 * 24 * 60, { day: ' d', hour: ' h', minute: ' min' }, (n) => n.toLocaleString('en')),
    ).toBe('1,500 d');
  });
});
