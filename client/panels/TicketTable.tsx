// STUB (to be replaced): ticket table with filters (area, category, status, overdue) that agrees with the map.
import type { AreaTree } from '../../server/contract/areas';
import type { Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';
import type { TicketFilter } from '../view/ticket-filter';

export interface TicketTableProps {
  tree: AreaTree;
  placement: Placement;
  filter: TicketFilter;
  onFilterChange: (filter: TicketFilter) => void;
  selection: ObjectSelection | null;
  onSelectObject: (selection: ObjectSelection) => void;
}

export function TicketTable(_props: TicketTableProps) {
  return <section className="panel ticket-table" />;
}
