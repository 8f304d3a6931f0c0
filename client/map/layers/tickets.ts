// Tickets (工单): points coloured by category family, overdue ones pulsing in a small layer of their own, and
// a heatmap when zoomed out (thousands of points would merge into noise at district scale).
import { HeatmapLayer } from '@deck.gl/aggregation-layers';
import { ScatterplotLayer } from '@deck.gl/layers';
import type { TicketObject } from '../../../server/contract/live';
import { matchesTicket, type TicketFilter } from '../../view/ticket-filter';
import type { ThemeName } from '../../view/url';
import { categoryColor, LAYER_THEMES, OVERDUE_RGBA, type Rgba } from '../palette';

export const TICKETS_ID = 'tickets';
export const TICKET_PULSE_ID = 'tickets-overdue';
export const TICKET_HEATMAP_ID = 'tickets-heatmap';

/** Below this zoom the tickets show as a heatmap (the district fits the screen at ~9.6, a town at ~12). */
export const TICKET_POINTS_MIN_ZOOM = 11;
/** One pulse: the overdue rings grow and fade over this period. */
export const PULSE_PERIOD_MS = 1600;

/** The tickets the map shows: the ones the ticket table shows (the same filter). */
export function ticketsOf(tickets: ReadonlyMap<string, TicketObject>, filter: TicketFilter): TicketObject[] {
  const out: TicketObject[] = [];
  for (const t of tickets.values()) if (matchesTicket(t, filter)) out.push(t);
  return out;
}

export const overdueOf = (tickets: readonly TicketObject[]): TicketObject[] => tickets.filter((t) => t.overdue);

export interface TicketLayerProps {
  /** A new array per tickets version (ticketsOf): deck.gl re-reads the accessors when the array changes. */
  data: readonly TicketObject[];
  theme: ThemeName;
}

export const ticketRadius = (t: Pick<TicketObject, 'urgency'>): number => (t.urgency === 'urgent' ? 5 : 3.5);

/** Rows of a layer's data, end exclusive: what deck.gl recomputes of each attribute. */
export interface RowRange {
  startRow: number;
  endRow: number;
}

/**
 * The rows of a new ticket list that differ from the previous one. The store replaces a changed ticket's
 * object in place, appends a new ticket and drops a closed one, and the list keeps the store's order: a
 * delta (about 12 of 10,000 tickets) leaves most rows as they were, so deck.gl need not recompute every
 * attribute of every ticket. From the first row whose ticket is another one (a ticket dropped or filtered
 * out), every row after it moved, and all of them are recomputed.
 */
export function changedTicketRows(
  next: readonly TicketObject[],
  prev: readonly TicketObject[] | undefined,
): RowRange[] {
  if (!prev) return [{ startRow: 0, endRow: next.length }];
  const ranges: RowRange[] = [];
  const common = Math.min(next.length, prev.length);
  let row = 0;
  while (row < common) {
    if (next[row] === prev[row]) {
      row++;
      continue;
    }
    if (next[row]!.id !== prev[row]!.id) {
      ranges.push({ startRow: row, endRow: next.length });
      return ranges;
    }
    const start = row;
    while (row < common && next[row] !== prev[row] && next[row]!.id === prev[row]!.id) row++;
    ranges.push({ startRow: start, endRow: row });
  }
  if (next.length > common) ranges.push({ startRow: common, endRow: next.length });
  return ranges;
}

export function createTicketLayer(p: TicketLayerProps) {
  return new ScatterplotLayer<TicketObject>({
    id: TICKETS_ID,
    data: p.data,
    getPosition: (t) => t.position,
    getFillColor: (t) => categoryColor(t.category),
    getRadius: ticketRadius,
    radiusUnits: 'pixels',
    stroked: true,
    getLineColor: LAYER_THEMES[p.theme].outline,
    lineWidthUnits: 'pixels',
    getLineWidth: 1,
    pickable: true,
    updateTriggers: { getLineColor: [p.theme] },
    // A new list per tickets version: only its changed rows are recomputed (positions, colours, radii).
    _dataDiff: (next, prev) =>
      changedTicketRows(next as readonly TicketObject[], prev as readonly TicketObject[] | undefined),
  });
}

export interface TicketPulseProps {
  data: readonly TicketObject[];
  /** 0..1 through one pulse. Only uniforms (radiusScale, opacity) follow it: no attribute is recomputed. */
  phase: number;
}

/** Ring radius scale and opacity at a phase of the pulse. */
export function pulseAt(phase: number): { radiusScale: number; opacity: number } {
  const p = phase - Math.floor(phase);
  return { radiusScale: 1 + 1.6 * p, opacity: 0.95 * (1 - p) };
}

export function createTicketPulseLayer(p: TicketPulseProps) {
  const { radiusScale, opacity } = pulseAt(p.phase);
  return new ScatterplotLayer<TicketObject>({
    id: TICKET_PULSE_ID,
    data: p.data,
    getPosition: (t) => t.position,
    getRadius: 6,
    radiusUnits: 'pixels',
    radiusScale,
    opacity,
    filled: false,
    stroked: true,
    getLineColor: OVERDUE_RGBA,
    lineWidthUnits: 'pixels',
    getLineWidth: 2,
    pickable: false,
  });
}

/** Heat from pale amber to red; transparent where there is none, so the choropleth shows beneath. */
const HEAT_RANGE: Rgba[] = [
  [255, 235, 130, 70],
  [255, 205, 70, 140],
  [255, 155, 40, 185],
  [245, 100, 40, 215],
  [225, 45, 45, 235],
  [190, 20, 60, 250],
];

export interface TicketHeatmapProps {
  data: readonly TicketObject[];
}

/**
 * Texels of the heat's weight texture along each side (deck.gl's default is 2048). Every update of the heat
 * (each tickets delta) draws one point per texel to find the largest weight: 4.2 M points at 2048, which a GPU
 * does in a blink and software WebGL in seconds (docs/BENCHMARKS.md). The texture spans the screen, so 512
 * is a texel per 3 screen pixels of a 1600-pixel map, under the 36-pixel splats' blur.
 */
export const HEAT_TEXTURE_SIZE = 512;

/** Overdue tickets weigh more: the heat should point to where the late work is. */
export const heatWeight = (t: Pick<TicketObject, 'overdue'>): number => (t.overdue ? 3 : 1);

export function createTicketHeatmapLayer(p: TicketHeatmapProps) {
  return new HeatmapLayer<TicketObject>({
    id: TICKET_HEATMAP_ID,
    data: p.data,
    getPosition: (t) => t.position,
    getWeight: heatWeight,
    radiusPixels: 36,
    intensity: 1.6,
    threshold: 0.08,
    colorRange: HEAT_RANGE,
    weightsTextureSize: HEAT_TEXTURE_SIZE,
    pickable: false,
  });
}
