// The compact hover card: what is under the pointer, in a line or three. The click opens the detail panel.
import { useTranslation } from 'react-i18next';
import { WARNING_ORDER, type AreaLevel, type AreaTree } from '../../server/contract/areas';
import type { LiveView } from '../live/store';
import { formatters } from '../i18n';
import type { Picked } from './layers/registry';
import type { CheckpointSite } from './layers/checkpoints';
import { familiesOf } from './layers/ticket-clusters';
import { colorOf, type Metric } from './metrics';
import { cssColor, rangerState, WARNING_RGBA } from './palette';
import type { ThemeName } from '../view/url';

export interface Hover {
  x: number;
  y: number;
  picked: Picked;
}

export interface MapTooltipProps {
  hover: Hover;
  tree: AreaTree;
  live: LiveView;
  metric: Metric;
  theme: ThemeName;
  sites: ReadonlyMap<string, CheckpointSite>;
}

export function MapTooltip({ hover, tree, live, metric, theme, sites }: MapTooltipProps) {
  const { t, i18n } = useTranslation('map');
  const f = formatters(i18n.language);
  const lines = ((): { title: string; color?: string; rows: string[] } | null => {
    const p = hover.picked;
    switch (p.kind) {
      case 'area': {
        const node = tree.nodes[p.key];
        const a = live.aggregates.get(p.key);
        const v = a ? metric.value(a) : null;
        const value =
          v === null
            ? t('tooltip.noData')
            : metric.kind === 'count'
              ? f.number(v)
              : metric.kind === 'rate'
                ? f.percent(v)
                : t(`warning.${WARNING_ORDER[v] ?? 'none'}`);
        const rows = [`${t(`metric.${metric.key}`)} ${value}`];
        if (a && metric.key !== 'open') rows.push(t('tooltip.open', { count: a.tickets.open }));
        if (a && metric.key !== 'overdue' && a.tickets.overdue > 0)
          rows.push(t('tooltip.overdue', { count: a.tickets.overdue }));
        return {
          title: node?.name ?? p.key,
          color: cssColor(colorOf(metric, (node?.level ?? 'town') as AreaLevel, v, theme)),
          rows,
        };
      }
      case 'ticket': {
        const tk = live.tickets.get(p.id);
        if (!tk) return null;
        const tags = [t(`category.${tk.category}`)];
        if (tk.urgency === 'urgent') tags.push(t('tooltip.urgent'));
        if (tk.overdue) tags.push(t('tooltip.overdueTag'));
        const rows = [tags.join(' · '), f.dateTime(tk.createdAt)];
        if (tk.supervision) rows.push(t('tooltip.supervised', { count: tk.supervision.count }));
        return { title: tk.title, rows };
      }
      case 'checkpoint': {
        const site = sites.get(p.id);
        const cp = live.checkpoints.get(p.id);
        const color = cp?.color ?? 'none';
        const rows = [`${t(`checkpointKind.${site?.kind ?? 'gauge'}`)} · ${t(`warning.${color}`)}`];
        if (site?.kind !== 'obstruction') {
          rows.push(cp?.level != null ? t('tooltip.level', { level: f.metres(cp.level) }) : t('tooltip.noReading'));
          if (site) rows.push(t('tooltip.warningLevel', { level: f.metres(site.warningLevel) }));
        }
        return { title: site?.name ?? p.id, color: cssColor(WARNING_RGBA[color]), rows };
      }
      case 'ranger': {
        const r = live.rangers.get(p.id);
        if (!r) return null;
        const rows = [t(`ranger.${rangerState(r)}`), t('tooltip.lastSeen', { time: f.time(r.lastSeen) })];
        if (r.battery !== null) rows.push(t('tooltip.battery', { battery: f.percent(r.battery / 100, 0) }));
        return { title: r.id, rows };
      }
      case 'cluster': {
        const c = p.cluster;
        const rows: string[] = [];
        if (c.overdue > 0) rows.push(t('tooltip.overdue', { count: c.overdue }));
        for (const { family, count } of familiesOf(c)) rows.push(`${t(`family.${family}`)} ${f.number(count)}`);
        return { title: t('tooltip.cluster', { count: c.count }), rows };
      }
      case 'incident': {
        const i = live.incidents.get(p.id);
        if (!i) return null;
        return { title: t(`incidentType.${i.type}`), rows: [t(`severity.${i.severity}`), f.dateTime(i.reportedAt)] };
      }
    }
  })();
  if (!lines) return null;
  return (
    <div className="map-tooltip" role="tooltip" style={{ left: hover.x + 14, top: hover.y + 14 }}>
      <div className="map-tooltip-title">
        {lines.color && (
          <span className="legend-swatch legend-swatch--dot" style={{ background: lines.color }} aria-hidden="true" />
        )}
        {lines.title}
      </div>
      {lines.rows.map((r) => (
        <div key={r} className="map-tooltip-row">
          {r}
        </div>
      ))}
      <div className="map-tooltip-hint">
        {t(hover.picked.kind === 'cluster' ? 'tooltip.clickToExpand' : 'tooltip.clickToOpen')}
      </div>
    </div>
  );
}
