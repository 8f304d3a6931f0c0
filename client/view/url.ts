// The view a URL stands for: which area is open, which child layer and metric the map shows, which overlays
// are on. Parsing and formatting are pure (tested without a browser); a link reproduces the view exactly.
// Drill-downs push a history entry, so the back button goes up a level; picking a metric replaces it.
import type { AreaKey, AreaLevel } from '../../server/contract/areas';
import { DEFAULT_RATE_WINDOW, RATE_WINDOWS, type RateWindow } from '../../server/contract/live';

/** Child layers of a town that the map can colour (网格 grid cells, 物业 property districts, 林区 forest clusters). */
export const SUB_LAYERS = ['grid', 'property', 'forest'] as const;
export type SubLayer = (typeof SUB_LAYERS)[number];

/** Point overlays drawn over the areas. */
export const OVERLAYS = ['tickets', 'checkpoints', 'rangers', 'coverage'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const METRIC_KEYS = [
  'open',
  'overdue',
  'resolutionRate',
  'satisfactionRate',
  'composite',
  'flood',
  'coverage',
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

export const THEME_NAMES = ['wall', 'day'] as const;
export type ThemeName = (typeof THEME_NAMES)[number];

export interface ViewState {
  /** The open area: the district, a town, or one grid cell / property district / forest cluster of a town. */
  area: AreaKey;
  /** At town level: which of the town's child layers the map colours and the ranking lists. */
  sub: SubLayer;
  metric: MetricKey;
  overlays: readonly Overlay[];
  theme: ThemeName;
  /** The window the rates (and the rankings and map colours made of them) are read in: the month by default. */
  rates: RateWindow;
}

export const DEFAULT_OVERLAYS: readonly Overlay[] = ['tickets', 'checkpoints', 'rangers'];

export function defaultView(root: AreaKey): ViewState {
  return {
    area: root,
    sub: 'grid',
    metric: 'open',
    overlays: DEFAULT_OVERLAYS,
    theme: 'wall',
    rates: DEFAULT_RATE_WINDOW,
  };
}

const AREA_RE = /^(district|town|grid|property|forest):[A-Za-z0-9_.:-]{1,64}$/;
const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T =>
  value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

/** The view of a query string; anything unknown falls back to the default (a broken link still opens). */
export function parseView(search: string, root: AreaKey): ViewState {
  const q = new URLSearchParams(search);
  const d = defaultView(root);
  const area = q.get('area');
  const overlays = q.get('layers');
  const sub = pick(q.get('sub'), SUB_LAYERS, d.sub);
  const areaKey = area !== null && AREA_RE.test(area) ? (area as AreaKey) : d.area;
  return {
    area: areaKey,
    // A child area implies its layer: a link to a forest cluster shows the forest clusters.
    sub: isSubLevel(levelOf(areaKey)) ? (levelOf(areaKey) as SubLayer) : sub,
    metric: pick(q.get('metric'), METRIC_KEYS, d.metric),
    overlays: overlays === null ? d.overlays : OVERLAYS.filter((o) => overlays.split(',').includes(o)),
    theme: pick(q.get('theme'), THEME_NAMES, d.theme),
    rates: pick(q.get('rates'), RATE_WINDOWS, d.rates),
  };
}

/** The query string of a view, with defaults left out so links stay short. */
export function formatView(v: ViewState, root: AreaKey): string {
  const d = defaultView(root);
  const q = new URLSearchParams();
  if (v.area !== d.area) q.set('area', v.area);
  if (v.sub !== d.sub && !isSubLevel(levelOf(v.area))) q.set('sub', v.sub);
  if (v.metric !== d.metric) q.set('metric', v.metric);
  if (v.overlays.join(',') !== d.overlays.join(',')) q.set('layers', v.overlays.join(','));
  if (v.theme !== d.theme) q.set('theme', v.theme);
  if (v.rates !== d.rates) q.set('rates', v.rates);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const levelOf = (key: AreaKey): AreaLevel => key.slice(0, key.indexOf(':')) as AreaLevel;
export const isSubLevel = (level: AreaLevel): level is SubLayer => (SUB_LAYERS as readonly string[]).includes(level);
