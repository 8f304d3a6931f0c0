// The open area's detail: the three rates (三率) and the composite, ticket counts, a 24-hour trend of tickets
// created and closed, today's tickets by category, and the flood and patrol state; for a property district or
// a forest cluster also its static facts (committee, company, score; chief, area).
import { useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { TIME_ZONE, type RateWindow } from '../../server/contract/live';
import { EChart } from '../charts/EChart';
import { categoryOption, trendOption } from '../charts/options';
import { usePalette } from '../charts/palette';
import { categoryBars, trendSeries } from '../charts/trend';
import { useTrend } from '../charts/useTrend';
import { useLayer } from '../geo/layers';
import { formatters } from '../i18n';
import { useLive } from '../live/SocketController';
import type { Placement } from '../view/navigation';
import { levelOf } from '../view/url';
import { useHistory } from '../history/HistoryProvider';
import { AreaTrends } from './AreaTrends';
import { Field } from './Field';
import { PropertyScores } from './PropertyScores';
import { useAreaFigures } from './useAreaFigures';

const TREND_HOURS = 24;
const hourFormats = new Map<string, Intl.DateTimeFormat>();
function hourLabel(lng: string): (ms: number) => string {
  let f = hourFormats.get(lng);
  if (!f)
    hourFormats.set(
      lng,
      (f = new Intl.DateTimeFormat(lng, { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hour12: false })),
    );
  return (ms) => f.format(ms);
}

export function AreaDetail({
  tree,
  placement,
  area,
  rates,
}: {
  tree: AreaTree;
  placement: Placement;
  area: AreaKey;
  /** The rate window the view shows (the KPI bar's): the 督办 count is of this window. */
  rates: RateWindow;
}) {
  const { t, i18n } = useTranslation('panels');
  const live = useLive();
  const history = useHistory();
  const f = formatters(i18n.language);
  const box = useRef<HTMLDivElement>(null);
  const palette = usePalette(box);
  const node = tree.nodes[area];
  const a = live.scope === placement.scope ? live.aggregates.get(area) : undefined;
  const level = levelOf(area);
  const property = useLayer(level === 'property' ? 'property' : null);
  const forest = useLayer(level === 'forest' ? 'forest' : null);
  const id = area.slice(area.indexOf(':') + 1);
  const propertyInfo = property?.features.find((x) => x.properties.id === id)?.properties;
  const forestInfo = forest?.features.find((x) => x.properties.id === id)?.properties;

  const changeKey = a ? `${a.tickets.rolling24h.created}/${a.tickets.rolling24h.closed}` : '';
  const trend = useTrend(area, TREND_HOURS, changeKey);
  // 督办 counts, the 零诉求 streak with configured starts, property scores: on request, live only.
  const liveMode = history.mode === 'live';
  const figures = useAreaFigures(area, changeKey, liveMode);
  // Live: the server's figure (a village's configured start, as the landing counts); a replay: the fold's own.
  const zeroDays = liveMode ? figures?.zeroComplaintDays : a?.zeroComplaintDays;
  const lng = i18n.language;
  const series = useMemo(() => (trend.data ? trendSeries(trend.data, hourLabel(lng)) : null), [trend.data, lng]);
  const created = t('detail.created');
  const closed = t('detail.closed');
  const trendChart = useMemo(
    () => (series ? trendOption(series, palette, { created, closed }) : null),
    [series, palette, created, closed],
  );
  const byCategory = a?.tickets.byCategory;
  const bars = useMemo(() => categoryBars(byCategory ?? {}), [byCategory]);
  const categoryChart = useMemo(
    () => (bars.length > 0 ? categoryOption(bars, palette, (b) => t(`category.${b.category}`)) : null),
    [bars, palette, t],
  );

  const count = (n: number | undefined) => (n === undefined ? '—' : f.number(n));
  const pct = (r: number | null | undefined) => f.percent(r);

  return (
    <div ref={box} className="detail-body" data-area={area}>
      <header className="detail-head">
        <span className="detail-kind">{t('detail.area')}</span>
        <h2>{node?.name ?? area}</h2>
      </header>

      <div className="detail-rates">
        {(['responseRate', 'resolutionRate', 'satisfactionRate', 'composite'] as const).map((k) => (
          <div key={k} className={`detail-rate${k === 'composite' ? ' detail-rate--composite' : ''}`} data-kpi={k}>
            <span className="detail-rate-value">{pct(a?.tickets[k])}</span>
            <span className="detail-rate-label">{t(`detail.${k}`)}</span>
            <span className="detail-rate-bar" aria-hidden="true">
              <span style={{ width: `${Math.round((a?.tickets[k] ?? 0) * 100)}%` }} />
            </span>
          </div>
        ))}
      </div>

      <dl className="detail-fields detail-fields--grid">
        <Field label={t('detail.openTickets')} value={count(a?.tickets.open)} />
        <Field label={t('detail.newToday')} value={count(a?.tickets.newToday)} />
        <Field label={t('detail.closedToday')} value={count(a?.tickets.closedToday)} />
        <Field
          label={t('detail.overdue')}
          value={count(a?.tickets.overdue)}
          tone={a && a.tickets.overdue > 0 ? 'warn' : undefined}
        />
        <Field
          label={t('detail.nearDeadline')}
          value={count(a?.tickets.nearDeadline)}
          tone={a && a.tickets.nearDeadline > 0 ? 'caution' : undefined}
        />
        <Field
          label={t('detail.zeroComplaintDays')}
          value={zeroDays !== undefined ? t('detail.days', { count: zeroDays }) : '—'}
        />
        {figures && (
          <>
            <Field
              label={t('detail.supervisedOpen')}
              value={count(figures.supervised.open)}
              tone={figures.supervised.open > 0 ? 'caution' : undefined}
            />
            <Field
              label={t('detail.supervisedWindow', { window: t(`rateWindow.${rates}`, { ns: 'common' }) })}
              value={count(figures.supervised[rates])}
            />
          </>
        )}
      </dl>

      <section className="detail-section">
        <h3>
          {t('detail.trend')}
          {series && (
            <span className="detail-note">
              {t('detail.backlog', {
                change: `${series.backlogChange > 0 ? '+' : ''}${f.number(series.backlogChange)}`,
              })}
            </span>
          )}
        </h3>
        {trendChart ? (
          <EChart option={trendChart} className="chart chart--trend" label={t('detail.trendLabel')} kind="trend" />
        ) : (
          <p className="panel-empty">{trend.error ? t('detail.trendError') : t('detail.trendLoading')}</p>
        )}
      </section>

      <section className="detail-section">
        <h3>{t('detail.byCategory')}</h3>
        {categoryChart ? (
          <EChart
            option={categoryChart}
            className="chart chart--categories"
            label={t('detail.categoryLabel')}
            kind="categories"
          />
        ) : (
          <p className="panel-empty">{t('detail.noTickets')}</p>
        )}
      </section>

      {propertyInfo && (
        <section className="detail-section">
          <h3>{t('detail.property')}</h3>
          <dl className="detail-fields">
            <Field label={t('detail.committee')} value={t(`committee.${propertyInfo.committee}`)} />
            <Field label={t('detail.company')} value={propertyInfo.company} />
            {!figures?.propertyScores?.length && (
              <Field label={t('detail.standing')} value={f.number(propertyInfo.score)} />
            )}
          </dl>
          {figures?.propertyScores && figures.propertyScores.length > 0 && (
            <PropertyScores scores={figures.propertyScores} />
          )}
        </section>
      )}
      {forestInfo && (
        <section className="detail-section">
          <h3>{t('detail.forest')}</h3>
          <dl className="detail-fields">
            <Field label={t('detail.chiefRole')} value={forestInfo.chiefRole} />
            <Field
              label={t('detail.areaMu')}
              value={t('detail.mu', { value: f.number(Math.round(forestInfo.areaMu * 10) / 10) })}
            />
          </dl>
        </section>
      )}

      {a && (
        <section className="detail-section">
          <h3>{t('detail.flood')}</h3>
          <dl className="detail-fields detail-fields--grid">
            <Field
              label={t('detail.worstColor')}
              value={t(`color.${a.flood.worstColor}`)}
              tone={`flood-${a.flood.worstColor}`}
            />
            <Field
              label={t('detail.inWarning')}
              value={`${f.number(a.flood.inWarning)} / ${f.number(a.flood.checkpoints)}`}
            />
            <Field label={t('detail.obstructionsOpen')} value={f.number(a.flood.obstructionsOpen)} />
            <Field label={t('detail.responseLevel')} value={t(`responseLevel.${a.flood.responseLevel}`)} />
          </dl>
        </section>
      )}
      {a && (a.patrol.coverageToday !== null || a.patrol.activeRangers > 0 || a.patrol.openIncidents > 0) && (
        <section className="detail-section">
          <h3>{t('detail.patrol')}</h3>
          <dl className="detail-fields detail-fields--grid">
            <Field label={t('detail.activeRangers')} value={f.number(a.patrol.activeRangers)} />
            <Field label={t('detail.coverageToday')} value={pct(a.patrol.coverageToday)} />
            <Field
              label={t('detail.openIncidents')}
              value={f.number(a.patrol.openIncidents)}
              tone={a.patrol.openIncidents > 0 ? 'caution' : undefined}
            />
            <Field
              label={t('detail.lostSignal')}
              value={f.number(a.patrol.lostSignal)}
              tone={a.patrol.lostSignal > 0 ? 'warn' : undefined}
            />
            <Field
              label={t('detail.lastPatrolAt')}
              value={a.patrol.lastPatrolAt ? f.dateTime(a.patrol.lastPatrolAt) : t('detail.never')}
            />
          </dl>
        </section>
      )}

      <AreaTrends area={area} changeKey={changeKey} />
    </div>
  );
}
