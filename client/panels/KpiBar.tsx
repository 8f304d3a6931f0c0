// The KPI header: the three rates and the live counts of the followed scope, with the stream's freshness.
import { useEffect, useState } from 'react';
import type { WarningColor } from '../../server/contract/areas';
import type { LiveView } from '../live/useLiveScope';

const STALE_MS = 10_000;
const COLOR_NAME: Record<WarningColor, string> = { none: '正常', blue: '蓝色', yellow: '黄色', orange: '橙色', red: '红色' };

const pct = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);

function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function KpiBar({ view }: { view: LiveView }) {
  const now = useNow(1000);
  const a = view.scopeAggregate;
  const age = view.receivedAt === null ? null : Math.max(0, Math.round((now - view.receivedAt) / 1000));
  const stale = view.connection !== 'live' || age === null || age * 1000 > STALE_MS;
  const items: { key: string; label: string; value: string; tone?: string }[] = [
    { key: 'open', label: '在办工单', value: a ? String(a.tickets.open) : '—' },
    { key: 'new', label: '今日新增', value: a ? String(a.tickets.newToday) : '—' },
    { key: 'overdue', label: '超期', value: a ? String(a.tickets.overdue) : '—', tone: a && a.tickets.overdue > 0 ? 'warn' : undefined },
    { key: 'response', label: '响应率', value: pct(a?.tickets.responseRate) },
    { key: 'resolution', label: '解决率', value: pct(a?.tickets.resolutionRate) },
    { key: 'satisfaction', label: '满意率', value: pct(a?.tickets.satisfactionRate) },
    { key: 'flood', label: '防汛', value: a ? COLOR_NAME[a.flood.worstColor] : '—', tone: a ? `flood-${a.flood.worstColor}` : undefined },
    { key: 'patrol', label: '在岗护林员', value: a ? String(a.patrol.activeRangers) : '—' },
    { key: 'incidents', label: '林区事件', value: a ? String(a.patrol.openIncidents) : '—' },
  ];
  return (
    <section className="kpi-bar" aria-label="关键指标" data-seq={view.seq ?? ''}>
      {items.map((i) => (
        <div key={i.key} className={`kpi ${i.tone ? `kpi--${i.tone}` : ''}`} data-kpi={i.key}>
          <span className="kpi-value">{i.value}</span>
          <span className="kpi-label">{i.label}</span>
        </div>
      ))}
      <div className={`freshness ${stale ? 'freshness--stale' : ''}`} data-connection={view.connection}>
        {view.connection === 'offline'
          ? '连接中断，正在重连…'
          : age === null
            ? '等待数据…'
            : stale
              ? `数据已 ${age} 秒未更新`
              : `${age} 秒前更新 · 序号 ${view.seq}`}
      </div>
    </section>
  );
}
