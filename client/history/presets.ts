// The time bar's preset windows, in the district's days (Asia/Shanghai, whatever the browser's time zone), and
// the text of a datetime-local field in Beijing time.
import { DAY_MS, HOUR_MS, LOCAL_OFFSET_MS, dayStartMs, localDay } from '../../server/contract/time';

export const PRESETS = ['hour', 'today', 'yesterday', 'week'] as const;
export type Preset = (typeof PRESETS)[number];

export interface Window {
  from: number;
  to: number;
}

export function presetWindow(preset: Preset, now: number): Window {
  const today = dayStartMs(localDay(now));
  switch (preset) {
    case 'hour':
      return { from: now - HOUR_MS, to: now };
    case 'today':
      return { from: today, to: now };
    case 'yesterday':
      return { from: today - DAY_MS, to: today };
    case 'week':
      return { from: now - 7 * DAY_MS, to: now };
  }
}

/** "2026-07-20T14:30" in Beijing time, what an <input type="datetime-local"> shows. */
export const toLocalInput = (ms: number): string => new Date(ms + LOCAL_OFFSET_MS).toISOString().slice(0, 16);

/** The instant a datetime-local value means in Beijing time; NaN when it is not one. */
export function fromLocalInput(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return Number.NaN;
  return Date.parse(`${text.length === 16 ? `${text}:00` : text}+08:00`);
}
