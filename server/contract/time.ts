// Clock arithmetic shared by server and client, the one home of the duration constants. 'today' is the
// calendar day in Asia/Shanghai, which has been UTC+8 all year since 1991 (no DST), so day boundaries are plain
// arithmetic on epoch milliseconds: no time-zone database, no Date objects on the hot path, the same answer on
// every server whatever its TZ. No Node imports here.
export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;
/** Asia/Shanghai's offset from UTC. */
export const LOCAL_OFFSET_MS = 8 * HOUR_MS;

/** Day number (days since 1970-01-01 in local time) of an epoch time. */
export const localDay = (ms: number): number => Math.floor((ms + LOCAL_OFFSET_MS) / DAY_MS);

/** The local day the calendar month of `day` starts on (day numbers count local days, so their UTC date is the local date). */
export const monthStartDay = (day: number): number => day - (new Date(day * DAY_MS).getUTCDate() - 1);

/** The local day the calendar year of `day` starts on (1 January). */
export const yearStartDay = (day: number): number =>
  Math.floor(Date.UTC(new Date(day * DAY_MS).getUTCFullYear(), 0, 1) / DAY_MS);

/** Epoch time of local midnight starting `day`. */
export const dayStartMs = (day: number): number => day * DAY_MS - LOCAL_OFFSET_MS;

/**
 * An epoch time as an ISO timestamp in local time ("2025-07-20T14:30:00+08:00"), for deadlines the server
 * derives: the duty officer reads them in Beijing time, and they still match the contract's Timestamp.
 */
export function isoLocal(ms: number): string {
  const rounded = Math.round(ms);
  const iso = new Date(rounded + LOCAL_OFFSET_MS).toISOString();
  return `${rounded % 1000 === 0 ? iso.slice(0, 19) : iso.slice(0, 23)}+08:00`;
}
