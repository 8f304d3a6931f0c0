// English strings of the wall namespace; same keys as zh-CN/wall.ts.
import type zh from '../zh-CN/wall';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  title: 'Ops Map · Command wall',
  scene: {
    overview: 'District overview · composite score',
    townOverview: '{{name}} · composite score',
    worst: 'Watch {{rank}}/{{count}} · {{name}} · overdue tickets',
    flood: 'Flood watch · checkpoint warnings',
    forest: 'Forest chief · {{name}} · patrol coverage',
    counter: '{{index}}/{{count}}',
    paused: 'Tour paused',
  },
  link: {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: 'Connection lost, reconnecting…',
    offline: 'Network down',
  },
  freshness: {
    waiting: 'Waiting for data…',
    fresh: 'updated {{seconds}} s ago',
    stale: 'no new data for {{seconds}} s',
    resyncing: 'Resynchronising…',
    offline: 'data from {{seconds}} s ago',
  },
  takeover: {
    label: 'Severe alert',
    raisedAt: 'raised {{time}}',
    waiting: 'Waiting for the duty officer to acknowledge · the tour resumes then',
    queued: '{{count}} more severe alerts waiting',
  },
  rule: {
    flood_warning: 'Flood warning',
    ticket_near_deadline: 'Ticket near deadline',
    ticket_overdue: 'Ticket overdue',
    ticket_surge: 'Ticket surge',
    forest_unpatrolled: 'Forest not patrolled',
    ranger_signal_lost: 'Ranger signal lost',
    fire_risk: 'Fire risk',
    ranger_sos: 'Ranger SOS',
  },
  severity: { info: 'Info', warning: 'Warning', severe: 'Severe' },
};

export default en;
