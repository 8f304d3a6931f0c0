// The ticket filter shared by the ticket table and the map's ticket layer, so that both always show the same
// tickets. Pure: applied to the store's ticket map.
import type { AreaKey } from '../../server/contract/areas';
import type { TicketCategory, TicketStatus } from '../../server/contract/events';
import type { TicketObject } from '../../server/contract/live';
import { levelOf } from './url';

export interface TicketFilter {
  /** Only tickets located in this area (any level); null: the whole followed scope. */
  area: AreaKey | null;
  category: TicketCategory | null;
  status: TicketStatus | null;
  /** true: overdue only; false: not overdue only; null: both. */
  overdue: boolean | null;
}

export const NO_FILTER: TicketFilter = { area: null, category: null, status: null, overdue: null };

/** True when the ticket lies in the area (by the place the server located it in). */
export function ticketInArea(t: TicketObject, area: AreaKey): boolean {
  const id = area.slice(area.indexOf(':') + 1);
  switch (levelOf(area)) {
    case 'district':
      return true;
    case 'town':
      return t.place?.townId === id;
    case 'grid':
      return t.place?.gridId === id;
    case 'property':
      return t.place?.propertyId === id;
    case 'forest':
      return t.place?.forestId === id;
  }
}

export function matchesTicket(t: TicketObject, f: TicketFilter): boolean {
  if (f.area !== null && !ticketInArea(t, f.area)) return false;
  if (f.category !== null && t.category !== f.category) return false;
  if (f.status !== null && t.status !== f.status) return false;
  if (f.overdue !== null && t.overdue !== f.overdue) return false;
  return true;
}

export const isFiltered = (f: TicketFilter): boolean =>
  f.area !== null || f.category !== null || f.status !== null || f.overdue !== null;

/** The tickets that pass, most urgent first: overdue, then near deadline, then by resolve deadline. */
export function filterTickets(tickets: Iterable<TicketObject>, f: TicketFilter): TicketObject[] {
  const out: TicketObject[] = [];
  for (const t of tickets) if (matchesTicket(t, f)) out.push(t);
  return out.sort(
    (a, b) =>
      Number(b.overdue) - Number(a.overdue) ||
      Number(b.nearDeadline) - Number(a.nearDeadline) ||
      a.resolveDueAt.localeCompare(b.resolveDueAt),
  );
}
