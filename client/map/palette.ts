// Colours of the map's layers, apart from the components that draw them (deck.gl example style). Every
// colour here is chosen to read on both the dark wall (#060d18) and the light desk (#eef1f5) basemap;
// where one colour cannot serve both (outlines, text, no-data), the theme picks.
import type { WarningColor } from '../../server/contract/areas';
import type { TicketCategory } from '../../server/contract/events';
import type { RangerObject } from '../../server/contract/live';
import type { ThemeName } from '../view/url';

export type Rgba = [number, number, number, number];

/** Counts: dark blue (quiet) to red (busy). */
export const LOAD: readonly Rgba[] = [
  [28, 58, 94, 255],
  [33, 102, 150, 255],
  [214, 168, 52, 255],
  [232, 110, 44, 255],
  [214, 48, 49, 255],
];
/** Counts on the light desk: the darkest class of LOAD would read as a hole in a pale map. */
export const LOAD_DAY: readonly Rgba[] = [
  [190, 214, 236, 255],
  [110, 166, 214, 255],
  [236, 184, 64, 255],
  [232, 110, 44, 255],
  [200, 36, 40, 255],
];
/** Rates: red (poor) to green (good). */
export const QUALITY: readonly Rgba[] = [
  [214, 48, 49, 255],
  [232, 110, 44, 255],
  [214, 168, 52, 255],
  [64, 160, 110, 255],
  [40, 190, 120, 255],
];

/** Flood warning colours (防汛预警): the official blue / yellow / orange / red; 'none' is a calm teal-grey. */
export const WARNING_RGBA: Readonly<Record<WarningColor, Rgba>> = {
  none: [96, 140, 150, 255],
  blue: [40, 120, 235, 255],
  yellow: [245, 200, 20, 255],
  orange: [255, 128, 0, 255],
  red: [230, 30, 40, 255],
};

/** Areas without data (a rate with nothing rated yet): neutral grey, never a "good" colour. */
export const NO_DATA: Rgba = [70, 80, 96, 255];
export const NO_DATA_DAY: Rgba = [200, 205, 212, 255];

/**
 * Ticket categories in families a duty officer tells apart at a glance: seventeen hues would not be
 * distinguishable on a wall, eight are. The legend lists the families.
 */
export const CATEGORY_FAMILIES = [
  'environment',
  'property',
  'safety',
  'construction',
  'traffic',
  'community',
  'water',
  'other',
] as const;
export type CategoryFamily = (typeof CATEGORY_FAMILIES)[number];

export const FAMILY_OF: Readonly<Record<TicketCategory, CategoryFamily>> = {
  municipal_environment: 'environment',
  sanitation: 'environment',
  waste_sorting: 'environment',
  property_management: 'property',
  heating: 'property',
  safety_hazard: 'safety',
  e_bike: 'safety',
  charging_pile: 'safety',
  illegal_construction: 'construction',
  industrial_compound: 'construction',
  parking: 'traffic',
  road: 'traffic',
  lighting: 'traffic',
  farmers_market: 'community',
  noise: 'community',
  waterlogging: 'water',
  other: 'other',
};

export const FAMILY_RGBA: Readonly<Record<CategoryFamily, Rgba>> = {
  environment: [46, 196, 120, 255],
  property: [160, 110, 240, 255],
  safety: [240, 80, 60, 255],
  construction: [214, 150, 40, 255],
  traffic: [20, 190, 220, 255],
  community: [235, 90, 170, 255],
  water: [50, 120, 255, 255],
  other: [150, 160, 175, 255],
};

export const categoryColor = (c: TicketCategory): Rgba => FAMILY_RGBA[FAMILY_OF[c] ?? 'other'];

/** Overdue tickets pulse in this colour, whatever their category: overdue is what needs a response. */
export const OVERDUE_RGBA: Rgba = [255, 60, 60, 255];

export type RangerState = 'patrolling' | 'idle' | 'lost';
export const RANGER_RGBA: Readonly<Record<RangerState, Rgba>> = {
  patrolling: [60, 220, 150, 255],
  idle: [150, 165, 185, 255],
  lost: [255, 150, 40, 255],
};
export const rangerState = (r: Pick<RangerObject, 'status' | 'signalLost'>): RangerState =>
  r.signalLost ? 'lost' : r.status === 'patrolling' ? 'patrolling' : 'idle';

/** Patrol coverage: walked sub-cells, translucent so the cluster's colour shows through. */
export const VISITED_RGBA: Rgba = [60, 220, 150, 150];

export const INCIDENT_RGBA: Readonly<Record<'low' | 'medium' | 'high', Rgba>> = {
  low: [240, 200, 60, 255],
  medium: [255, 130, 30, 255],
  high: [235, 40, 40, 255],
};

/** What differs between the wall and the desk: outlines, highlights and text over the map. */
export interface LayerTheme {
  /** Ring around points, so they stand off any fill. */
  outline: Rgba;
  /** The selected area's border. */
  selected: Rgba;
  /** Hover highlight of a polygon (added on top by deck.gl). */
  hover: Rgba;
  text: Rgba;
  textHalo: Rgba;
  noData: Rgba;
  load: readonly Rgba[];
}

export const LAYER_THEMES: Readonly<Record<ThemeName, LayerTheme>> = {
  wall: {
    outline: [6, 13, 24, 230],
    selected: [242, 193, 78, 255],
    hover: [255, 255, 255, 60],
    text: [230, 241, 255, 255],
    textHalo: [6, 13, 24, 255],
    noData: NO_DATA,
    load: LOAD,
  },
  day: {
    outline: [255, 255, 255, 240],
    selected: [194, 65, 12, 255],
    hover: [0, 0, 0, 40],
    text: [30, 42, 58, 255],
    textHalo: [255, 255, 255, 255],
    noData: NO_DATA_DAY,
    load: LOAD_DAY,
  },
};

/** CSS colour of an RGBA (legend swatches). */
export const cssColor = ([r, g, b, a]: Rgba): string => `rgba(${r}, ${g}, ${b}, ${(a / 255).toFixed(2)})`;
