// Two concepts the seeds name that a log of days cannot hold by itself, both read beside the live state rather
// than folded into it:
// - 治理类 towns: the city's list of towns under treatment for their ticket volume (TREATED_TOWNS: a town and
//   the day it entered the list), each with its 三升四降 pair (the three rates up, the volume down) of this month
//   so far against the previous calendar month. Both months are read from the area trends' day counters
//   (area-trends.ts kpisOverDays), which count every fact like the live state's windows: no scan of the log.
// - 零诉求 streaks older than the log (ZERO_COMPLAINT_SINCE): a village's streak began before the log did, so
//   the live state, which cannot vouch for days before its first event, caps it at the log's length. A configured
//   start lifts the cap while the log holds no ticket of the village before today; the first one ends it.
import type { AreaKey, AreaTree, LayerCollection, VillageProps } from '../contract/areas';
import { DEFAULT_MIN_RATE_SAMPLE } from '../contract/live';
import type { Direction, TreatedTown, TreatmentMonth, TreatmentPair } from '../contract/treatment';
import { DAY_MS, localDay, monthStartDay } from '../contract/time';
import type { AreaTrendsFold } from '../live/area-trends';

/** The area trends' reads the pair and the streaks need. */
export type DayCounters = Pick<AreaTrendsFold, 'kpisOverDays' | 'firstFactDay' | 'firstTicketDay'>;

/** A configured streak start: a calendar date, or so many months before the first day the log covers. */
export type StreakStart = { date: string } | { months: number };

/** TREATED_TOWNS and ZERO_COMPLAINT_SINCE as written (names or codes), before the geography is known. */
export interface ConceptSpecs {
  treatedTowns: readonly { town: string; since: string }[];
  zeroComplaintSince: readonly { village: string; start: StreakStart }[];
}

/** The specs resolved against the geography. */
export interface Concepts {
  /** Town key → the local date (YYYY-MM-DD) it entered the list. */
  treatedTowns: ReadonlyMap<AreaKey, string>;
  /** Village committee code → the start of its streak. */
  zeroComplaintSince: ReadonlyMap<string, StreakStart>;
}

export const NO_CONCEPTS: Concepts = { treatedTowns: new Map(), zeroComplaintSince: new Map() };

/** 张家湾镇 entered the city's list in July 2019 (the seeds). */
export const DEFAULT_TREATED_TOWNS = '张家湾镇@2019-07-01';
/**
 * 老槐庄村 had gone 22 months without a complaint, 后青山村 15 (the seeds): the reporting gives lengths, not
 * dates, so the defaults say "this many months before the log begins".
 */
export const DEFAULT_ZERO_COMPLAINT_SINCE = '老槐庄村@22mo,后青山村@15mo';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The local day number of a YYYY-MM-DD date (day numbers count local days, so the date's UTC day is it); NaN when not a real date. */
export function dayOfDate(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) return NaN;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === date ? ms / DAY_MS : NaN;
}

const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** `day` moved by `months` calendar months, the day of the month kept or clamped to the month's last. */
export function addMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return target.getTime() / DAY_MS;
}

function entries(name: string, value: string): [string, string][] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .map((e) => {
      const at = e.lastIndexOf('@');
      if (at <= 0 || at === e.length - 1) throw new RangeError(`${name}: ${JSON.stringify(e)} is not <place>@<start>`);
      return [e.slice(0, at).trim(), e.slice(at + 1).trim()];
    });
}

/** TREATED_TOWNS: comma-separated `<town name or 9-digit code>@<YYYY-MM-DD>`; '' (config: none): no town. */
export function parseTreatedTowns(value: string): ConceptSpecs['treatedTowns'] {
  return entries('TREATED_TOWNS', value).map(([town, since]) => {
    if (Number.isNaN(dayOfDate(since)))
      throw new RangeError(
        `TREATED_TOWNS: ${JSON.stringify(since)} is not a date (YYYY-MM-DD), e.g. 张家湾镇@2019-07-01`,
      );
    return { town, since };
  });
}

/** ZERO_COMPLAINT_SINCE: comma-separated `<village name or 12-digit code>@<YYYY-MM-DD or Nmo>`; '' (config: none): no village. */
export function parseZeroComplaintSince(value: string): ConceptSpecs['zeroComplaintSince'] {
  return entries('ZERO_COMPLAINT_SINCE', value).map(([village, start]) => {
    const months = /^(\d{1,3})\s*mo$/.exec(start);
    if (months) return { village, start: { months: Number(months[1]) } };
    if (!Number.isNaN(dayOfDate(start))) return { village, start: { date: start } };
    throw new RangeError(
      `ZERO_COMPLAINT_SINCE: ${JSON.stringify(start)} is neither a date (YYYY-MM-DD) nor months (e.g. 22mo)`,
    );
  });
}

/**
 * The specs against the geography: a town by its code or name, a village by its committee code or by a name
 * only one committee of the district has. Throws on a place the geography does not have, so a typo is caught
 * at start rather than silently showing nothing.
 */
export function resolveConcepts(
  specs: ConceptSpecs,
  tree: Pick<AreaTree, 'root' | 'nodes' | 'children'>,
  villages: LayerCollection<VillageProps, unknown>,
): Concepts {
  const towns = (tree.children[tree.root] ?? []).filter((k) => tree.nodes[k]?.level === 'town') as AreaKey[];
  const treatedTowns = new Map<AreaKey, string>();
  for (const { town, since } of specs.treatedTowns) {
    const key = towns.find((k) => tree.nodes[k]!.id === town || tree.nodes[k]!.name === town);
    if (!key) throw new RangeError(`TREATED_TOWNS: no town ${JSON.stringify(town)} in the geography`);
    treatedTowns.set(key, since);
  }
  const zeroComplaintSince = new Map<string, StreakStart>();
  for (const { village, start } of specs.zeroComplaintSince) {
    const hits = villages.features.filter((f) => f.properties.id === village || f.properties.name === village);
    if (hits.length !== 1)
      throw new RangeError(
        hits.length === 0
          ? `ZERO_COMPLAINT_SINCE: no village ${JSON.stringify(village)} in the geography`
          : `ZERO_COMPLAINT_SINCE: ${hits.length} committees are named ${JSON.stringify(village)}; give its 12-digit code`,
      );
    zeroComplaintSince.set(hits[0]!.properties.id, start);
  }
  return { treatedTowns, zeroComplaintSince };
}

function month(
  counters: DayCounters,
  area: AreaKey,
  from: number,
  to: number,
  volumeTo: number,
): TreatmentMonth | undefined {
  const k = counters.kpisOverDays(area, from, to);
  if (!k) return undefined;
  const days = Math.max(0, volumeTo - from + 1);
  const created = days > 0 ? counters.kpisOverDays(area, from, volumeTo)!.created : 0;
  return {
    from: dateOfDay(from),
    to: dateOfDay(Math.max(from, to)),
    responseRate: k.responseRate,
    resolutionRate: k.resolutionRate,
    satisfactionRate: k.satisfactionRate,
    sample: k.sample,
    days,
    created,
    perDay: days > 0 ? created / days : null,
  };
}

const EPS = 1e-9;
const direction = (now: number | null, before: number | null): Direction =>
  now === null || before === null ? null : now > before + EPS ? 'up' : now < before - EPS ? 'down' : 'same';

/**
 * The 三升四降 pair of `area` at `nowMs`: this month so far (its 1st to today, today included, like the month
 * window) against the previous calendar month, both from the first day the log covers at the earliest. A rate
 * is compared only when both months rest on at least `floor` tickets; the volume is tickets created per whole
 * day (this month's days before today: today is not over; the previous month's days the log covers), so a
 * month under way compares fairly with a whole one. Undefined for an area the geography does not have.
 */
export function monthPair(
  counters: DayCounters,
  area: AreaKey,
  nowMs: number,
  floor = DEFAULT_MIN_RATE_SAMPLE,
): TreatmentPair | undefined {
  const today = localDay(nowMs);
  const thisFirst = monthStartDay(today);
  const prevLast = thisFirst - 1;
  const prevFirst = monthStartDay(prevLast);
  // Before the log began there is nothing to count: those days would read as days without tickets.
  const logFirst = counters.firstFactDay ?? today + 1;
  const now = month(counters, area, Math.max(thisFirst, logFirst), today, today - 1);
  const prev = month(counters, area, Math.max(prevFirst, logFirst), prevLast, prevLast);
  if (!now || !prev) return undefined;
  const rate = (key: 'response' | 'resolution' | 'satisfaction'): Direction =>
    now.sample[key] >= floor && prev.sample[key] >= floor ? direction(now[`${key}Rate`], prev[`${key}Rate`]) : null;
  const response = rate('response');
  const resolution = rate('resolution');
  const satisfaction = rate('satisfaction');
  const volume = direction(now.perDay, prev.perDay);
  return {
    month: now,
    previous: prev,
    response,
    resolution,
    satisfaction,
    volume,
    met: response === 'up' && resolution === 'up' && satisfaction === 'up' && volume === 'down',
  };
}

/** The treated towns among `towns` (in that order) with their pairs at `nowMs`. */
export function treatedTowns(
  concepts: Concepts,
  counters: DayCounters,
  tree: Pick<AreaTree, 'nodes'>,
  towns: readonly AreaKey[],
  nowMs: number,
  floor = DEFAULT_MIN_RATE_SAMPLE,
): TreatedTown[] {
  const out: TreatedTown[] = [];
  for (const key of towns) {
    const since = concepts.treatedTowns.get(key);
    const pair = since !== undefined ? monthPair(counters, key, nowMs, floor) : undefined;
    if (since !== undefined && pair) out.push({ key, name: tree.nodes[key]!.name, since, pair });
  }
  return out;
}

/**
 * A village's 零诉求 streak with its configured start. `foldDays` is the live state's streak (whole days before
 * today since its last new ticket, never before the log's first day); `cells` are the village's grid cells.
 * While none of them had a new ticket before today, the live state's streak runs from the log's first day
 * (today − foldDays), and the configured start replaces that cap: a date, or `months` before the log's first day.
 * A ticket before today anywhere in the village ends the historical streak: the live state's own count stands.
 * A start later than the log's first day never shortens what the log shows.
 */
export function streakWithStart(
  foldDays: number,
  start: StreakStart | undefined,
  cells: readonly AreaKey[],
  counters: Pick<DayCounters, 'firstTicketDay'>,
  nowMs: number,
): number {
  if (!start) return foldDays;
  const today = localDay(nowMs);
  const ticketBefore = cells.some((c) => {
    const d = counters.firstTicketDay(c);
    return d !== null && d !== undefined && d < today;
  });
  if (ticketBefore) return foldDays;
  const logFirst = today - foldDays;
  const from = 'date' in start ? dayOfDate(start.date) : addMonths(logFirst, -start.months);
  return Math.max(foldDays, today - from);
}

/**
 * The configured start of a unit made of `villageIds`: cells cannot tell two committees of one name apart, so
 * a unit of several gets one only when every committee of it has the same start.
 */
export function unitStart(concepts: Concepts, villageIds: readonly string[]): StreakStart | undefined {
  const starts = villageIds.map((id) => concepts.zeroComplaintSince.get(id));
  const first = starts[0];
  if (!first) return undefined;
  const same = (s: StreakStart | undefined) => s !== undefined && JSON.stringify(s) === JSON.stringify(first);
  return starts.every(same) ? first : undefined;
}
