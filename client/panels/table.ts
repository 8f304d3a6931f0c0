// The ticket table's rows: the shared filter (view/ticket-filter.ts, the same one the map's ticket layer uses,
// so the table and the map never disagree), then one page. A town can hold ten thousand open tickets; the DOM
// holds one page of them.
import { shortName } from '../geo/names';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import type { TicketObject } from '../../server/contract/live';
import { filterTickets, type TicketFilter } from '../view/ticket-filter';

export const PAGE_SIZE = 50;

export interface TicketPage {
  rows: TicketObject[];
  /** Tickets that pass the filter. */
  matched: number;
  /** Tickets of the followed scope, before the filter. */
  total: number;
  /** 0-based page actually shown (clamped: a page past the end after the list shrank shows the last). */
  page: number;
  pages: number;
  /** 1-based positions of the first and last row shown (0 and 0 when there are none). */
  first: number;
  last: number;
}

/** The tickets matching the filter, most urgent first (filterTickets' order), and the page asked for. */
export function ticketPage(
  tickets: ReadonlyMap<string, TicketObject>,
  filter: TicketFilter,
  page: number,
  size = PAGE_SIZE,
): TicketPage {
  const matched = filterTickets(tickets.values(), filter);
  return pageOf(matched, tickets.size, page, size);
}

export function pageOf(matched: TicketObject[], total: number, page: number, size = PAGE_SIZE): TicketPage {
  const pages = Math.max(1, Math.ceil(matched.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const rows = matched.slice(p * size, (p + 1) * size);
  return {
    rows,
    matched: matched.length,
    total,
    page: p,
    pages,
    first: rows.length > 0 ? p * size + 1 : 0,
    last: p * size + rows.length,
  };
}

/** Where a ticket is, for its row: the town and, when the grid cell is known, the cell ("玉桥街道 · 网格 12"). */
export function ticketAreaNames(t: TicketObject, tree: AreaTree): { town: string | null; grid: string | null } {
  const town = t.place?.townId ? (tree.nodes[`town:${t.place.townId}`]?.name ?? null) : null;
  const grid =
    t.place?.gridId && tree.nodes[`grid:${t.place.gridId}`] ? shortName(tree, `grid:${t.place.gridId}`) : null;
  return { town, grid };
}

/** Counts per area of the area filter's options, for "玉桥街道 (42)": one pass, each ticket counted by its place. */
export function countByArea(tickets: Iterable<TicketObject>, areas: readonly AreaKey[]): Map<AreaKey, number> {
  const counts = new Map<string, number>(areas.map((a) => [a, 0]));
  const bump = (key: string) => {
    const n = counts.get(key);
    if (n !== undefined) counts.set(key, n + 1);
  };
  for (const t of tickets) {
    const p = t.place;
    if (!p) continue;
    if (p.townId) bump(`town:${p.townId}`);
    if (p.gridId) bump(`grid:${p.gridId}`);
    if (p.propertyId) bump(`property:${p.propertyId}`);
    if (p.forestId) bump(`forest:${p.forestId}`);
  }
  return counts as Map<AreaKey, number>;
}
