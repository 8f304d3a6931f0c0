// Shared strings: header, connection state, breadcrumb, toggles. Same keys as zh-CN/common.ts.
import type zh from '../zh-CN/common';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  title: 'Ops Map',
  subtitle: 'Tongzhou District, Beijing · City Operations Command Center',
  documentTitle: 'Ops Map · {{name}}',
  language: { toggle: '中文', label: 'Switch to Chinese' },
  theme: { wall: 'Wall', day: 'Desk', label: 'Theme' },
  connection: {
    connecting: 'Connecting…',
    live: 'Live',
    offline: 'Connection lost, reconnecting…',
    waiting: 'Waiting for data…',
    fresh: 'updated {{seconds}} s ago',
    stale: 'no data for {{seconds}} s',
    seq: 'seq {{seq}}',
    resyncing: 'Resynchronising…',
  },
  map: { loading: 'Loading map…', ready: 'Map ready', error: 'Map data failed to load · {{message}}' },
  breadcrumb: { label: 'Area levels', up: 'Up one level' },
  notFound: 'Unknown area: {{area}}; showing the whole district',
  refused: 'Not in your area: {{message}}',
  level: { district: 'District', town: 'Town', grid: 'Grid cells', property: 'Property districts', forest: 'Forest clusters' },
  kpi: {
    label: 'Key figures',
    open: 'Open tickets',
    newToday: 'New today',
    overdue: 'Overdue',
    nearDeadline: 'Near deadline',
    responseRate: 'Response',
    resolutionRate: 'Resolution',
    satisfactionRate: 'Satisfaction',
    composite: 'Composite',
    flood: 'Flood',
    activePatrols: 'Rangers out',
    incidents: 'Forest incidents',
  },
  warning: { none: 'Normal', blue: 'Blue', yellow: 'Yellow', orange: 'Orange', red: 'Red' },
};
export default en;
