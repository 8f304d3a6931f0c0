// A ticket's deadlines, worked out in one place for every fold that needs them (the live state, the rules'
// near-deadline and overdue alerts, the ticket export): the event's own due times where the hotline sent them,
// else the urgency's defaults; "near" from nearDeadlineFraction of the resolve window (docs/KPIS.md).
import { defaultDueTimes, type UrgencyDeadlines } from '../contract/config-defaults';
import type { Urgency } from '../contract/events';

export interface TicketDeadlines {
  /** Response due (响应时限), epoch ms. */
  respondDueMs: number;
  /** Resolution due (办结时限), epoch ms. */
  resolveDueMs: number;
  /** From this instant the ticket is near its resolution deadline (a deadline instant itself is still in time). */
  nearMs: number;
}

export function ticketDeadlines(
  createdMs: number,
  ticket: { urgency: Urgency; responseDueAt?: string | undefined; resolveDueAt?: string | undefined },
  deadlines: UrgencyDeadlines,
  nearDeadlineFraction: number,
): TicketDeadlines {
  const defaults = defaultDueTimes(createdMs, ticket.urgency, deadlines);
  const respondDueMs = ticket.responseDueAt ? Date.parse(ticket.responseDueAt) : defaults.responseDueAtMs;
  const resolveDueMs = ticket.resolveDueAt ? Date.parse(ticket.resolveDueAt) : defaults.resolveDueAtMs;
  return { respondDueMs, resolveDueMs, nearMs: createdMs + nearDeadlineFraction * (resolveDueMs - createdMs) };
}
