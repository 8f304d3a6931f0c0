// Namespace landing: the town leader's landing. Same keys as zh-CN/landing.ts.
import type zh from '../zh-CN/landing';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  label: 'Town overview',
  title: '{{town}} · Overview',
  asOf: 'As of {{time}}',
  openMap: 'Open the map',
  floor:
    'Rates over the chosen window; villages and cells with fewer than {{count}} verdicts or ratings come last, unranked',
  loading: 'Loading…',
  error: 'Could not load: {{message}}',
  kpi: {
    label: 'Town KPIs and the district average',
    district: 'District avg {{value}}',
    better: 'better than the district average',
    worse: 'worse than the district average',
    level: 'level with the district average',
    none: 'nothing to compare yet',
    note: 'Rates and composite: the district as a whole; ticket counts: the district total per town.',
  },
  units: {
    title: 'Villages and communities',
    subtitle: 'Lowest composite first, then most overdue',
    empty: 'No village data yet',
    cells: '{{count}} grid cells',
    kind: { community: 'Community', village: 'Village' },
  },
  cells: { title: 'Grid cells', subtitle: 'Worst {{shown}} of {{total}}' },
  column: { composite: 'Composite', overdue: 'Overdue', open: 'Open', sample: 'Composite, on {{count}} tickets' },
  overdue: {
    title: 'Overdue tickets',
    subtitle: '{{total}} in all, longest overdue first',
    empty: 'No overdue tickets',
    late: '{{text}} late',
    days: '{{count}} d',
    hours: '{{count}} h',
    minutes: '{{count}} min',
    more: '{{count}} more not listed',
  },
  week: {
    title: 'Worse this week',
    subtitle: 'New tickets in the last 7 days against the 7 days before',
    total: '{{thisWeek}} in the last 7 days, {{previous}} the 7 days before',
    byCategory: 'By category',
    byUnit: 'Villages that rose most',
    empty: 'Nothing rose',
    pair: '{{thisWeek}} (before {{previous}})',
  },
  streaks: {
    title: 'Zero complaints',
    subtitle: 'Villages without a new ticket, longest streak first',
    empty: 'No village on a streak yet',
    days: '{{count}} d',
    months: 'about {{count}} months',
  },
};
export default en;
