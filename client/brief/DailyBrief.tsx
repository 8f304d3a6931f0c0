// The daily brief (日报) at /brief?area=…&date=…: one past day of a town or of the district on an A4 page, from
// GET /api/v1/brief. Printed (or saved as PDF) by the browser's own print: tables and CSS bars only, because a
// canvas chart prints blurred and a map adds nothing a leader reads on paper. No refresh: it is a record.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import type { Brief, BriefRankRow, BriefTicketDay } from '../../server/contract/brief';
import { apiJson } from '../auth/session';
import { formatters, setLanguage, type Formatters, type Language } from '../i18n';
import { briefSearch, duration, proactiveShare, rateChange } from './view';
import '../styles/brief.css';
import { alertTitle } from '../panels/alert-title';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; body: Brief };

export function DailyBrief({ tree, home }: { tree: AreaTree; home: AreaKey }) {
  const { t, i18n } = useTranslation('brief');
  const f = formatters(i18n.language);
  const params = new URLSearchParams(window.location.search);
  const area = (params.get('area') ?? home) as AreaKey;
  const date = params.get('date');
  const [load, setLoad] = useState<Load>({ state: 'loading' });

  useEffect(() => {
    let alive = true;
    setLoad({ state: 'loading' });
    apiJson<Brief>(`/api/v1/brief${briefSearch(area, date)}`)
      .then((body) => alive && setLoad({ state: 'ready', body }))
      .catch((e: unknown) => alive && setLoad({ state: 'error', message: e instanceof Error ? e.message : String(e) }));
    return () => {
      alive = false;
    };
  }, [area, date]);

  const name = load.state === 'ready' ? load.body.area.name : (tree.nodes[area]?.name ?? area);
  useEffect(() => {
    document.title = `${name} · ${t('label')}${load.state === 'ready' ? ` · ${load.body.date}` : ''}`;
  }, [name, t, load]);
  const other: Language = i18n.language === 'en' ? 'zh-CN' : 'en';

  return (
    <div className="brief" data-brief={load.state} data-area={area}>
      <nav className="brief-toolbar no-print">
        <a className="brief-button" href="/">
          {t('back')}
        </a>
        {load.state === 'ready' && (
          <>
            <a className="brief-button" href={`/brief${briefSearch(area, shiftDate(load.body.date, -1))}`}>
              {t('previous')}
            </a>
            <a className="brief-button" href={`/brief${briefSearch(area, shiftDate(load.body.date, 1))}`}>
              {t('next')}
            </a>
          </>
        )}
        <button
          type="button"
          className="brief-button"
          data-lang={i18n.language}
          onClick={() => setLanguage(i18n, other)}
        >
          {t('common:language.toggle')}
        </button>
        <button type="button" className="brief-button brief-print" onClick={() => window.print()}>
          {t('print')}
        </button>
      </nav>
      <article className="brief-page">
        <header className="brief-head">
          <h1>{t('title', { area: name })}</h1>
          {load.state === 'ready' && (
            <p className="brief-sub">
              <span className="brief-date">
                {t('subtitle', { date: `${load.body.date} ${weekday(load.body.from, i18n.language)}` })}
              </span>
              <span className="brief-generated">
                {t('generated', { time: f.dateTime(load.body.generatedAt), source: t(`source.${load.body.source}`) })}
              </span>
            </p>
          )}
        </header>
        {load.state === 'loading' && <p className="brief-status">{t('loading')}</p>}
        {load.state === 'error' && <p className="brief-status brief-error">{t('error', { message: load.message })}</p>}
        {load.state === 'ready' && <Body b={load.body} f={f} />}
      </article>
    </div>
  );
}

function weekday(iso: string, lng: string): string {
  return new Intl.DateTimeFormat(lng, { timeZone: 'Asia/Shanghai', weekday: 'short' }).format(Date.parse(iso));
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function Body({ b, f }: { b: Brief; f: Formatters }) {
  return (
    <>
      <Tickets b={b} f={f} />
      <Overdue b={b} f={f} />
      <Worst b={b} f={f} />
      <Flood b={b} f={f} />
      <Patrol b={b} f={f} />
      <Alerts b={b} f={f} />
    </>
  );
}

const RATES = ['responseRate', 'resolutionRate', 'satisfactionRate', 'composite'] as const;
const COUNTS = ['created', 'closed', 'open', 'overdue'] as const;

function Tickets({ b, f }: { b: Brief; f: Formatters }) {
  const { t } = useTranslation('brief');
  const { day, weekBefore, daily } = b.tickets;
  const label = (k: (typeof RATES)[number] | (typeof COUNTS)[number]) =>
    k === 'created' || k === 'closed' || k === 'open' || k === 'overdue' ? t(`tickets.${k}`) : t(`common:kpi.${k}`);
  const countChange = (a: number, p: number) => (a === p ? '±0' : `${a > p ? '+' : '−'}${f.number(Math.abs(a - p))}`);
  const max = Math.max(1, ...daily.flatMap((d) => [d.created, d.closed]));
  return (
    <section className="brief-section brief-tickets" aria-label={t('tickets.title')}>
      <h2>{t('tickets.title')}</h2>
      <div className="brief-two">
        <table className="brief-table brief-kpis">
          <thead>
            <tr>
              <th>{t('tickets.figure')}</th>
              <th>{t('tickets.day')}</th>
              <th>{t('tickets.weekBefore')}</th>
              <th>{t('tickets.change')}</th>
            </tr>
          </thead>
          <tbody>
            {COUNTS.map((k) => (
              <tr key={k} data-figure={k}>
                <th scope="row">{label(k)}</th>
                <td className="num brief-value">{f.number(day[k])}</td>
                <td className="num">{f.number(weekBefore[k])}</td>
                <td className="num">{countChange(day[k], weekBefore[k])}</td>
              </tr>
            ))}
            {RATES.map((k) => (
              <tr key={k} data-figure={k}>
                <th scope="row">{label(k)}</th>
                <td className="num brief-value">{f.percent(day[k])}</td>
                <td className="num">{f.percent(weekBefore[k])}</td>
                <td className="num">{rateChange(day[k], weekBefore[k])}</td>
              </tr>
            ))}
            <tr data-figure="proactive">
              <th scope="row">{t('common:kpi.proactive')}</th>
              <td className="num brief-value">
                {f.percent(proactiveShare(day))}{' '}
                <span className="brief-sample">
                  {t('tickets.proactiveOf', { proactive: day.proactive, created: day.created })}
                </span>
              </td>
              <td className="num">{f.percent(proactiveShare(weekBefore))}</td>
              <td className="num">{rateChange(proactiveShare(day), proactiveShare(weekBefore))}</td>
            </tr>
            {day.supervised !== undefined && (
              <tr data-figure="supervised">
                <th scope="row">{t('tickets.supervised')}</th>
                <td className="num brief-value">
                  {f.number(day.supervised)}{' '}
                  <span className="brief-sample">
                    {t('tickets.supervisedOpen', { count: day.supervisedOpen ?? 0 })}
                  </span>
                </td>
                <td className="num">{f.number(weekBefore.supervised ?? 0)}</td>
                <td className="num">{countChange(day.supervised, weekBefore.supervised ?? 0)}</td>
              </tr>
            )}
          </tbody>
        </table>
        <figure className="brief-chart" aria-label={t('tickets.daily')}>
          <figcaption>
            {t('tickets.daily')}{' '}
            <span className="brief-legend brief-legend--created">■ {t('tickets.legendCreated')}</span>{' '}
            <span className="brief-legend brief-legend--closed">■ {t('tickets.legendClosed')}</span>
          </figcaption>
          <div className="brief-bars">
            {daily.map((d: BriefTicketDay) => (
              <div
                key={d.date}
                className={`brief-bar-day${d.date === day.date ? ' brief-bar-day--current' : ''}`}
                title={`${d.date}: ${d.created} / ${d.closed}`}
              >
                <div className="brief-bar-pair">
                  <span className="brief-bar brief-bar--created" style={{ height: `${(d.created / max) * 100}%` }} />
                  <span className="brief-bar brief-bar--closed" style={{ height: `${(d.closed / max) * 100}%` }} />
                </div>
                <span className="brief-bar-label">{d.date.slice(5)}</span>
              </div>
            ))}
          </div>
        </figure>
      </div>
      <p className="brief-note">{t('compareNote', { date: weekBefore.date })}</p>
    </section>
  );
}

function Overdue({ b, f }: { b: Brief; f: Formatters }) {
  const { t } = useTranslation('brief');
  const { total, items } = b.overdue;
  return (
    <section className="brief-section brief-overdue" aria-label={t('overdue.title')}>
      <h2>
        {t('overdue.title')} <span className="brief-h-sub">{t('overdue.subtitle', { total })}</span>
      </h2>
      {items.length === 0 ? (
        <p className="brief-empty">{t('overdue.empty')}</p>
      ) : (
        <table className="brief-table">
          <thead>
            <tr>
              <th>{t('overdue.ticket')}</th>
              <th>{t('overdue.place')}</th>
              <th>{t('overdue.due')}</th>
              <th>{t('overdue.late')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((x) => (
              <tr key={x.id}>
                <td>
                  {x.title}{' '}
                  <span className="brief-muted">
                    {t(`common:category.${x.category}`)} · {x.id}
                  </span>
                </td>
                <td>
                  {[b.area.level === 'district' ? x.town : null, x.cellName].filter(Boolean).join(' · ') || t('none')}
                </td>
                <td className="num">{f.dateTime(x.resolveDueAt)}</td>
                <td className="num brief-late">{duration(t, x.lateMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {total > items.length && <p className="brief-note">{t('overdue.more', { count: total - items.length })}</p>}
    </section>
  );
}

function RankTable({ rows, f }: { rows: BriefRankRow[]; f: Formatters }) {
  const { t } = useTranslation('brief');
  return (
    <table className="brief-table brief-rank">
      <thead>
        <tr>
          <th>{t('worst.name')}</th>
          <th>{t('common:kpi.composite')}</th>
          <th>{t('common:kpi.resolutionRate')}</th>
          <th>{t('common:kpi.satisfactionRate')}</th>
          <th title={t('worst.proactiveNote')}>{t('common:kpi.proactive')}</th>
          <th>{t('worst.created')}</th>
          <th>{t('common:kpi.overdue')}</th>
          <th>{t('common:kpi.open')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} data-area={r.key}>
            <td>{r.name}</td>
            <td className="num">{f.percent(r.composite)}</td>
            <td className="num">{f.percent(r.resolutionRate)}</td>
            <td className="num">{f.percent(r.satisfactionRate)}</td>
            <td className="num" data-figure="proactive" data-sample={r.monthCreated}>
              {r.proactiveShare === undefined ? '—' : f.percent(r.proactiveShare)}
              {r.monthCreated !== undefined && (
                <span className="brief-sample"> {t('common:kpi.sample', { count: r.monthCreated })}</span>
              )}
            </td>
            <td className="num">{f.number(r.created)}</td>
            <td className="num">{f.number(r.overdue)}</td>
            <td className="num">{f.number(r.open)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Worst({ b, f }: { b: Brief; f: Formatters }) {
  const { t } = useTranslation('brief');
  return (
    <>
      {b.towns && (
        <section className="brief-section brief-towns" aria-label={t('worst.towns')}>
          <h2>
            {t('worst.towns')} <span className="brief-h-sub">{t('worst.townsSubtitle')}</span>
          </h2>
          <RankTable rows={b.towns} f={f} />
        </section>
      )}
      <section className="brief-section brief-worst" aria-label={t('worst.title')}>
        <h2>
          {t('worst.title')} <span className="brief-h-sub">{t('worst.subtitle', { total: b.worstCells.total })}</span>
        </h2>
        <RankTable rows={b.worstCells.items} f={f} />
      </section>
    </>
  );
}

function Flood({ b, f }: { b: Brief; f: Formatters }) {
  const { t } = useTranslation('brief');
  const { checkpoints, responses, responseLevelAtEnd } = b.flood;
  return (
    <section className="brief-section brief-flood" aria-label={t('flood.title')}>
      <h2>
        {t('flood.title')} <span className="brief-h-sub">{t('flood.subtitle')}</span>
      </h2>
      {checkpoints.length === 0 ? (
        <p className="brief-empty">{t('flood.empty')}</p>
      ) : (
        <table className="brief-table">
          <thead>
            <tr>
              <th>{t('flood.checkpoint')}</th>
              <th>{t('flood.color')}</th>
              <th>{t('flood.peak')}</th>
              <th>{t('flood.peakAt')}</th>
              <th>{t('flood.first')}</th>
            </tr>
          </thead>
          <tbody>
            {checkpoints.map((c) => (
              <tr key={c.id}>
                <td>
                  {c.name}{' '}
                  {b.area.level === 'district' && c.town ? <span className="brief-muted">{c.town}</span> : null}
                </td>
                <td>
                  <span className={`brief-swatch brief-swatch--${c.color}`} /> {t(`common:warning.${c.color}`)}
                </td>
                <td className="num">{f.metres(c.peakLevel)}</td>
                <td className="num">{f.time(c.peakAt)}</td>
                <td className="num">{f.time(c.firstWarningAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('flood.responses')}</h3>
      {responses.length === 0 ? (
        <p className="brief-empty">{t('flood.noResponses')}</p>
      ) : (
        <ul className="brief-list">
          {responses.map((r, i) => (
            <li key={i}>
              {f.time(r.at)} · {t(`flood.level.${r.level}`)}
              {r.note ? ` · ${r.note}` : ''}
            </li>
          ))}
        </ul>
      )}
      <p className="brief-note">{t('flood.atEnd', { level: t(`flood.level.${responseLevelAtEnd}`) })}</p>
    </section>
  );
}

function Patrol({ b, f }: { b: Brief; f: Formatters }) {
  const { t } = useTranslation('brief');
  const { clusters, coverage } = b.patrol;
  return (
    <section className="brief-section brief-patrol" aria-label={t('patrol.title')}>
      <h2>
        {t('patrol.title')}{' '}
        <span className="brief-h-sub">{t('patrol.subtitle', { coverage: f.percent(coverage) })}</span>
      </h2>
      {clusters.length === 0 ? (
        <p className="brief-empty">{t('patrol.empty')}</p>
      ) : (
        <table className="brief-table">
          <thead>
            <tr>
              <th>{t('patrol.cluster')}</th>
              {b.area.level === 'district' && <th>{t('town')}</th>}
              <th>{t('patrol.coverage')}</th>
              <th>{t('patrol.last')}</th>
            </tr>
          </thead>
          <tbody>
            {clusters.map((c) => (
              <tr key={c.key}>
                <td>{c.name}</td>
                {b.area.level === 'district' && <td>{c.town ?? t('none')}</td>}
                <td className="brief-meter-cell">
                  <span className="brief-meter">
                    <span style={{ width: `${Math.round((c.coverage ?? 0) * 100)}%` }} />
                  </span>
                  <span className="num">{f.percent(c.coverage)}</span>
                </td>
                <td className="num">{c.lastPatrolAt ? f.dateTime(c.lastPatrolAt) : t('none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Alerts({ b, f }: { b: Brief; f: Formatters }) {
  const { t } = useTranslation('brief');
  const a = b.alerts;
  const tile = (key: string, value: string) => (
    <div className="brief-tile" data-tile={key}>
      <span className="brief-tile-label">{t(`alerts.${key}`)}</span>
      <span className="brief-tile-value">{value}</span>
    </div>
  );
  return (
    <section className="brief-section brief-alerts" aria-label={t('alerts.title')}>
      <h2>{t('alerts.title')}</h2>
      <div className="brief-tiles">
        {tile('raised', f.number(a.raised))}
        {tile('acknowledged', f.number(a.acknowledged))}
        {tile('unacknowledged', f.number(a.unacknowledged))}
        {tile('median', a.medianAckMs === null ? t('none') : duration(t, a.medianAckMs))}
        {tile('worst', a.worstAckMs === null ? t('none') : duration(t, a.worstAckMs))}
      </div>
      {a.items.length === 0 ? (
        <p className="brief-empty">{t('alerts.empty')}</p>
      ) : (
        <table className="brief-table">
          <thead>
            <tr>
              <th>{t('alerts.severity')}</th>
              <th>{t('alerts.alert')}</th>
              <th>{t('alerts.raisedAt')}</th>
              <th>{t('alerts.ack')}</th>
            </tr>
          </thead>
          <tbody>
            {a.items.map((x) => (
              <tr key={x.id} className={`brief-alert--${x.severity}`}>
                <td>{t(`auth:alerts.severity.${x.severity}`)}</td>
                <td>
                  {alertTitle(x, t)}{' '}
                  <span className="brief-muted">
                    {t(`auth:alerts.rule.${x.rule}`)}
                    {x.escalated ? ` · ${t('alerts.escalated')}` : ''}
                  </span>
                </td>
                <td className="num">{f.time(x.raisedAt)}</td>
                <td className={`num${x.ackMs === null ? ' brief-late' : ''}`}>
                  {x.ackMs === null ? t('alerts.notAcked') : duration(t, x.ackMs)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="brief-note">{t('alerts.note')}</p>
    </section>
  );
}
