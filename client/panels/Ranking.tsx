// The ranking of the areas at the current level (towns of the district; grid cells, property districts or forest
// clusters of a town), worst first by the metric the map shows, with the value and a bar. A click opens the
// area, like a click on the map.
import { shortName } from '../geo/names';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { WARNING_ORDER, type AreaKey, type AreaTree } from '../../server/contract/areas';
import { DEFAULT_MIN_RATE_SAMPLE } from '../../server/contract/live';
import { formatters } from '../i18n';
import { useLive } from '../live/SocketController';
import type { Placement } from '../view/navigation';
import type { ViewState } from '../view/url';
import { pairMarks, RANK_MEASURES, rankAreas, treatedByKey, type RankRow } from './ranking';
import { useTreatment } from './useTreatment';
import '../styles/panels.css';

export interface RankingProps {
  tree: AreaTree;
  placement: Placement;
  view: ViewState;
  onOpenArea: (key: AreaKey) => void;
}

export function Ranking({ tree, placement, view, onOpenArea }: RankingProps) {
  const { t, i18n } = useTranslation('panels');
  const live = useLive();
  const f = formatters(i18n.language);
  const measure = RANK_MEASURES[view.metric];
  // Aggregates of another scope (a drill-down waiting for its snapshot) would rank the wrong areas' numbers.
  const ready = live.scope === placement.scope;
  const version = live.versions.aggregates;
  const rows = useMemo(
    () =>
      rankAreas(
        placement.areas,
        (k) => (ready ? live.aggregates.get(k) : undefined),
        view.metric,
        (k) => shortName(tree, k),
        { window: view.rates, minSample: DEFAULT_MIN_RATE_SAMPLE },
      ),
    // The store mutates live.aggregates in place; the map itself changes with the store (history mode's replay).
    // eslint-disable-next-line react-hooks/exhaustive-deps -- version stands for live.aggregates, mutated in place
    [placement.areas, view.metric, view.rates, tree, ready, live.aggregates, version],
  );
  const windowed = measure.sample !== undefined;
  const treatedList = useTreatment();
  const treated = useMemo(() => treatedByKey(treatedList), [treatedList]);
  const pct = (v: number | null) => (v === null ? '—' : f.percent(v));
  const treatedTitle = (key: AreaKey): string | undefined => {
    const town = treated.get(key);
    if (!town) return undefined;
    const { month, previous } = town.pair;
    return t('ranking.treatedTitle', {
      since: town.since,
      response: `${pct(previous.responseRate)} → ${pct(month.responseRate)}`,
      resolution: `${pct(previous.resolutionRate)} → ${pct(month.resolutionRate)}`,
      satisfaction: `${pct(previous.satisfactionRate)} → ${pct(month.satisfactionRate)}`,
      volume: `${previous.perDay === null ? '—' : f.number(Math.round(previous.perDay * 10) / 10)} → ${
        month.perDay === null ? '—' : f.number(Math.round(month.perDay * 10) / 10)
      }`,
      verdict: t(town.pair.met ? 'ranking.pairMet' : 'ranking.pairNotMet'),
    });
  };

  const valueText = (r: RankRow): string => {
    if (r.value === null) return t('ranking.noData');
    if (measure.kind === 'rate') return f.percent(r.value);
    if (measure.kind === 'color') return t(`color.${WARNING_ORDER[r.value] ?? 'none'}`);
    return f.number(r.value);
  };
  const tone = (r: RankRow): string => {
    if (r.value === null) return 'none';
    if (r.thin) return 'thin';
    if (measure.kind === 'color') return `flood-${WARNING_ORDER[r.value] ?? 'none'}`;
    // The worst fifth of the list (by rank) is marked: where to look first; a count of zero is never "worst".
    const worstFifth = r.rank !== null && r.rank <= Math.max(1, Math.ceil(rows.length / 5));
    return worstFifth && (measure.kind !== 'count' || r.value > 0) ? 'worst' : 'normal';
  };

  return (
    <section
      className="panel ranking"
      aria-label={t('ranking.label')}
      data-level={placement.level}
      data-metric={view.metric}
    >
      <header className="panel-head">
        <h2>{t('ranking.title')}</h2>
        <span className="panel-sub">
          {windowed
            ? t('ranking.subtitleWindow', {
                metric: t(`metric.${view.metric}`),
                window: t(`rateWindow.${view.rates}`, { ns: 'common' }),
              })
            : t('ranking.subtitle', { metric: t(`metric.${view.metric}`) })}
        </span>
      </header>
      {windowed && rows.length > 0 && (
        <p className="ranking-rule" data-min-sample={DEFAULT_MIN_RATE_SAMPLE}>
          {t('ranking.floor', { count: DEFAULT_MIN_RATE_SAMPLE })}
        </p>
      )}
      {rows.length === 0 ? (
        <p className="panel-empty">{t('ranking.empty')}</p>
      ) : (
        <>
          <div className="ranking-columns" aria-hidden="true">
            <span className="ranking-columns-value">{t(`metric.${view.metric}`)}</span>
            <span className="ranking-columns-proactive" title={t('ranking.proactiveNote')}>
              {t('common:kpi.proactive')}
            </span>
          </div>
          <ol className="ranking-list">
            {rows.map((r) => (
              <li key={r.key}>
                <button
                  type="button"
                  className={`ranking-row ranking-row--${tone(r)}`}
                  data-area={r.key}
                  data-thin={r.thin ? 'true' : undefined}
                  data-treated={treated.has(r.key) ? 'true' : undefined}
                  title={r.sample !== null ? t('ranking.sample', { count: r.sample }) : undefined}
                  aria-current={placement.selected === r.key ? 'true' : undefined}
                  onClick={() => onOpenArea(r.key)}
                >
                  <span className="ranking-rank">{r.rank ?? '—'}</span>
                  <span className="ranking-name">{r.name}</span>
                  <span className="ranking-bar" aria-hidden="true">
                    <span style={{ width: `${Math.round(r.bar * 100)}%` }} />
                  </span>
                  <span className="ranking-value">{ready ? valueText(r) : '…'}</span>
                  <span
                    className="ranking-proactive"
                    data-proactive={r.proactive?.share ?? undefined}
                    title={
                      r.proactive
                        ? t('ranking.proactiveTitle', {
                            share: pct(r.proactive.share),
                            count: r.proactive.created,
                            window: t(`rateWindow.${view.rates}`, { ns: 'common' }),
                          })
                        : undefined
                    }
                  >
                    {ready && r.proactive ? pct(r.proactive.share) : '—'}
                  </span>
                  {ready && r.proactive && (
                    <span className="ranking-proactive-sample" data-sample={r.proactive.created}>
                      {t('common:kpi.sample', { count: r.proactive.created })}
                    </span>
                  )}
                  {r.thin && <span className="ranking-thin">{t('ranking.thin', { count: r.sample ?? 0 })}</span>}
                  {treated.has(r.key) && (
                    <span
                      className={`ranking-treated${treated.get(r.key)!.pair.met ? ' ranking-treated--met' : ''}`}
                      title={treatedTitle(r.key)}
                    >
                      {t('ranking.treated')} {pairMarks(treated.get(r.key)!.pair)}
                    </span>
                  )}
                  {view.metric !== 'overdue' && r.overdue !== null && r.overdue > 0 && (
                    <span className="ranking-overdue">{t('ranking.overdue', { count: r.overdue })}</span>
                  )}
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
