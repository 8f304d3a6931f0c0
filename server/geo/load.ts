// Loads the area layers from GEO_DIR and refuses to start on a broken or inconsistent file, naming the file, the
// feature and the problem. A deployment brings its own boundaries this way (docs: data/SOURCES.md).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
// The two turf modules by themselves: the whole of @turf/turf took ~0.8 s of every server start to import.
import { bbox } from '@turf/bbox';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Feature, MultiPolygon, Polygon } from 'geojson';
import {
  areaKey,
  LAYER_FILES,
  LAYER_NAMES,
  LAYER_SPECS,
  type AreaLevel,
  type AreaNode,
  type AreaTree,
  type LayerCollection,
  type LayerName,
  type LayerPropsMap,
} from '../contract/areas';
import { checker } from '../contract/validate';
import { geometryProblem } from './geometry';
import { interiorPoint } from './interior';

/** A layer of any kind, while it is read and checked. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the kind is known only after the check.
type AnyLayer = LayerCollection<any, any>;

// Each layer has its own geometry (points, lines, polygons), checked at load by geometryProblem; readers narrow
// it where they use it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above.
export type GeoLayers = { [K in LayerName]: LayerCollection<LayerPropsMap[K], any> };
export interface Geo {
  dir: string;
  layers: GeoLayers;
  tree: AreaTree;
}

export class GeoLoadError extends Error {
  override name = 'GeoLoadError';
  constructor(readonly problems: string[]) {
    super(
      `geography is not usable:\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? `\n  … and ${problems.length - 20} more` : ''}`,
    );
  }
}

/** Layers whose features reference a town by `townId` and must lie inside it. */
const IN_TOWN: LayerName[] = ['villages', 'grid', 'property', 'forest', 'checkpoints', 'landmarks'];
/** Context layers a deployment's own folder may leave out: a missing file reads as an empty layer. */
const OPTIONAL: LayerName[] = ['landmarks'];
/** Layers that are context around the district and may lie outside it. */
const OUTSIDE_ALLOWED: LayerName[] = ['neighbors', 'rivers', 'district'];
/** Half a metre: the rounding of the published files; a representative point is never that close to an edge. */
const TOLERANCE_DEG = 0.001;

const checkers = Object.fromEntries(LAYER_NAMES.map((n) => [n, checker(LAYER_SPECS[n].props)])) as {
  [K in LayerName]: ReturnType<typeof checker>;
};

async function readLayer(dir: string, name: LayerName, problems: string[]): Promise<AnyLayer | null> {
  const file = LAYER_FILES[name];
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && OPTIONAL.includes(name)) return { type: 'FeatureCollection', features: [] };
    problems.push(`${file}: cannot be read (${code ?? String(e)})`);
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    problems.push(`${file}: not valid JSON (${(e as Error).message})`);
    return null;
  }
  const fc = json as { type?: unknown; features?: unknown };
  if (fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    problems.push(`${file}: not a GeoJSON FeatureCollection`);
    return null;
  }
  const ok: unknown[] = [];
  const seen = new Set<string>();
  fc.features.forEach((f: unknown, i: number) => {
    const feature = f as { type?: unknown; properties?: unknown; geometry?: unknown };
    const id = (feature?.properties as { id?: unknown } | null)?.id;
    const label = `${file}: feature ${i}${typeof id === 'string' ? ` (id ${id})` : ''}`;
    if (feature?.type !== 'Feature') return problems.push(`${label}: not a GeoJSON Feature`);
    const props = checkers[name](feature.properties);
    if (!props.ok) {
      return problems.push(
        `${label}: ${props.errors.map((e) => `property ${e.path || '(root)'} ${e.message}`).join('; ')}`,
      );
    }
    const geo = geometryProblem(feature.geometry, LAYER_SPECS[name].geometry);
    if (geo) return problems.push(`${label}: ${geo}`);
    if (seen.has(id as string)) return problems.push(`${label}: duplicate id ${id as string}`);
    seen.add(id as string);
    ok.push(feature);
  });
  return { type: 'FeatureCollection', features: ok as AnyLayer['features'] };
}

type Area = Feature<Polygon | MultiPolygon>;

/** A point that lies on the feature (for polygons, inside it), used to test where the feature sits. */
function anchor(f: AnyLayer['features'][number]): number[] {
  if (f.geometry.type === 'Point') return f.geometry.coordinates as number[];
  return interiorPoint(f.geometry);
}

function checkPlacement(layers: GeoLayers, problems: string[]): void {
  const district = layers.district.features[0] as Area | undefined;
  if (!district) return void problems.push(`${LAYER_FILES.district}: holds no district feature`);
  if (layers.district.features.length > 1) problems.push(`${LAYER_FILES.district}: must hold exactly one feature`);
  const [w, s, e, n] = bbox(district);
  const towns = new Map(layers.towns.features.map((t) => [t.properties.id, t as unknown as Area]));
  const clusters = new Map(layers.forest.features.map((c) => [c.properties.id, c as unknown as Area]));
  const rivers = new Set(layers.rivers.features.map((r) => r.properties.id));

  for (const name of LAYER_NAMES) {
    if (OUTSIDE_ALLOWED.includes(name)) continue;
    const file = LAYER_FILES[name];
    for (const f of layers[name].features) {
      const label = `${file}: feature ${f.properties.id}`;
      const [fw, fs, fe, fn] = bbox(f as never);
      const p = anchor(f);
      if (
        fw < w - TOLERANCE_DEG ||
        fs < s - TOLERANCE_DEG ||
        fe > e + TOLERANCE_DEG ||
        fn > n + TOLERANCE_DEG ||
        !booleanPointInPolygon(p, district)
      ) {
        problems.push(`${label}: feature outside the district`);
        continue;
      }
      if (IN_TOWN.includes(name)) {
        const townId = (f.properties as { townId: string }).townId;
        const town = towns.get(townId);
        if (!town) problems.push(`${label}: unknown town ${townId}`);
        else if (!booleanPointInPolygon(p, town)) problems.push(`${label}: lies outside its town ${townId}`);
      }
      if (name === 'patrolPoints') {
        const clusterId = (f.properties as LayerPropsMap['patrolPoints']).clusterId;
        const cluster = clusters.get(clusterId);
        if (!cluster) problems.push(`${label}: unknown forest cluster ${clusterId}`);
        else if (!booleanPointInPolygon(p, cluster))
          problems.push(`${label}: lies outside its forest cluster ${clusterId}`);
      }
      if (name === 'checkpoints') {
        const riverId = (f.properties as LayerPropsMap['checkpoints']).riverId;
        if (!rivers.has(riverId)) problems.push(`${label}: unknown river ${riverId}`);
        const t = (f.properties as LayerPropsMap['checkpoints']).thresholds;
        if (!(t.blue < t.yellow && t.yellow < t.orange && t.orange < t.red)) {
          problems.push(`${label}: thresholds must rise blue < yellow < orange < red`);
        }
      }
    }
  }
}

const bbox4 = (f: unknown): [number, number, number, number] => bbox(f as never) as [number, number, number, number];

/** The area tree: district → towns → grid cells, property districts and forest clusters of each town. */
export function buildTree(layers: GeoLayers): AreaTree {
  const nodes: Record<string, AreaNode> = {};
  const children: Record<string, string[]> = {};
  const district = layers.district.features[0]!;
  const root = areaKey('district', district.properties.id);
  nodes[root] = {
    key: root,
    level: 'district',
    id: district.properties.id,
    name: district.properties.name,
    parent: null,
    bbox: bbox4(district),
  };
  const add = (level: AreaLevel, f: { properties: { id: string; name: string } }, parent: string) => {
    const key = areaKey(level, f.properties.id);
    nodes[key] = { key, level, id: f.properties.id, name: f.properties.name, parent, bbox: bbox4(f) };
    (children[parent] ??= []).push(key);
  };
  for (const t of layers.towns.features) add('town', t, root);
  for (const [level, layer] of [
    ['grid', layers.grid],
    ['property', layers.property],
    ['forest', layers.forest],
  ] as const) {
    for (const f of layer.features) add(level, f, areaKey('town', f.properties.townId));
  }
  for (const list of Object.values(children)) list.sort();
  return { root, nodes, children };
}

/** Reads and validates every layer in dir; throws GeoLoadError naming file, feature and problem. */
export async function loadGeo(dir: string): Promise<Geo> {
  const problems: string[] = [];
  const entries = await Promise.all(LAYER_NAMES.map(async (n) => [n, await readLayer(dir, n, problems)] as const));
  if (problems.length > 0) throw new GeoLoadError(problems);
  const layers = Object.fromEntries(entries) as GeoLayers;
  checkPlacement(layers, problems);
  if (problems.length > 0) throw new GeoLoadError(problems);
  return { dir, layers, tree: buildTree(layers) };
}
