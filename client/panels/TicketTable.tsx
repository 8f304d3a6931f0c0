// The ticket table of the followed scope: filters (area, category, status, overdue) that are the map's own
// (the ticket layer draws exactly the tickets listed here), "N of M", one page at a time, and a deadline
// countdown per row. A click picks the ticket on the map and opens its detail.
import { shortName } from '../geo/names';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { TICKET_CATEGORIES, TicketStatus, type TicketCategory } from '../../server/contract/events';
import type { TicketObject } from '../../server/contract/live';
import { formatters } from '../i18n';
import { useLive } from '../live/SocketController';
import type { Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';
import { isFiltered, NO_FILTER, type TicketFilter } from '../view/ticket-filter';
import { ticketExportUrl } from '../view/export-url';
import { countdown, formatDuration } from './countdown';
import { countByArea, ticketAreaNames, ticketPage } from './table';
import { useNow } from './useNow';
import '../styles/panels.css';

export interface TicketTableProps {
  tree: AreaTree;
  placement: Placement;
  filter: TicketFilter;
  onFilterChange: (filter: TicketFilter) => void;
  selection: ObjectSelection | null;
  onSelectObject: (selection: ObjectSelection) => void;
}

/** Closed tickets leave the live store, so "closed" is not a status the table can filter on. */
const OPEN_STATUSES = TicketStatus.anyOf.map((b) => b.const).filter((s) => s !== 'closed');
/** Countdowns move by the minute; a tick every 15 s keeps them honest without re-rendering per second. */
const CLOCK_MS = 15_000;

export function TicketTable({ tree, placement, filter, onFilterChange, selection, onSelectObject }: TicketTableProps) {
  const { t, i18n } = useTranslation('panels');
  const { t: tx } = useTranslation('export');
  const live = useLive();
  const f = formatters(i18n.language);
  const now = useNow(CLOCK_MS);
  const [page, setPage] = useState(0);
  const ready = live.scope === placement.scope;
  const version = live.versions.tickets;

  // A new filter starts at the first page; the list moving under the user keeps the page (clamped).
  useEffect(() => setPage(0), [filter]);

  // The store mutates live.tickets in place; the map itself changes with the store (history mode's replay).
  const result = useMemo(
    () => ticketPage(ready ? live.tickets : new Map<string, TicketObject>(), filter, page),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- version stands for live.tickets, mutated in place
    [ready, live.tickets, version, filter, page],
  );
  const areaCounts = useMemo(
    () => countByArea(ready ? live.tickets.values() : [], placement.areas),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- version stands for live.tickets, mutated in place
    [ready, live.tickets, version, placement.areas],
  );

  const set = (patch: Partial<TicketFilter>) => onFilterChange({ ...filter, ...patch });
  const units = { day: t('unit.day'), hour: t('unit.hour'), minute: t('unit.minute') };
  const deadline = (tk: TicketObject) => {
    const c = countdown(Date.parse(tk.resolveDueAt), now);
    const duration = formatDuration(c.minutes, units, f.number);
    return { c, text: t(c.state === 'overdue' ? 'countdown.overdue' : 'countdown.remaining', { duration }) };
  };
  const areaOptions: AreaKey[] =
    filter.area && !placement.areas.includes(filter.area) ? [filter.area, ...placement.areas] : placement.areas;

  return (
    <section className="panel ticket-table" aria-label={t('table.label')}>
      <header className="panel-head ticket-table-head">
        <h2>{t('table.title')}</h2>
        <span className="ticket-count" data-matched={result.matched} data-total={result.total}>
          {t('table.count', { shown: f.number(result.matched), total: f.number(result.total) })}
        </span>
        <div className="ticket-filters">
          <label>
            <span>{t('table.filter.area')}</span>
            <select
              value={filter.area ?? ''}
              onChange={(e) => set({ area: (e.target.value || null) as AreaKey | null })}
              data-filter="area"
            >
              <option value="">{t('table.filter.allAreas')}</option>
              {areaOptions.map((k) => (
                <option key={k} value={k}>
                  {`${shortName(tree, k)} (${f.number(areaCounts.get(k) ?? 0)})`}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('table.filter.category')}</span>
            <select
              value={filter.category ?? ''}
              onChange={(e) => set({ category: (e.target.value || null) as TicketCategory | null })}
              data-filter="category"
            >
              <option value="">{t('table.filter.all')}</option>
              {TICKET_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`category.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('table.filter.status')}</span>
            <select
              value={filter.status ?? ''}
              onChange={(e) => set({ status: (e.target.value || null) as TicketFilter['status'] })}
              data-filter="status"
            >
              <option value="">{t('table.filter.all')}</option>
              {OPEN_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('table.filter.overdue')}</span>
            <select
              value={filter.overdue === null ? '' : String(filter.overdue)}
              onChange={(e) => set({ overdue: e.target.value === '' ? null : e.target.value === 'true' })}
              data-filter="overdue"
            >
              <option value="">{t('table.filter.all')}</option>
              <option value="true">{t('table.filter.overdueOnly')}</option>
              <option value="false">{t('table.filter.notOverdue')}</option>
            </select>
          </label>
          {isFiltered(filter) && (
            <button type="button" className="panel-button" onClick={() => onFilterChange(NO_FILTER)}>
              {t('table.clear')}
            </button>
          )}
          {/* Plain links: the browser streams the file to disk with the server's name for it. */}
          <a
            className="panel-button"
            data-export="csv"
            href={ticketExportUrl('csv', filter, placement.scope)}
            title={tx('csvTitle')}
            download
          >
            {tx('csv')}
          </a>
          <a
            className="panel-button"
            data-export="geojson"
            href={ticketExportUrl('geojson', filter, placement.scope)}
            title={tx('geojsonTitle')}
            download
          >
            {tx('geojson')}
          </a>
        </div>
      </header>
      <div className="ticket-scroll">
        <table>
          <thead>
            <tr>
              <th>{t('table.column.ticket')}</th>
              <th>{t('table.column.category')}</th>
              <th>{t('table.column.urgency')}</th>
              <th>{t('table.column.status')}</th>
              <th>{t('table.column.area')}</th>
              <th>{t('table.column.deadline')}</th>
              <th>{t('table.column.escalation')}</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((tk) => {
              const d = deadline(tk);
              const where = ticketAreaNames(tk, tree);
              const picked = selection?.kind === 'ticket' && selection.id === tk.id;
              return (
                <tr
                  key={tk.id}
                  data-ticket-id={tk.id}
                  className={`ticket-row${tk.overdue ? ' ticket-row--overdue' : ''}${picked ? ' ticket-row--picked' : ''}`}
                  aria-selected={picked}
                  tabIndex={0}
                  onClick={() => onSelectObject({ kind: 'ticket', id: tk.id })}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') onSelectObject({ kind: 'ticket', id: tk.id });
                  }}
                >
                  <td className="ticket-title">
                    <span className="ticket-id">{tk.id}</span>
                    <span>{tk.title}</span>
                  </td>
                  <td>{t(`category.${tk.category}`)}</td>
                  <td className={`urgency urgency--${tk.urgency}`}>{t(`urgency.${tk.urgency}`)}</td>
                  <td>{t(`status.${tk.status}`)}</td>
                  <td>{[where.town, where.grid].filter(Boolean).join(' · ') || '—'}</td>
                  <td
                    className={`deadline deadline--${d.c.state}${d.c.soon || tk.nearDeadline ? ' deadline--soon' : ''}`}
                  >
                    {d.text}
                  </td>
                  <td>
                    {tk.escalatedTo.length > 0 ? tk.escalatedTo.map((x) => t(`department.${x}`)).join('、') : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {result.rows.length === 0 && <p className="panel-empty">{ready ? t('table.empty') : t('table.waiting')}</p>}
      </div>
      {result.pages > 1 && (
        <footer className="ticket-pager">
          <span>{t('table.range', { first: f.number(result.first), last: f.number(result.last) })}</span>
          <button
            type="button"
            className="panel-button"
            disabled={result.page === 0}
            onClick={() => setPage(result.page - 1)}
          >
            {t('table.prev')}
          </button>
          <span>{t('table.page', { page: f.number(result.page + 1), pages: f.number(result.pages) })}</span>
          <button
            type="button"
            className="panel-button"
            disabled={result.page >= result.pages - 1}
            onClick={() => setPage(result.page + 1)}
          >
            {t('table.next')}
          </button>
        </footer>
      )}
    </section>
  );
}
