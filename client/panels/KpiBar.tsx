// The KPI header of the open area: the three rates (三率) and the composite, open / overdue tickets, the
// worst flood colour, active patrols and open forest incidents.
import { useTranslation } from 'react-i18next';
import type { AreaKey } from '../../server/contract/areas';
import { formatters } from '../i18n';
import { useLive } from '../live/SocketController';

export function KpiBar({ area, scope }: { area: AreaKey; scope: AreaKey }) {
  const { t, i18n } = useTranslation();
  const live = useLive();
  const f = formatters(i18n.language);
  // The open area's aggregate once the scope's snapshot is in; while a drill-down waits, nothing stale.
  const a = live.scope === scope ? live.aggregates.get(area) : undefined;
  const count = (n: number | undefined) => (n === undefined ? '—' : f.number(n));
  const items: { key: string; value: string; tone?: string }[] = [
    { key: 'open', value: count(a?.tickets.open) },
    { key: 'newToday', value: count(a?.tickets.newToday) },
    { key: 'overdue', value: count(a?.tickets.overdue), tone: a && a.tickets.overdue > 0 ? 'warn' : undefined },
    {
      key: 'nearDeadline',
      value: count(a?.tickets.nearDeadline),
      tone: a && a.tickets.nearDeadline > 0 ? 'caution' : undefined,
    },
    { key: 'responseRate', value: f.percent(a?.tickets.responseRate) },
    { key: 'resolutionRate', value: f.percent(a?.tickets.resolutionRate) },
    { key: 'satisfactionRate', value: f.percent(a?.tickets.satisfactionRate) },
    { key: 'composite', value: f.percent(a?.tickets.composite) },
    {
      key: 'flood',
      value: a ? t(`warning.${a.flood.worstColor}`) : '—',
      tone: a ? `flood-${a.flood.worstColor}` : undefined,
    },
    { key: 'activePatrols', value: count(a?.patrol.activeRangers) },
    {
      key: 'incidents',
      value: count(a?.patrol.openIncidents),
      tone: a && a.patrol.openIncidents > 0 ? 'caution' : undefined,
    },
  ];
  return (
    <section className="kpi-bar" aria-label={t('kpi.label')} data-seq={live.seq ?? ''} data-area={area}>
      {items.map((i) => (
        <div key={i.key} className={`kpi ${i.tone ? `kpi--${i.tone}` : ''}`} data-kpi={i.key}>
          <span className="kpi-value">{i.value}</span>
          <span className="kpi-label">{t(`kpi.${i.key}`)}</span>
        </div>
      ))}
    </section>
  );
}
