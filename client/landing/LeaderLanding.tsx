// The town leader's landing (issue §5): the town's KPIs beside the district average, its villages /
// communities and grid cells ranked, overdue tickets, what got worse this week and the 零诉求 streaks, from
// GET /api/v1/landing. It refreshes every minute; a live delta is not needed on a page read at a glance.
// A click on a village, a cell or a ticket's place opens the map on that area.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import {
  LANDING_KPI_KEYS,
  thinComposite,
  type Landing,
  type LandingKpiKey,
  type LandingKpis,
} from '../../server/contract/landing';
import { compositeSample, DEFAULT_RATE_WINDOW, type RateWindow } from '../../server/contract/live';
import type { Direction, TreatedTown } from '../../server/contract/treatment';
import { apiJson } from '../auth/session';
import { RateWindowPicker } from '../panels/KpiBar';
import { parseView } from '../view/url';
import { formatters, setLanguage, type Formatters, type Language } from '../i18n';
import { UserBox } from '../panels/Header';
import { BriefLink } from '../brief/BriefLink';
import { arrow, lateness, mapSearch, riseBar, standing, streakSpan } from './view';
import '../styles/panels.css';
import '../styles/landing.css';

export const REFRESH_MS = 60_000;

export interface LeaderLandingProps {
  tree: AreaTree;
  town: AreaKey;
  /** Switches to the map; the landing has already put the area to open into the URL (?area=). */
  onOpenMap: (area?: AreaKey) => void;
}

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; body: Landing };

export function LeaderLanding({ tree, town, onOpenMap }: LeaderLandingProps) {
  const { t, i18n } = useTranslation('landing');
  const f = formatters(i18n.language);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  // The rates' window, kept in the URL like the map's (?rates=…; the month when absent).
  const [rates, setRates] = useState<RateWindow>(() => parseView(window.location.search, tree.root as AreaKey).rates);
  const chooseRates = useCallback((w: RateWindow) => {
    const q = new URLSearchParams(window.location.search);
    if (w === DEFAULT_RATE_WINDOW) q.delete('rates');
    else q.set('rates', w);
    const search = q.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
    setRates(w);
  }, []);

  useEffect(() => {
    let alive = true;
    const fetchIt = () =>
      apiJson<Landing>(`/api/v1/landing?town=${encodeURIComponent(town)}&rates=${rates}`)
        .then((body) => alive && setLoad({ state: 'ready', body }))
        // A failed refresh keeps the last good figures on screen; only a first failure shows the error.
        .catch(
          (e: unknown) =>
            alive &&
            setLoad((l) =>
              l.state === 'ready' ? l : { state: 'error', message: e instanceof Error ? e.message : String(e) },
            ),
        );
    void fetchIt();
    const timer = window.setInterval(() => void fetchIt(), REFRESH_MS);
    return () => {
      alive = false;
      window.clearInterval(timer);
    };
  }, [town, rates]);

  const openMap = useCallback(
    (area: AreaKey) => {
      window.history.pushState(null, '', `${window.location.pathname}${mapSearch(tree.root as AreaKey, area)}`);
      onOpenMap(area);
    },
    [tree.root, onOpenMap],
  );

  const townName = tree.nodes[town]?.name ?? town;
  useEffect(() => {
    document.title = `${townName} · ${t('label')}`;
  }, [townName, t]);
  const other: Language = i18n.language === 'en' ? 'zh-CN' : 'en';

  return (
    <div className="app theme-wall landing" data-landing={load.state} data-area={town}>
      <header className="app-header landing-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <div>
            <h1>{t('title', { town: townName })}</h1>
            <p className="subtitle">
              {load.state === 'ready'
                ? `${f.date(load.body.at)} · ${t('asOf', { time: f.time(load.body.at) })}`
                : t('loading')}
            </p>
          </div>
        </div>
        <div className="header-meta">
          <button type="button" className="landing-map-button" onClick={() => openMap(town)}>
            {t('openMap')}
          </button>
          <BriefLink tree={tree} area={town} className="landing-map-button brief-link" />
          <button
            type="button"
            className="lang-toggle"
            data-lang={i18n.language}
            aria-label={t('common:language.label')}
            onClick={() => setLanguage(i18n, other)}
          >
            {t('common:language.toggle')}
          </button>
          <UserBox tree={tree} />
        </div>
      </header>
      {load.state === 'loading' && <p className="landing-status">{t('loading')}</p>}
      {load.state === 'error' && <p className="notice notice--error">{t('error', { message: load.message })}</p>}
      {load.state === 'ready' && (
        <Body
          body={load.body}
          f={f}
          openMap={openMap}
          picker={
            <RateWindowPicker
              rates={rates}
              onRates={chooseRates}
              label={t('common:kpi.window')}
              name={(w) => t(`common:rateWindow.${w}`)}
            />
          }
        />
      )}
    </div>
  );
}

function Body({
  body,
  f,
  openMap,
  picker,
}: {
  body: Landing;
  f: Formatters;
  openMap: (area: AreaKey) => void;
  picker: ReactNode;
}) {
  const { t } = useTranslation('landing');
  return (
    <main className="landing-body" data-rates={body.window}>
      <div className="landing-window">
        {picker}
        <span className="landing-floor">{t('floor', { count: body.minSample })}</span>
      </div>
      {body.treatment && <Treatment town={body.treatment} f={f} />}
      <KpiCards town={body.kpis} district={body.district.kpis} f={f} />
      <div className="landing-grid">
        <section className="panel landing-units" aria-label={t('units.title')}>
          <header className="panel-head">
            <h2>{t('units.title')}</h2>
            <span className="panel-sub">{t('units.subtitle')}</span>
          </header>
          {body.units.length === 0 ? (
            <p className="panel-empty">{t('units.empty')}</p>
          ) : (
            <RankTable
              rows={body.units.map((u) => ({
                key: u.key,
                area: u.focus,
                name: u.name,
                note: `${t(`units.kind.${u.kind}`)} · ${t('units.cells', { count: u.cells })}`,
                kpis: u.kpis,
              }))}
              f={f}
              openMap={openMap}
              minSample={body.minSample}
            />
          )}
        </section>
        <section className="panel landing-cells" aria-label={t('cells.title')}>
          <header className="panel-head">
            <h2>{t('cells.title')}</h2>
            <span className="panel-sub">
              {t('cells.subtitle', { shown: body.cells.items.length, total: body.cells.total })}
            </span>
          </header>
          <RankTable
            rows={body.cells.items.map((c) => ({ key: c.key, area: c.key, name: c.name, note: null, kpis: c.kpis }))}
            f={f}
            openMap={openMap}
            minSample={body.minSample}
          />
        </section>
        <div className="landing-column">
          <Overdue body={body} f={f} openMap={openMap} />
          <Streaks body={body} openMap={openMap} />
        </div>
        <Week body={body} openMap={openMap} />
      </div>
    </main>
  );
}

const MARK: Record<Exclude<Direction, null>, string> = { up: '↑', same: '→', down: '↓' };

/** 治理类: the town is on the city's list; its 三升四降 pair, this month so far against the previous month. */
function Treatment({ town, f }: { town: TreatedTown; f: Formatters }) {
  const { t } = useTranslation('landing');
  const { pair } = town;
  const pct = (v: number | null) => (v === null ? '—' : f.percent(v));
  const perDay = (v: number | null) => (v === null ? '—' : f.number(Math.round(v * 10) / 10));
  // Good is up for a rate, down for the volume.
  const tone = (d: Direction, good: Direction) =>
    d === null || d === 'same' ? 'none' : d === good ? 'better' : 'worse';
  const items = [
    ['responseRate', pct(pair.previous.responseRate), pct(pair.month.responseRate), pair.response, 'up'],
    ['resolutionRate', pct(pair.previous.resolutionRate), pct(pair.month.resolutionRate), pair.resolution, 'up'],
    [
      'satisfactionRate',
      pct(pair.previous.satisfactionRate),
      pct(pair.month.satisfactionRate),
      pair.satisfaction,
      'up',
    ],
    ['volume', perDay(pair.previous.perDay), perDay(pair.month.perDay), pair.volume, 'down'],
  ] as const;
  return (
    <section
      className="landing-treatment"
      aria-label={t('treatment.label')}
      data-met={pair.met ? 'true' : 'false'}
      title={t('treatment.note', { count: pair.month.days })}
    >
      <span className="landing-treatment-tag">{t('treatment.tag', { since: town.since })}</span>
      <span className="landing-treatment-title">{t('treatment.pair')}</span>
      {items.map(([key, before, now, d, good]) => (
        <span key={key} className={`landing-treatment-item landing-treatment-item--${tone(d, good)}`} data-item={key}>
          {t(`treatment.${key}`)} {before} → {now}{' '}
          <b aria-label={d === null ? t('treatment.notCompared') : t(`treatment.${d}`)}>{d === null ? '·' : MARK[d]}</b>
        </span>
      ))}
      <span className="landing-treatment-verdict">{t(pair.met ? 'treatment.met' : 'treatment.notMet')}</span>
    </section>
  );
}

function KpiCards({ town, district, f }: { town: LandingKpis; district: LandingKpis; f: Formatters }) {
  const { t } = useTranslation('landing');
  const value = (key: LandingKpiKey, k: LandingKpis, avg: boolean) => {
    const v = k[key];
    if (v === null || v === undefined) return '—';
    if (
      key === 'open' ||
      key === 'overdue' ||
      key === 'nearDeadline' ||
      key === 'newToday' ||
      key === 'supervisedOpen'
    ) {
      // The district's counts are a mean per town: one decimal says so.
      return avg ? f.number(Math.round(v * 10) / 10) : f.number(v);
    }
    return f.percent(v);
  };
  return (
    <section className="landing-kpis" aria-label={t('kpi.label')} title={t('kpi.note')}>
      {LANDING_KPI_KEYS.map((key) => {
        const s = standing(key, town, district);
        const verdict = s === null ? t('kpi.none') : t(`kpi.${s}`);
        return (
          <div
            key={key}
            className={`landing-kpi landing-kpi--${s ?? 'none'}`}
            data-kpi={key}
            data-standing={s ?? 'none'}
          >
            <span className="landing-kpi-label">{t(`common:kpi.${key}`)}</span>
            <span className="landing-kpi-value">{value(key, town, false)}</span>
            {key === 'proactiveShare' && (
              // The share rests on the tickets created in the window: a 100 % of one ticket says little.
              <span className="landing-kpi-sample" data-sample={town.created}>
                {t('common:kpi.sample', { count: town.created })}
              </span>
            )}
            {key === 'supervisedOpen' && town.supervised !== undefined && (
              // Open now on the card; the tickets supervised in the window beneath it.
              <span className="landing-kpi-sample" data-supervised={town.supervised}>
                {t('kpi.supervisedInWindow', { count: town.supervised })}
              </span>
            )}
            <span className="landing-kpi-district" aria-label={verdict} title={verdict}>
              <span className="landing-kpi-arrow" aria-hidden="true">
                {arrow(key, s)}
              </span>
              {t('kpi.district', { value: value(key, district, true) })}
            </span>
          </div>
        );
      })}
    </section>
  );
}

interface RankRow {
  key: string;
  area: AreaKey;
  name: string;
  note: string | null;
  kpis: LandingKpis;
}

function RankTable({
  rows,
  f,
  openMap,
  minSample,
}: {
  rows: RankRow[];
  f: Formatters;
  openMap: (area: AreaKey) => void;
  minSample: number;
}) {
  const { t } = useTranslation('landing');
  return (
    <ol className="landing-rank">
      {rows.map((r, i) => (
        <li key={r.key}>
          <button type="button" className="landing-rank-row" data-area={r.area} onClick={() => openMap(r.area)}>
            <span className="landing-rank-no">{i + 1}</span>
            <span className="landing-rank-name">
              {r.name}
              {r.note && <small>{r.note}</small>}
            </span>
            <span
              className={`landing-rank-value ${thinComposite(r.kpis, minSample) ? 'is-thin' : ''}`}
              title={t('column.sample', { count: compositeSample(r.kpis.sample) })}
            >
              {f.percent(r.kpis.composite)}
            </span>
            <span className={`landing-rank-count ${r.kpis.overdue > 0 ? 'is-warn' : ''}`} title={t('column.overdue')}>
              {t('column.overdue')} {f.number(r.kpis.overdue)}
            </span>
            <span className="landing-rank-count" title={t('column.open')}>
              {t('column.open')} {f.number(r.kpis.open)}
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}

function Overdue({ body, f, openMap }: { body: Landing; f: Formatters; openMap: (area: AreaKey) => void }) {
  const { t } = useTranslation('landing');
  const late = (ms: number) => {
    const l = lateness(ms);
    const parts =
      l.days > 0
        ? [t('overdue.days', { count: l.days }), t('overdue.hours', { count: l.hours })]
        : l.hours > 0
          ? [t('overdue.hours', { count: l.hours }), t('overdue.minutes', { count: l.minutes })]
          : [t('overdue.minutes', { count: l.minutes })];
    return t('overdue.late', { text: parts.join(' ') });
  };
  const { total, items } = body.overdue;
  return (
    <section className="panel landing-overdue" aria-label={t('overdue.title')}>
      <header className="panel-head">
        <h2>{t('overdue.title')}</h2>
        <span className="panel-sub">{t('overdue.subtitle', { total })}</span>
      </header>
      {items.length === 0 ? (
        <p className="panel-empty">{t('overdue.empty')}</p>
      ) : (
        <ul className="landing-list">
          {items.map((o) => (
            <li key={o.id} data-ticket={o.id}>
              <button
                type="button"
                className="landing-list-row"
                disabled={o.cell === null}
                onClick={() => o.cell && openMap(o.cell)}
              >
                <span className="landing-late">{late(o.lateMs)}</span>
                <span className="landing-list-name">
                  {o.title}
                  <small>
                    {t(`common:category.${o.category}`)}
                    {o.unit ? ` · ${o.unit}` : ''} · {f.dateTime(o.createdAt)}
                  </small>
                </span>
              </button>
            </li>
          ))}
          {total > items.length && (
            <li className="landing-more">{t('overdue.more', { count: total - items.length })}</li>
          )}
        </ul>
      )}
    </section>
  );
}

function Week({ body, openMap }: { body: Landing; openMap: (area: AreaKey) => void }) {
  const { t } = useTranslation('landing');
  const { week } = body;
  const risers = week.byCategory.filter((c) => c.change > 0);
  const largest = Math.max(0, ...risers.map((c) => c.change), ...week.byUnit.map((u) => u.change));
  const change = (n: number) => (n > 0 ? `▲ ${n}` : n < 0 ? `▼ ${-n}` : '＝');
  return (
    <section className="panel landing-week" aria-label={t('week.title')}>
      <header className="panel-head">
        <h2>{t('week.title')}</h2>
        <span className="panel-sub">{t('week.subtitle')}</span>
      </header>
      <p className="landing-week-total" data-this-week={week.total.thisWeek} data-previous={week.total.previous}>
        {t('week.total', { thisWeek: week.total.thisWeek, previous: week.total.previous })}{' '}
        <span className={`landing-change landing-change--${Math.sign(week.total.change)}`}>
          {change(week.total.change)}
        </span>
      </p>
      <h3>{t('week.byCategory')}</h3>
      {risers.length === 0 ? (
        <p className="panel-empty">{t('week.empty')}</p>
      ) : (
        <ul className="landing-list">
          {risers.map((c) => (
            <li key={c.category} className="landing-rise" data-category={c.category}>
              <span className="landing-list-name">{t(`common:category.${c.category}`)}</span>
              <span className="landing-rise-bar" aria-hidden="true">
                <span style={{ width: `${Math.round(riseBar(c.change, largest) * 100)}%` }} />
              </span>
              <span className="landing-change landing-change--1">{change(c.change)}</span>
              <small>{t('week.pair', { thisWeek: c.thisWeek, previous: c.previous })}</small>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('week.byUnit')}</h3>
      {week.byUnit.length === 0 ? (
        <p className="panel-empty">{t('week.empty')}</p>
      ) : (
        <ul className="landing-list">
          {week.byUnit.map((u) => (
            <li key={u.key}>
              <button type="button" className="landing-rise" data-area={u.focus} onClick={() => openMap(u.focus)}>
                <span className="landing-list-name">{u.name}</span>
                <span className="landing-rise-bar" aria-hidden="true">
                  <span style={{ width: `${Math.round(riseBar(u.change, largest) * 100)}%` }} />
                </span>
                <span className="landing-change landing-change--1">{change(u.change)}</span>
                <small>{t('week.pair', { thisWeek: u.thisWeek, previous: u.previous })}</small>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Streaks({ body, openMap }: { body: Landing; openMap: (area: AreaKey) => void }) {
  const { t } = useTranslation('landing');
  return (
    <section className="panel landing-streaks" aria-label={t('streaks.title')}>
      <header className="panel-head">
        <h2>{t('streaks.title')}</h2>
        <span className="panel-sub">{t('streaks.subtitle')}</span>
      </header>
      {body.streaks.length === 0 ? (
        <p className="panel-empty">{t('streaks.empty')}</p>
      ) : (
        <ul className="landing-list landing-streak-list">
          {body.streaks.map((s) => {
            const span = streakSpan(s.days);
            return (
              <li key={s.key}>
                <button type="button" className="landing-list-row" data-area={s.focus} onClick={() => openMap(s.focus)}>
                  <span className="landing-streak">{t(`streaks.${span.unit}`, { count: span.value })}</span>
                  <span className="landing-list-name">{s.name}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
