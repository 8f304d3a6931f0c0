// Simulated time is epoch milliseconds; the district lives in Beijing time (UTC+8, no daylight saving), and
// everything that depends on the hour (ticket peaks, ranger shifts, inspections) reads it there.
import { DAY_MS, HOUR_MS } from '../contract/time';

/** China Standard Time is a fixed offset: no DST rules to get wrong. */
export const BEIJING_OFFSET_MS = 8 * HOUR_MS;

/**
 * Timestamp as a producer in Tongzhou would write it: Beijing local time with its explicit +08:00 offset
 * (the contract rejects times without an offset). Milliseconds appear only when the time has some.
 */
export function isoBeijing(ms: number): string {
  const local = new Date(ms + BEIJING_OFFSET_MS).toISOString(); // "…Z" but holding local clock digits
  const body = local.endsWith('.000Z') ? local.slice(0, -5) : local.slice(0, -1);
  return `${body}+08:00`;
}

export interface LocalTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  /** Fractional hour of day, 0 ≤ hour < 24. */
  hour: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  /** Epoch ms of the local midnight that starts this day. */
  dayStart: number;
}

export function beijing(ms: number): LocalTime {
  const d = new Date(ms + BEIJING_OFFSET_MS);
  const dayStart = Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS) * DAY_MS - BEIJING_OFFSET_MS;
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: (ms - dayStart) / HOUR_MS,
    weekday: d.getUTCDay(),
    dayStart,
  };
}

/** Epoch ms of the next local midnight strictly after `ms`. */
export const nextMidnight = (ms: number): number => beijing(ms).dayStart + DAY_MS;

/** Parses an ISO time for the CLI and tests; throws on nonsense rather than simulating from NaN. */
export function parseTime(text: string): number {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms))
    throw new Error(`not a time: ${JSON.stringify(text)} (use ISO 8601, e.g. 2025-07-20T08:00:00+08:00)`);
  return ms;
}

/** Compact local stamp for run ids, to the second (two runs started a minute apart must not share ids): 20250720080000. */
export function compactStamp(ms: number): string {
  return isoBeijing(ms).slice(0, 19).replace(/[-T:]/g, '');
}
