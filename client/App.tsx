// The page: a header, the live KPI bar of the district, and a full-bleed map. More panels come with the dashboard.
import { useEffect, useMemo, useState, type CSSProperties } from 'react';
import { MapView, type MapSummary } from './map/MapView';
import { THEMES, type ThemeName } from './map/style';
import { useLiveScope } from './live/useLiveScope';
import { KpiBar } from './panels/KpiBar';
import { legendOf, METRICS, type Metric } from './map/metrics';

const DISTRICT_SCOPE = 'district:110112';

const CLOCK_FORMAT = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

function themeFromUrl(): ThemeName {
  const requested = new URLSearchParams(window.location.search).get('theme');
  return requested && requested in THEMES ? (requested as ThemeName) : 'wall';
}

function Clock() {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <time className="clock">{CLOCK_FORMAT.format(now)}</time>;
}

function MetricLegend({ metric, onChange }: { metric: Metric; onChange: (m: Metric) => void }) {
  return (
    <div className="metric-legend" aria-label="专题图例">
      <label className="metric-picker">
        <span>专题</span>
        <select value={metric.key} onChange={(e) => onChange(METRICS.find((m) => m.key === e.target.value) ?? METRICS[0]!)}>
          {METRICS.map((m) => (
            <option key={m.key} value={m.key}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <ul>
        {legendOf(metric).map((row) => (
          <li key={row.label}>
            <span className="legend-swatch" style={{ background: `rgb(${row.color.slice(0, 3).join(',')})` }} />
            {row.label}
            {metric.unit === '件' ? ' 件' : ''}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Legend({ theme }: { theme: ThemeName }) {
  const t = THEMES[theme];
  const items: { label: string; swatch: CSSProperties }[] = [
    { label: '区界', swatch: { borderTop: `3px solid ${t.districtLine}`, height: 0 } },
    { label: '街乡镇界', swatch: { borderTop: `1px solid ${t.townLine}`, height: 0 } },
    { label: '河流', swatch: { borderTop: `2px solid ${t.river}`, height: 0 } },
    { label: '周边区', swatch: { background: t.neighborFill, border: `1px solid ${t.neighborLine}` } },
  ];
  return (
    <ul className="legend" aria-label="图例">
      {items.map((item) => (
        <li key={item.label}>
          <span className="legend-swatch" style={item.swatch} />
          {item.label}
        </li>
      ))}
    </ul>
  );
}

export function App() {
  const [theme] = useState(themeFromUrl);
  const [summary, setSummary] = useState<MapSummary | null>(null);
  const live = useLiveScope(DISTRICT_SCOPE);
  const [metric, setMetric] = useState<Metric>(METRICS[0]!);
  const choropleth = useMemo(
    () => ({ metric, aggregates: live.aggregates, version: live.version }),
    [metric, live.aggregates, live.version],
  );

  return (
    <div className={`app theme-${theme}`}>
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <div>
            <h1>
              运行一张图 <span className="title-sep">·</span> {summary?.districtName || '通州区'}
            </h1>
            <p className="subtitle">北京市通州区 · 城市运行指挥中心 · Ops Map</p>
          </div>
        </div>
        <div className="header-meta">
          <span className={`status ${summary ? 'status--ok' : ''}`}>
            {summary ? `地图就绪 · 街乡镇 ${summary.townCount} 个` : '地图加载中…'}
          </span>
          <Clock />
        </div>
      </header>
      <KpiBar view={live} />
      <main className="app-main">
        <MapView theme={theme} onLoaded={setSummary} choropleth={choropleth} />
        <Legend theme={theme} />
        <MetricLegend metric={metric} onChange={setMetric} />
      </main>
    </div>
  );
}
