// The ticket table: the same filter as the map, "N of M" counts, and one page of rows however many match.
import { describe, expect, it } from 'vitest';
import type { AreaTree } from '../../server/contract/areas';
import type { TicketCategory, TicketStatus } from '../../server/contract/events';
import type { TicketObject } from '../../server/contract/live';
import { countByArea, PAGE_SIZE, ticketAreaNames, ticketPage } from '../../client/panels/table';
import { filterTickets, NO_FILTER } from '../../client/view/ticket-filter';

const T0 = Date.parse('2026-07-20T08:00:00+08:00');

function ticket(i: number, over: Partial<TicketObject> = {}): TicketObject {
  return {
    id: `T-${i}`,
    category: (['e_bike', 'noise', 'parking'] as TicketCategory[])[i % 3]!,
    urgency: 'normal',
    status: (['received', 'dispatched', 'in_progress'] as TicketStatus[])[i % 3]!,
    title: `工单 ${i}`,
    position: [116.68, 39.88],
    place: { townId: i % 2 === 0 ? '110112001' : '110112002', gridId: `g-${i % 4}` },
    createdAt: new Date(T0).toISOString(),
    responseDueAt: new Date(T0 + 3600_000).toISOString(),
    resolveDueAt: new Date(T0 + (i + 1) * 60_000).toISOString(),
    overdue: i % 5 === 0,
    nearDeadline: false,
    escalatedTo: [],
    ...over,
  };
}

const many = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`T-${i}`, ticket(i)] as const));

describe('ticketPage', () => {
  it('renders one page of 10,000 tickets and counts all that match', () => {
    const tickets = many(10_000);
    const p = ticketPage(tickets, NO_FILTER, 0);
    expect(p.rows).toHaveLength(PAGE_SIZE);
    expect(PAGE_SIZE).toBeLessThanOrEqual(100);
    expect(p).toMatchObject({ matched: 10_000, total: 10_000, page: 0, pages: 200, first: 1, last: PAGE_SIZE });
  });

  it('counts "N of M" with the filter the map uses, and lists in the same order', () => {
    const tickets = many(300);
    const filter = { ...NO_FILTER, area: 'town:110112001' as const, overdue: true };
    const p = ticketPage(tickets, filter, 0);
    const expected = filterTickets(tickets.values(), filter);
    // even ids in town 001, overdue every fifth: ids divisible by 10
    expect(p.matched).toBe(30);
    expect(p.total).toBe(300);
    expect(p.rows.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    expect(p.rows.every((t) => t.overdue && t.place?.townId === '110112001')).toBe(true);
  });

  it('clamps a page past the end (the list shrank under the user) to the last page', () => {
    const p = ticketPage(many(120), NO_FILTER, 7);
    expect(p).toMatchObject({ page: 2, pages: 3, first: 101, last: 120 });
    expect(p.rows).toHaveLength(20);
    const empty = ticketPage(many(10), { ...NO_FILTER, category: 'heating' }, 3);
    expect(empty).toMatchObject({ rows: [], matched: 0, page: 0, pages: 1, first: 0, last: 0 });
  });
});

describe('area names and counts', () => {
  const tree: AreaTree = {
    root: 'district:110112',
    nodes: {
      'town:110112001': {
        key: 'town:110112001',
        level: 'town',
        id: '110112001',
        name: '中仓街道',
        parent: 'district:110112',
        bbox: [0, 0, 1, 1],
      },
      'grid:g-1': {
        key: 'grid:g-1',
        level: 'grid',
        id: 'g-1',
        name: '网格 1',
        parent: 'town:110112001',
        bbox: [0, 0, 1, 1],
      },
    },
    children: {},
  };

  it('names a ticket by its town and grid cell where the tree knows them', () => {
    expect(ticketAreaNames(ticket(0, { place: { townId: '110112001', gridId: 'g-1' } }), tree)).toEqual({
      town: '中仓街道',
      grid: '网格 1',
    });
    expect(ticketAreaNames(ticket(0, { place: { townId: '110112009' } }), tree)).toEqual({ town: null, grid: null });
  });

  it('counts tickets per option of the area filter in one pass', () => {
    const counts = countByArea(many(8).values(), ['grid:g-0', 'grid:g-1', 'grid:g-9']);
    expect([...counts]).toEqual([
      ['grid:g-0', 2],
      ['grid:g-1', 2],
      ['grid:g-9', 0],
    ]);
  });
});
