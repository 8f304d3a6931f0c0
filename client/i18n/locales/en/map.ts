// English strings of the map namespace; same keys as zh-CN/map.ts.
import type zh from '../zh-CN/map';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  loading: 'Loading map…',
  error: 'Map data failed to load · {{message}}',
  controls: {
    label: 'Map layers',
    metric: 'Metric',
    sub: 'Areas',
    overlays: 'Overlays',
  },
  unit: { count: 'count', rate: '%', warning: 'warning level' },
  sub: { grid: 'Grid cells', property: 'Property districts', forest: 'Forest clusters' },
  overlay: { tickets: 'Tickets', checkpoints: 'Flood checkpoints', rangers: 'Rangers', coverage: 'Patrol coverage' },
  legend: {
    noData: 'No data',
    tickets: 'Ticket categories',
    overdue: 'Overdue (pulsing)',
    heatmap: 'Heatmap when zoomed out',
    checkpoints: 'Flood checkpoints',
    gauge: 'Gauge (current level shown)',
    obstruction: 'Flood obstruction',
    rangers: 'Rangers',
    trail: 'Last 30 min trail (older is fainter)',
    incident: 'Forest incident',
    coverage: '100 m cells patrolled today',
  },
  family: {
    environment: 'Environment',
    property: 'Property, heating',
    safety: 'Safety hazards',
    construction: 'Illegal building, compounds',
    traffic: 'Roads, parking, lighting',
    community: 'Markets, noise',
    water: 'Waterlogging',
    other: 'Other',
  },
  ranger: { patrolling: 'Patrolling', idle: 'Off patrol', lost: 'Signal lost' },
  tooltip: {
    noData: 'No data',
    open: '{{count}} open',
    overdue: '{{count}} overdue',
    ticket: 'Ticket',
    overdueTag: 'Overdue',
    urgent: 'Urgent',
    level: 'Level {{level}}',
    noReading: 'No reading yet',
    warningLevel: 'Warning at {{level}}',
    battery: 'Battery {{battery}}',
    lastSeen: 'Last fix {{time}}',
    clickToOpen: 'Click for details',
    cluster: '{{count}} tickets',
    clickToExpand: 'Click to zoom in',
  },
  checkpointKind: { gauge: 'Gauge', obstruction: 'Obstruction' },
};
export default en;
