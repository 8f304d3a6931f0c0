// Flood checkpoints (防汛监测点): gauges and 碍洪点 in their warning colour, with the current water level
// written beside each gauge. Positions come from the static layer, state from the live store: the data
// array never changes, a checkpoints delta only re-evaluates colours, sizes and texts (updateTriggers).
import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import {
  WARNING_ORDER,
  type CheckpointProps,
  type LayerCollection,
  type PointGeometry,
} from '../../../server/contract/areas';
import type { CheckpointObject } from '../../../server/contract/live';
import type { ThemeName } from '../../view/url';
import { LAYER_THEMES, WARNING_RGBA, type Rgba } from '../palette';

export const CHECKPOINTS_ID = 'checkpoints';
export const CHECKPOINT_LEVELS_ID = 'checkpoint-levels';

export interface CheckpointSite {
  id: string;
  name: string;
  kind: CheckpointProps['kind'];
  position: [number, number];
  warningLevel: number;
  guaranteedLevel: number;
}

export function checkpointSitesOf(layer: LayerCollection<CheckpointProps, PointGeometry>): CheckpointSite[] {
  return layer.features.map(({ properties: p, geometry }) => ({
    id: p.id,
    name: p.name,
    kind: p.kind,
    position: [geometry.coordinates[0]!, geometry.coordinates[1]!],
    warningLevel: p.warningLevel,
    guaranteedLevel: p.guaranteedLevel,
  }));
}

export interface CheckpointLayerProps {
  sites: readonly CheckpointSite[];
  live: ReadonlyMap<string, CheckpointObject>;
  /** The store's checkpoints version: the only thing that makes the layer re-read the live state. */
  version: number;
  theme: ThemeName;
}

export const checkpointColor = (live: ReadonlyMap<string, CheckpointObject>, id: string): Rgba =>
  WARNING_RGBA[live.get(id)?.color ?? 'none'];

/** A checkpoint in warning grows with its colour, so red reads first on a crowded river. */
export function checkpointRadius(live: ReadonlyMap<string, CheckpointObject>, site: CheckpointSite): number {
  const rank = WARNING_ORDER.indexOf(live.get(site.id)?.color ?? 'none');
  return (site.kind === 'gauge' ? 6 : 4.5) + 1.5 * rank;
}

export function createCheckpointLayer(p: CheckpointLayerProps) {
  return new ScatterplotLayer<CheckpointSite>({
    id: CHECKPOINTS_ID,
    data: p.sites,
    getPosition: (s) => s.position,
    getFillColor: (s) => checkpointColor(p.live, s.id),
    getRadius: (s) => checkpointRadius(p.live, s),
    radiusUnits: 'pixels',
    stroked: true,
    getLineColor: LAYER_THEMES[p.theme].outline,
    lineWidthUnits: 'pixels',
    getLineWidth: 2,
    pickable: true,
    updateTriggers: {
      getFillColor: [p.version],
      getRadius: [p.version],
      getLineColor: [p.theme],
    },
    // No transitions: they read GPU buffers back synchronously on every change (see choropleth.ts).
  });
}

export interface CheckpointLevelProps extends CheckpointLayerProps {
  /** Water level in the page's language ("20.13 m"); changes with the language. */
  formatLevel: (metres: number) => string;
  language: string;
  /** Zoomed in: every gauge's level. Zoomed out: only gauges in warning, or the labels would pile up. */
  allLevels?: boolean;
}

/** Digits, separators and the unit: a fixed atlas, so a new reading never rebuilds the font texture. */
const LEVEL_CHARACTERS = '0123456789.,- m—';

export function levelText(
  live: ReadonlyMap<string, CheckpointObject>,
  site: CheckpointSite,
  format: (m: number) => string,
  allLevels = true,
): string {
  const cp = live.get(site.id);
  if (!cp || cp.level === null) return '';
  return allLevels || cp.color !== 'none' ? format(cp.level) : '';
}

export function createCheckpointLevelLayer(p: CheckpointLevelProps) {
  const theme = LAYER_THEMES[p.theme];
  return new TextLayer<CheckpointSite>({
    id: CHECKPOINT_LEVELS_ID,
    // Obstructions (碍洪点) have no gauge: only gauges carry a level.
    data: p.sites.filter((s) => s.kind === 'gauge'),
    getPosition: (s) => s.position,
    getText: (s) => levelText(p.live, s, p.formatLevel, p.allLevels ?? true),
    getColor: theme.text,
    getSize: 12,
    sizeUnits: 'pixels',
    getPixelOffset: [10, 0],
    getTextAnchor: 'start',
    getAlignmentBaseline: 'center',
    characterSet: LEVEL_CHARACTERS,
    fontFamily: 'Noto Sans CJK SC, Noto Sans SC, sans-serif',
    fontWeight: 600,
    fontSettings: { sdf: true },
    outlineWidth: 3,
    outlineColor: theme.textHalo,
    updateTriggers: {
      getText: [p.version, p.language, p.allLevels ?? true],
      getColor: [p.theme],
    },
  });
}
