// Namespace trends: the detail panel's trends (tickets per day, the three rates per week, water levels,
// patrol coverage). Same keys as zh-CN/trends.ts.
import type zh from '../zh-CN/trends';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  title: 'Trends',
  loading: 'Loading trends…',
  error: 'Could not load the trends; retrying shortly',
  ticketsPerDay: 'Tickets per day, last 30 days (by category)',
  ticketsPerDayLabel: 'New tickets per day over the last 30 days, stacked by category',
  ratesPerWeek: 'The three rates per week',
  ratesPerWeekLabel: 'Response, resolution and satisfaction rates per week over the last 8 weeks',
  ratesNote: 'A week = the 7 calendar days up to today; same definitions as the KPIs',
  flood: 'Water levels',
  floodLabel: 'Water level per checkpoint over the chosen range (highest per slice)',
  floodRange: 'Range',
  range: { day: 'Last 24 h', week: 'Last 7 days' },
  noReadings: 'No readings in the chosen range',
  coverage: 'Patrol coverage per day',
  coverageLabel: 'Daily patrol coverage per forest cluster over the last 30 days',
  week: '{{from}}–{{to}}',
};

export default en;
