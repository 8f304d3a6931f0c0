// The KPI header of the open area: open / overdue tickets; in the chosen window (the month by default, each with
// the number of tickets it rests on) the share found first (未诉先办), the three rates (三率) and the composite;
// the worst flood colour, active patrols and open forest incidents.
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey } from '../../server/contract/areas';
import {
  compositeSample,
  RATE_WINDOWS,
  ticketWindow,
  type RateSample,
  type RateWindow,
} from '../../server/contract/live';
import { formatters } from '../i18n';
import { useLive } from '../live/SocketController';

export interface KpiBarProps {
  area: AreaKey;
  scope: AreaKey;
  /** The window the rates are read in. */
  rates: RateWindow;
  /** Present where the viewer may choose the window (the desk); the wall shows the month without a choice. */
  onRates?: (window: RateWindow) => void;
}

type RateKey = 'responseRate' | 'resolutionRate' | 'satisfactionRate' | 'composite';
/** What each rate rests on; the composite, on the thinner of verdicts and ratings. */
const SAMPLE_OF: Record<RateKey, (s: RateSample) => number> = {
  responseRate: (s) => s.response,
  resolutionRate: (s) => s.resolution,
  satisfactionRate: (s) => s.satisfaction,
  composite: compositeSample,
};

export function KpiBar({ area, scope, rates, onRates }: KpiBarProps) {
  const { t, i18n } = useTranslation();
  const live = useLive();
  const f = formatters(i18n.language);
  // The open area's aggregate once the scope's snapshot is in; while a drill-down waits, nothing stale.
  const a = live.scope === scope ? live.aggregates.get(area) : undefined;
  const w = a ? ticketWindow(a.tickets, rates) : undefined;
  const count = (n: number | undefined) => (n === undefined ? '—' : f.number(n));
  const rate = (key: RateKey) => ({
    key,
    value: f.percent(w?.[key]),
    sample: w ? t('kpi.sample', { count: f.number(SAMPLE_OF[key](w.sample)) }) : undefined,
  });
  const items: { key: string; value: string; tone?: string; sample?: string }[] = [
    { key: 'open', value: count(a?.tickets.open) },
    { key: 'newToday', value: count(a?.tickets.newToday) },
    { key: 'overdue', value: count(a?.tickets.overdue), tone: a && a.tickets.overdue > 0 ? 'warn' : undefined },
    {
      key: 'nearDeadline',
      value: count(a?.tickets.nearDeadline),
      tone: a && a.tickets.nearDeadline > 0 ? 'caution' : undefined,
    },
    // 未诉先办: the share of the window's new tickets that grid workers raised before anyone called.
    {
      key: 'proactive',
      value: w && w.created > 0 ? f.percent(w.proactive / w.created) : '—',
      sample: w ? t('kpi.sample', { count: f.number(w.created) }) : undefined,
    },
    rate('responseRate'),
    rate('resolutionRate'),
    rate('satisfactionRate'),
    rate('composite'),
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
    <section
      className="kpi-bar"
      aria-label={t('kpi.label')}
      data-seq={live.seq ?? ''}
      data-area={area}
      data-rates={rates}
    >
      {items.map((i) => (
        <Fragment key={i.key}>
          {/* The window stands before the rates it applies to. */}
          {i.key === 'proactive' && (
            <RateWindowPicker
              rates={rates}
              onRates={onRates}
              label={t('kpi.window')}
              name={(x) => t(`rateWindow.${x}`)}
            />
          )}
          <div className={`kpi ${i.tone ? `kpi--${i.tone}` : ''}`} data-kpi={i.key}>
            <span className="kpi-value">{i.value}</span>
            <span className="kpi-label">{t(`kpi.${i.key}`)}</span>
            {i.sample !== undefined && <span className="kpi-sample">{i.sample}</span>}
          </div>
        </Fragment>
      ))}
    </section>
  );
}

/** The window of the rates: four small buttons, or the window's name alone where it cannot be changed. */
export function RateWindowPicker({
  rates,
  onRates,
  label,
  name,
}: {
  rates: RateWindow;
  onRates: ((w: RateWindow) => void) | undefined;
  label: string;
  name: (w: RateWindow) => string;
}) {
  if (!onRates)
    return (
      <div className="kpi-window kpi-window--fixed" data-rates={rates}>
        {name(rates)}
      </div>
    );
  return (
    <div className="kpi-window" role="radiogroup" aria-label={label}>
      {RATE_WINDOWS.map((x) => (
        <button key={x} type="button" role="radio" aria-checked={x === rates} data-rates={x} onClick={() => onRates(x)}>
          {name(x)}
        </button>
      ))}
    </div>
  );
}
