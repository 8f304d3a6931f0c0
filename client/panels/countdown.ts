import { HOUR_MS, MINUTE_MS } from '../../server/contract/time';
// Deadline countdowns for the ticket table and the detail panel: "3 h 20 min left" or "overdue by 2 d 4 h".
// Two units at most: a duty officer scanning a column needs the size of the gap, not the seconds.

export type CountdownState = 'remaining' | 'overdue';

export interface Countdown {
  state: CountdownState;
  /** Whole minutes between now and the deadline (never negative). */
  minutes: number;
  /** Remaining less than `soonMs` (and not overdue): the row is marked. */
  soon: boolean;
}

/** Default "soon": the last two hours before a resolve deadline. */
export const SOON_MS = 2 * HOUR_MS;

export function countdown(dueMs: number, nowMs: number, soonMs = SOON_MS): Countdown {
  const gap = dueMs - nowMs;
  // At the deadline itself the ticket is still on time: the live state turns it overdue only after it.
  const state: CountdownState = gap < 0 ? 'overdue' : 'remaining';
  const abs = Math.abs(gap);
  // Remaining time rounds down (never promise more time than there is); overdue rounds up to the minute.
  const minutes = state === 'remaining' ? Math.floor(abs / MINUTE_MS) : Math.ceil(abs / MINUTE_MS);
  return { state, minutes, soon: state === 'remaining' && gap < soonMs };
}

export interface DurationUnits {
  day: string;
  hour: string;
  minute: string;
}

/** Whole minutes as the two largest units ("2d 3h", "5h", "12min"); zero reads as "0min". */
export function formatDuration(minutes: number, u: DurationUnits, format: (n: number) => string = String): string {
  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor((minutes % (24 * 60)) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${format(days)}${u.day} ${format(hours)}${u.hour}` : `${format(days)}${u.day}`;
  if (hours > 0) return mins > 0 ? `${format(hours)}${u.hour} ${format(mins)}${u.minute}` : `${format(hours)}${u.hour}`;
  return `${format(mins)}${u.minute}`;
}
