// The counters' layout and the facts' encoding: which Int32 slot of an area holds what, and how a window fact
// (a ticket created, closed, rated, answered …) is packed into one integer. The one place a fact becomes KPI
// counts (countWindowFact) and counts become rates (windowKpisOf): the live state's windows and the trends'
// days (live/area-trends.ts, reports/export-aggregates.ts) share them.
import { WARNING_ORDER } from '../../contract/areas';
import { compositeScore, type KpiWeights } from '../../contract/config-defaults';
import { TICKET_CATEGORIES, type ResponseLevel, type TicketCategory } from '../../contract/events';
import type { TicketWindowKpis } from '../../contract/live';
import { VERDICT_NONE, VERDICT_RESOLVED } from '../records';

// ---- counter layout (per area, STRIDE Int32 slots) ----

export const NCAT = TICKET_CATEGORIES.length;
export const CATEGORY_INDEX = new Map<TicketCategory, number>(TICKET_CATEGORIES.map((c, i) => [c, i]));

export const C_OPEN = 0;
export const C_OVERDUE = 1;
export const C_NEAR = 2;
/** Windows of the same fields: 'today', 'rolling24h', and the long ones (month, year, rolling 30 days). */
export const W_TODAY = 3;
export const W_FIELDS = 9;
export const W_ROLL = W_TODAY + W_FIELDS;
export const W_MONTH = W_ROLL + W_FIELDS;
export const W_YEAR = W_MONTH + W_FIELDS;
export const W_30D = W_YEAR + W_FIELDS;
const F_CREATED = 0;
const F_CLOSED = 1;
/** Closed with a verdict (ticket.closed says resolved or not): the resolution rate's denominator. */
const F_VERDICT = 2;
const F_RESOLVED = 3;
const F_RATED = 4;
const F_SATISFIED = 5;
/** Tickets whose response outcome was settled in the window: the response rate's denominator. */
const F_RESP_DUE = 6;
const F_RESP_OK = 7;
/** Tickets created in the window that a grid worker raised before any citizen called (未诉先办). */
const F_PROACTIVE = 8;
export const C_BYCAT = W_30D + W_FIELDS;
export const C_COLOR = C_BYCAT + NCAT; // five slots, one per WARNING_ORDER colour
export const C_CHECKPOINTS = C_COLOR + WARNING_ORDER.length;
export const C_OBSTRUCTIONS_OPEN = C_CHECKPOINTS + 1;
export const C_ACTIVE = C_OBSTRUCTIONS_OPEN + 1;
export const C_LOST = C_ACTIVE + 1;
export const C_INCIDENTS = C_LOST + 1;
export const C_COVERED = C_INCIDENTS + 1;
export const C_SUBCELLS = C_COVERED + 1;
/** Latest and second-latest local day with a new ticket (for the 零诉求 streak), NO_DAY when none. */
export const C_LAST_DAY = C_SUBCELLS + 1;
export const C_PREV_DAY = C_LAST_DAY + 1;
export const STRIDE = C_PREV_DAY + 1;
export const NO_DAY = -2147483648;

/** Flood response levels, by their index in the per-area response array. */
export const RESPONSE_LEVELS: readonly ResponseLevel[] = ['none', 'IV', 'III', 'II', 'I'];

// ---- facts: code = kind | arg << 4, NEGATIVE marks a correction ----

export const K_CREATED = 0; // arg: category index, | PROACTIVE_FLAG for a grid worker's own ticket
export const K_CLOSED = 1; // arg: verdict (0 none, 1 resolved, 2 unresolved)
export const K_VERDICT = 2; // arg: verdict given after a close without one
export const K_RATED = 3; // arg: 1 satisfied, 0 not
export const K_RESPONSE = 4; // arg: 1 answered in time, 0 missed
export const NEGATIVE = 1 << 16;
export const fact = (kind: number, arg: number): number => kind | (arg << 4);
/** In a creation's arg (12 bits): raised by a grid worker (未诉先办); the category is the bits below. */
export const PROACTIVE_FLAG = 1 << 11;

/** Int32 slots of one window's counters: what countWindowFact fills and windowKpisOf reads. */
export const WINDOW_FIELDS = W_FIELDS;

/**
 * Counts one fact (a `code` of the live state, see LiveObserver) into one window's counters at c[base…], with
 * its sign. The one place a fact becomes KPI counts: the live state's windows and the trends' days both use
 * it. Returns the category index of a creation, -1 for any other fact.
 */
export function countWindowFact(c: Int32Array, base: number, code: number, sign: number): number {
  const kind = code & 15;
  const arg = (code >> 4) & 0xfff;
  const o = base;
  switch (kind) {
    case K_CREATED:
      c[o + F_CREATED] = c[o + F_CREATED]! + sign;
      if (arg & PROACTIVE_FLAG) c[o + F_PROACTIVE] = c[o + F_PROACTIVE]! + sign;
      return arg & (PROACTIVE_FLAG - 1);
    case K_CLOSED:
      c[o + F_CLOSED] = c[o + F_CLOSED]! + sign;
      if (arg !== VERDICT_NONE) c[o + F_VERDICT] = c[o + F_VERDICT]! + sign;
      if (arg === VERDICT_RESOLVED) c[o + F_RESOLVED] = c[o + F_RESOLVED]! + sign;
      break;
    case K_VERDICT:
      c[o + F_VERDICT] = c[o + F_VERDICT]! + sign;
      if (arg === VERDICT_RESOLVED) c[o + F_RESOLVED] = c[o + F_RESOLVED]! + sign;
      break;
    case K_RATED:
      c[o + F_RATED] = c[o + F_RATED]! + sign;
      if (arg === 1) c[o + F_SATISFIED] = c[o + F_SATISFIED]! + sign;
      break;
    case K_RESPONSE:
      c[o + F_RESP_DUE] = c[o + F_RESP_DUE]! + sign;
      if (arg === 1) c[o + F_RESP_OK] = c[o + F_RESP_OK]! + sign;
      break;
  }
  return -1;
}

/** A window's figures from its counters at c[base…]: the definitions of the three rates and the composite. */
export function windowKpisOf(c: Int32Array, base: number, weights: KpiWeights): TicketWindowKpis {
  const ratio = (num: number, den: number) => (den > 0 ? num / den : null);
  const responseRate = ratio(c[base + F_RESP_OK]!, c[base + F_RESP_DUE]!);
  const resolutionRate = ratio(c[base + F_RESOLVED]!, c[base + F_VERDICT]!);
  const satisfactionRate = ratio(c[base + F_SATISFIED]!, c[base + F_RATED]!);
  return {
    created: c[base + F_CREATED]!,
    closed: c[base + F_CLOSED]!,
    proactive: c[base + F_PROACTIVE]!,
    responseRate,
    resolutionRate,
    satisfactionRate,
    composite: compositeScore(
      { response: responseRate, resolution: resolutionRate, satisfaction: satisfactionRate },
      weights,
    ),
    sample: { response: c[base + F_RESP_DUE]!, resolution: c[base + F_VERDICT]!, satisfaction: c[base + F_RATED]! },
  };
}
