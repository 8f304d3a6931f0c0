// The brief page's small pure helpers (tested without a browser) and its link from the other screens.
import type { TFunction } from 'i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { inScope } from '../../server/contract/auth';

/** ?area=…&date=… of the brief (no date: the server's yesterday). */
export function briefSearch(area: AreaKey, date: string | null): string {
  const p = new URLSearchParams({ area });
  if (date) p.set('date', date);
  return `?${p.toString()}`;
}

/** The area whose brief a screen showing `area` links to: its town, or the district; never outside the scope. */
export function briefAreaFor(tree: Pick<AreaTree, 'root' | 'nodes'>, scope: AreaKey, area: AreaKey): AreaKey {
  const node = tree.nodes[area];
  let target = (node?.level === 'district' || node?.level === 'town' ? area : (node?.parent ?? tree.root)) as AreaKey;
  if (tree.nodes[target]?.level !== 'town' && tree.nodes[target]?.level !== 'district') target = tree.root as AreaKey;
  return inScope(tree, scope, target) ? target : scope;
}

/** 未诉先办 of a day: the share of its new tickets a grid worker raised first; null when none was created. */
export function proactiveShare(d: { created: number; proactive: number }): number | null {
  return d.created > 0 ? d.proactive / d.created : null;
}

/** A rate's change in percentage points; an em dash when either side has no data. */
export function rateChange(now: number | null, before: number | null): string {
  if (now === null || before === null) return '—';
  const pp = Math.round((now - before) * 1000) / 10;
  return pp === 0 ? '±0 pp' : `${pp > 0 ? '+' : '−'}${Math.abs(pp).toFixed(1)} pp`;
}

/** A wait or a lateness in the largest unit that reads well: seconds under a minute, then minutes, hours, days. */
export function duration(t: TFunction, ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return t('brief:duration.seconds', { count: s });
  const m = Math.round(ms / 60_000);
  if (m < 120) return t('brief:duration.minutes', { count: m });
  const h = Math.round(ms / 3_600_000);
  if (h < 48) return t('brief:duration.hours', { count: h });
  return t('brief:duration.days', { count: Math.round(ms / 86_400_000) });
}
