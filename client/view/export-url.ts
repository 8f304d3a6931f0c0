// Download links of the ticket table: the server's export routes with the table's own filter, so the file holds
// what the table lists. Pure.
import type { AreaKey } from '../../server/contract/areas';
import type { TicketFilter } from './ticket-filter';

export type TicketExportFormat = 'csv' | 'geojson';

/**
 * The table lists the live store's tickets, which are open ones only (closed tickets leave it), while the
 * server's list also holds recently closed ones: without a status the link asks for 'open' to match the table.
 * The area is the filter's, else the area the table is showing (the followed scope).
 */
export function ticketExportUrl(format: TicketExportFormat, filter: TicketFilter, scope: AreaKey): string {
  const q = new URLSearchParams();
  q.set('area', filter.area ?? scope);
  q.set('status', filter.status ?? 'open');
  if (filter.category !== null) q.set('category', filter.category);
  if (filter.overdue !== null) q.set('overdue', String(filter.overdue));
  return `/api/v1/export/tickets.${format}?${q.toString()}`;
}
