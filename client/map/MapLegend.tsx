// One legend per layer shown: the choropleth's classes with the metric's unit, then the overlays that are on.
import { useTranslation } from 'react-i18next';
import { WARNING_ORDER, type AreaLevel } from '../../server/contract/areas';
import { formatters } from '../i18n';
import type { Overlay, ThemeName } from '../view/url';
import { LANDMARK_RGBA } from './layers/landmarks';
import { legendOf, type Metric } from './metrics';
import {
  CATEGORY_FAMILIES,
  cssColor,
  FAMILY_RGBA,
  INCIDENT_RGBA,
  OVERDUE_RGBA,
  RANGER_RGBA,
  VISITED_RGBA,
  WARNING_RGBA,
  type Rgba,
} from './palette';

export interface MapLegendProps {
  metric: Metric;
  level: AreaLevel;
  theme: ThemeName;
  overlays: readonly Overlay[];
  /** The tickets show as a heatmap (zoomed out). */
  heatmap: boolean;
  /** The tickets show as clusters (mid zoom): the note says how to read one. */
  clusters?: boolean;
}

function Swatch({ color, shape = 'box' }: { color: Rgba; shape?: 'box' | 'dot' | 'ring' | 'line' }) {
  const css = cssColor(color);
  const style = shape === 'ring' ? { borderColor: css } : { background: css };
  return <span className={`legend-swatch legend-swatch--${shape}`} style={style} aria-hidden="true" />;
}

export function MapLegend({ metric, level, theme, overlays, heatmap, clusters = false }: MapLegendProps) {
  const { t, i18n } = useTranslation('map');
  const f = formatters(i18n.language);
  const rows = legendOf(metric, level, theme, {
    count: f.number,
    percent: (r) => f.percent(r, 0),
    warning: (c) => t(`warning.${c}`),
    noData: t('legend.noData'),
  });
  return (
    <div className="map-legends">
      <section className="metric-legend" data-legend="choropleth" data-metric={metric.key}>
        <h3 className="legend-title">
          {t(`metric.${metric.key}`)} <span className="legend-unit">{t(`unit.${metric.kind}`)}</span>
        </h3>
        <ul>
          {rows.map((r) => (
            <li key={r.label}>
              <Swatch color={r.color} />
              {r.label}
            </li>
          ))}
        </ul>
      </section>
      {overlays.includes('tickets') && (
        <section className="metric-legend" data-legend="tickets">
          <h3 className="legend-title">{t('legend.tickets')}</h3>
          <ul className="legend-columns">
            {CATEGORY_FAMILIES.map((fam) => (
              <li key={fam}>
                <Swatch color={FAMILY_RGBA[fam]} shape="dot" />
                {t(`family.${fam}`)}
              </li>
            ))}
            <li>
              <Swatch color={OVERDUE_RGBA} shape="ring" />
              {t('legend.overdue')}
            </li>
          </ul>
          {heatmap && <p className="legend-note">{t('legend.heatmap')}</p>}
          {clusters && <p className="legend-note">{t('legend.clusters')}</p>}
        </section>
      )}
      {overlays.includes('checkpoints') && (
        <section className="metric-legend" data-legend="checkpoints">
          <h3 className="legend-title">{t('legend.checkpoints')}</h3>
          <ul className="legend-row">
            {WARNING_ORDER.map((c) => (
              <li key={c}>
                <Swatch color={WARNING_RGBA[c]} shape="dot" />
                {t(`warning.${c}`)}
              </li>
            ))}
          </ul>
          <p className="legend-note">
            {t('legend.gauge')} · {t('legend.obstruction')}
          </p>
        </section>
      )}
      {(overlays.includes('rangers') || overlays.includes('coverage')) && (
        <section className="metric-legend" data-legend="rangers">
          <h3 className="legend-title">{t('legend.rangers')}</h3>
          <ul className="legend-columns">
            {overlays.includes('rangers') && (
              <>
                <li>
                  <Swatch color={RANGER_RGBA.patrolling} shape="dot" />
                  {t('ranger.patrolling')}
                </li>
                <li>
                  <Swatch color={RANGER_RGBA.idle} shape="dot" />
                  {t('ranger.idle')}
                </li>
                <li>
                  <Swatch color={RANGER_RGBA.lost} shape="dot" />
                  {t('ranger.lost')}
                </li>
                <li>
                  <Swatch color={RANGER_RGBA.patrolling} shape="line" />
                  {t('legend.trail')}
                </li>
                <li>
                  <Swatch color={INCIDENT_RGBA.high} shape="dot" />
                  {t('legend.incident')}
                </li>
              </>
            )}
            {overlays.includes('coverage') && (
              <li>
                <Swatch color={VISITED_RGBA} />
                {t('legend.coverage')}
              </li>
            )}
          </ul>
        </section>
      )}
      {/* Always drawn (map context, like the river names), so always explained. */}
      <section className="metric-legend" data-legend="landmarks">
        <h3 className="legend-title">{t('legend.landmarks')}</h3>
        <ul className="legend-row">
          <li>
            <Swatch color={LANDMARK_RGBA.park} shape="ring" />
            {t('legend.park')}
          </li>
          <li>
            <Swatch color={LANDMARK_RGBA.heritage} shape="ring" />
            {t('legend.site')}
          </li>
        </ul>
        <p className="legend-note">{t('legend.approximate')}</p>
      </section>
    </div>
  );
}
