// Ticket KPI fixtures: the rate windows an aggregate carries, for tests that build aggregates by hand.
import { NO_WINDOW, type RateSample, type TicketWindowKpis } from '../../server/contract/live';

export const NO_SAMPLE: RateSample = { response: 0, resolution: 0, satisfaction: 0 };

/** One window: the given figures, the rest empty (no flow, no rate, no sample). */
export function windowKpis(over: Partial<TicketWindowKpis> = {}): TicketWindowKpis {
  return { ...NO_WINDOW, sample: NO_SAMPLE, ...over };
}

/** The long windows (month, year, rolling 30 days), each with the given figures. */
export function longWindows(over: Partial<TicketWindowKpis> = {}): {
  month: TicketWindowKpis;
  year: TicketWindowKpis;
  rolling30d: TicketWindowKpis;
} {
  return { month: windowKpis(over), year: windowKpis(over), rolling30d: windowKpis(over) };
}
