// The detail panel's "趋势 / Trends": the area's tickets per day by category (30 days), the three rates per
// week (8 weeks), water levels per checkpoint over a chosen range and patrol coverage per forest cluster per
// day, from GET /api/v1/trends. Only the charts the area has data for (trends.ts decides): a grid cell without
// a checkpoint gets no empty flood axis. Loaded when the area changes, every minute, and a few seconds after
// the area's ticket counts move, throttled like the 24-hour trend (useTrend.ts).
import { useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey } from '../../server/contract/areas';
import { TIME_ZONE } from '../../server/contract/live';
import type { AreaTrends as TrendsBody } from '../../server/contract/trends';
import { EChart } from '../charts/EChart';
import { usePalette } from '../charts/palette';
import { fetchTrends, trendCharts, type FloodRange } from '../charts/trends';
import { coverageOption, floodOption, ratesPerWeekOption, ticketsPerDayOption } from '../charts/trends-options';
import '../styles/trends.css';

const REFRESH_MS = 60_000;
const THROTTLE_MS = 5_000;

function useTrends(area: AreaKey, range: FloodRange, changeKey: string): { data: TrendsBody | null; error: boolean } {
  const [state, setState] = useState<{ data: TrendsBody | null; error: boolean }>({ data: null, error: false });
  const [tick, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const abort = useRef<AbortController | null>(null);

  const load = useCallback(() => {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    fetchTrends(area, range, controller.signal).then(
      (data) => !controller.signal.aborted && setState({ data, error: false }),
      () => !controller.signal.aborted && setState((s) => ({ data: s.data, error: true })),
    );
  }, [area, range]);

  // A new area or flood range: load at once (the charts stay while the same area reloads), refresh by the minute.
  useEffect(() => {
    setState((s) => ({ data: s.data?.area === area ? s.data : null, error: false }));
    load();
    const id = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => {
      clearInterval(id);
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
      abort.current?.abort();
    };
  }, [area, load]);

  // Counts moved or a minute passed: one more load soon (a new area or range cancels it, above); only the
  // counts and the minute schedule it.
  const scheduleLoad = useEffectEvent(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      load();
    }, THROTTLE_MS);
  });
  useEffect(() => {
    if (tick === 0 && changeKey === '') return;
    scheduleLoad();
  }, [changeKey, tick]);

  return state;
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(lng: string, kind: 'day' | 'time'): Intl.DateTimeFormat {
  const key = `${lng}|${kind}`;
  let f = formats.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === 'day'
        ? { timeZone: 'UTC', month: '2-digit', day: '2-digit' }
        : { timeZone: TIME_ZONE, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false };
    formats.set(key, (f = new Intl.DateTimeFormat(lng, opts)));
  }
  return f;
}

export function AreaTrends({ area, changeKey }: { area: AreaKey; changeKey: string }) {
  const { t, i18n } = useTranslation('trends');
  const lng = i18n.language;
  const box = useRef<HTMLElement>(null);
  const palette = usePalette(box);
  const [range, setRange] = useState<FloodRange>('day');
  const { data, error } = useTrends(area, range, changeKey);

  const options = useMemo(() => {
    if (!data || data.area !== area) return null;
    // A local date ("2026-07-20") is a calendar label, not an instant: formatted as UTC it cannot shift a day.
    const day = (d: string) => format(lng, 'day').format(Date.parse(`${d}T00:00:00Z`));
    const kinds = trendCharts(data);
    return {
      ticketsPerDay: ticketsPerDayOption(data.days, palette, {
        category: (c) => t(`category.${c}`, { ns: 'common' }),
        day,
      }),
      ratesPerWeek: ratesPerWeekOption(data.weeks, palette, {
        responseRate: t('kpi.responseRate', { ns: 'common' }),
        resolutionRate: t('kpi.resolutionRate', { ns: 'common' }),
        satisfactionRate: t('kpi.satisfactionRate', { ns: 'common' }),
        week: (from, to) => t('week', { from: day(from), to: day(to) }),
      }),
      flood: kinds.includes('flood')
        ? floodOption(data.flood, palette, {
            warning: (w) => t(`warning.${w}`, { ns: 'common' }),
            time: (ms) => format(lng, 'time').format(ms),
          })
        : null,
      coverage: kinds.includes('coverage') ? coverageOption(data.coverage, palette, { day }) : null,
      floodEmpty: data.flood.checkpoints.every((c) => c.points.length === 0),
    };
  }, [data, area, palette, lng, t]);

  return (
    <section ref={box} className="detail-section detail-trends" data-trends={area}>
      <h3>{t('title')}</h3>
      {!options ? (
        <p className="panel-empty">{error ? t('error') : t('loading')}</p>
      ) : (
        <>
          <h4>{t('ticketsPerDay')}</h4>
          <EChart
            option={options.ticketsPerDay}
            className="chart chart--trends"
            label={t('ticketsPerDayLabel')}
            kind="tickets-per-day"
          />
          <h4>
            {t('ratesPerWeek')}
            <span className="detail-note">{t('ratesNote')}</span>
          </h4>
          <EChart
            option={options.ratesPerWeek}
            className="chart chart--trends"
            label={t('ratesPerWeekLabel')}
            kind="rates-per-week"
          />
          {options.flood && (
            <>
              <h4>
                {t('flood')}
                <label className="detail-note">
                  {t('floodRange')}{' '}
                  <select value={range} onChange={(e) => setRange(e.target.value as FloodRange)} data-trends-range>
                    <option value="day">{t('range.day')}</option>
                    <option value="week">{t('range.week')}</option>
                  </select>
                </label>
              </h4>
              {options.floodEmpty ? (
                <p className="panel-empty">{t('noReadings')}</p>
              ) : (
                <EChart
                  option={options.flood}
                  className="chart chart--trends"
                  label={t('floodLabel')}
                  kind="flood-levels"
                />
              )}
            </>
          )}
          {options.coverage && (
            <>
              <h4>{t('coverage')}</h4>
              <EChart
                option={options.coverage}
                className="chart chart--trends"
                label={t('coverageLabel')}
                kind="coverage-per-day"
              />
            </>
          )}
        </>
      )}
    </section>
  );
}
