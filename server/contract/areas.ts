// Area layers and the area tree: the geography every event is placed on.
// Shared by the server (loader, locate) and the client (map, panels). No Node imports here.
import Type, { type Static } from 'typebox';

/** Canonical coordinate: [longitude, latitude] in WGS84 degrees. */
export const LonLat = Type.Tuple([
  Type.Number({ minimum: -180, maximum: 180 }),
  Type.Number({ minimum: -90, maximum: 90 }),
]);
export type LonLat = Static<typeof LonLat>;

/** Levels of the area tree that carry aggregates (district → town → grid / property / forest). */
export const AreaLevel = Type.Union([
  Type.Literal('district'),
  Type.Literal('town'),
  Type.Literal('grid'),
  Type.Literal('property'),
  Type.Literal('forest'),
]);
export type AreaLevel = Static<typeof AreaLevel>;

/** Layer files in GEO_DIR (data/geo by default), one GeoJSON FeatureCollection each. */
export const LAYER_FILES = {
  district: 'district.geojson',
  towns: 'towns.geojson',
  villages: 'villages.geojson',
  grid: 'grid-cells.geojson',
  property: 'property-districts.geojson',
  forest: 'forest-clusters.geojson',
  patrolPoints: 'patrol-points.geojson',
  rivers: 'rivers.geojson',
  checkpoints: 'checkpoints.geojson',
  neighbors: 'neighbors.geojson',
  landmarks: 'landmarks.geojson',
} as const;
export type LayerName = keyof typeof LAYER_FILES;
export const LAYER_NAMES = Object.keys(LAYER_FILES) as LayerName[];

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const Name = Type.String({ minLength: 1, maxLength: 120 });

// ---- properties per layer (what a deployment's own boundary files must carry) ----

export const DistrictProps = Type.Object({
  id: Id, // admin code, e.g. "110112"
  name: Name,
  source: Type.String(),
  attribution: Type.String(),
});
export type DistrictProps = Static<typeof DistrictProps>;

/** 街道 street, 镇 town, 乡 / 民族乡 township. */
export const TownKind = Type.Union([Type.Literal('street'), Type.Literal('town'), Type.Literal('township')]);
export type TownKind = Static<typeof TownKind>;

export const TownProps = Type.Object({
  id: Id, // 9-digit township code, e.g. "110112004"
  code12: Type.String({ pattern: '^[0-9]{12}$' }),
  name: Name,
  kind: TownKind,
  /** Urban core (dense grid cells, property districts) or rural (1 km cells, forest farms). */
  urban: Type.Boolean(),
  /** Seat of the town government, WGS84. */
  seat: LonLat,
  /** True when the polygon (or the seat) is synthesised rather than an official boundary. */
  synthetic: Type.Boolean(),
  seatSynthetic: Type.Boolean(),
});
export type TownProps = Static<typeof TownProps>;

export const VillageProps = Type.Object({
  id: Id, // 12-digit committee code
  name: Name,
  /** 社区 (居委会, urban community) or 村 (村委会, village). */
  kind: Type.Union([Type.Literal('community'), Type.Literal('village')]),
  townId: Id,
  /** The source lists the committee without a coordinate; its point was placed inside its town. */
  synthetic: Type.Boolean(),
});
export type VillageProps = Static<typeof VillageProps>;

export const GridCellProps = Type.Object({
  id: Id,
  townId: Id,
  name: Name,
  /** Nominal edge of the cell in metres before it was cut at a town border. */
  sizeM: Type.Number({ exclusiveMinimum: 0 }),
  /** Column and row on the district-wide regular grid of that size (for grid-arithmetic lookup). */
  col: Type.Integer({ minimum: 0 }),
  row: Type.Integer({ minimum: 0 }),
  synthetic: Type.Boolean(),
});
export type GridCellProps = Static<typeof GridCellProps>;

/** 业委会 owners' committee, 物管会 property-management committee, or none yet. */
export const CommitteeType = Type.Union([
  Type.Literal('owners_committee'),
  Type.Literal('management_committee'),
  Type.Literal('none'),
]);
export type CommitteeType = Static<typeof CommitteeType>;

export const PropertyDistrictProps = Type.Object({
  id: Id,
  townId: Id,
  name: Name,
  committee: CommitteeType,
  company: Name,
  /** Monthly performance score (履约评价), 0–100. */
  score: Type.Number({ minimum: 0, maximum: 100 }),
  /** Property-management units (管理单元) in the district; optional for a deployment's own files. */
  units: Type.Optional(Type.Integer({ minimum: 1 })),
  /** How many of those units have an owners' committee (业委会) and a management committee (物管会). */
  ownersCommittees: Type.Optional(Type.Integer({ minimum: 0 })),
  managementCommittees: Type.Optional(Type.Integer({ minimum: 0 })),
  synthetic: Type.Boolean(),
});
export type PropertyDistrictProps = Static<typeof PropertyDistrictProps>;

export const ForestClusterProps = Type.Object({
  id: Id,
  townId: Id,
  name: Name,
  /** Forest chief (林长) role that owns the cluster, e.g. 镇级林长. */
  chiefRole: Name,
  /** Area in mu (亩; 1 mu = 666.67 m²), computed from the polygon. */
  areaMu: Type.Number({ exclusiveMinimum: 0 }),
  synthetic: Type.Boolean(),
});
export type ForestClusterProps = Static<typeof ForestClusterProps>;

export const PatrolPointProps = Type.Object({
  id: Id,
  clusterId: Id,
  name: Name,
});
export type PatrolPointProps = Static<typeof PatrolPointProps>;

export const RiverProps = Type.Object({
  id: Id,
  name: Name,
  /** Schematic line drawn by hand, not surveyed geometry. */
  approximate: Type.Boolean(),
  source: Type.String(),
});
export type RiverProps = Static<typeof RiverProps>;

export const WarningColor = Type.Union([
  Type.Literal('none'),
  Type.Literal('blue'),
  Type.Literal('yellow'),
  Type.Literal('orange'),
  Type.Literal('red'),
]);
export type WarningColor = Static<typeof WarningColor>;
export const WARNING_ORDER: readonly WarningColor[] = ['none', 'blue', 'yellow', 'orange', 'red'];

/** Water level (m above datum) at which each warning colour starts; strictly increasing. */
export const LevelThresholds = Type.Object({
  blue: Type.Number(),
  yellow: Type.Number(),
  orange: Type.Number(),
  red: Type.Number(),
});
export type LevelThresholds = Static<typeof LevelThresholds>;

/** A level's warning colour as an index into WARNING_ORDER: the highest threshold at or below it. */
export function warningIndex(th: LevelThresholds, level: number): number {
  if (level >= th.red) return 4;
  if (level >= th.orange) return 3;
  if (level >= th.yellow) return 2;
  if (level >= th.blue) return 1;
  return 0;
}

export const CheckpointProps = Type.Object({
  id: Id,
  name: Name,
  riverId: Id,
  /** gauge: a water-level station; obstruction: a 碍洪点 to be cleared before the flood season. */
  kind: Type.Union([Type.Literal('gauge'), Type.Literal('obstruction')]),
  townId: Id,
  /** Distance (km) from the upstream end of the river as drawn: orders checkpoints downstream. */
  riverKm: Type.Number({ minimum: 0 }),
  /** Normal water level (m) in the dry season. */
  baseLevel: Type.Number(),
  thresholds: LevelThresholds,
  /** 警戒水位 warning level and 保证水位 guaranteed level (m). */
  warningLevel: Type.Number(),
  guaranteedLevel: Type.Number(),
  synthetic: Type.Boolean(),
});
export type CheckpointProps = Static<typeof CheckpointProps>;

export const NeighborProps = Type.Object({
  id: Id,
  name: Name,
});
export type NeighborProps = Static<typeof NeighborProps>;

/** A named park or site (地标): map context, drawn as a point. */
export const LandmarkProps = Type.Object({
  id: Id,
  name: Name,
  kind: Type.Union([Type.Literal('park'), Type.Literal('heritage'), Type.Literal('district')]),
  townId: Id,
  /** Placed by hand from a description, not surveyed: good to a few hundred metres. */
  approximate: Type.Boolean(),
  source: Type.String(),
});
export type LandmarkProps = Static<typeof LandmarkProps>;

/** Properties schema per layer and the geometry types it may hold. */
export const LAYER_SPECS = {
  district: { props: DistrictProps, geometry: ['Polygon', 'MultiPolygon'] },
  towns: { props: TownProps, geometry: ['Polygon', 'MultiPolygon'] },
  villages: { props: VillageProps, geometry: ['Point'] },
  grid: { props: GridCellProps, geometry: ['Polygon', 'MultiPolygon'] },
  property: { props: PropertyDistrictProps, geometry: ['Polygon', 'MultiPolygon'] },
  forest: { props: ForestClusterProps, geometry: ['Polygon', 'MultiPolygon'] },
  patrolPoints: { props: PatrolPointProps, geometry: ['Point'] },
  rivers: { props: RiverProps, geometry: ['LineString', 'MultiLineString'] },
  checkpoints: { props: CheckpointProps, geometry: ['Point'] },
  neighbors: { props: NeighborProps, geometry: ['Polygon', 'MultiPolygon'] },
  landmarks: { props: LandmarkProps, geometry: ['Point'] },
} as const;

export interface LayerPropsMap {
  district: DistrictProps;
  towns: TownProps;
  villages: VillageProps;
  grid: GridCellProps;
  property: PropertyDistrictProps;
  forest: ForestClusterProps;
  patrolPoints: PatrolPointProps;
  rivers: RiverProps;
  checkpoints: CheckpointProps;
  neighbors: NeighborProps;
  landmarks: LandmarkProps;
}

// Minimal GeoJSON shapes, so the contract stays free of Node and of @types/geojson.
export type Position = number[];
export type PolygonGeometry = { type: 'Polygon'; coordinates: Position[][] };
export type MultiPolygonGeometry = { type: 'MultiPolygon'; coordinates: Position[][][] };
export type PointGeometry = { type: 'Point'; coordinates: Position };
export type LineGeometry =
  { type: 'LineString'; coordinates: Position[] } | { type: 'MultiLineString'; coordinates: Position[][] };
export type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;

export interface LayerFeature<P, G = AreaGeometry> {
  type: 'Feature';
  properties: P;
  geometry: G;
}
export interface LayerCollection<P, G = AreaGeometry> {
  type: 'FeatureCollection';
  features: LayerFeature<P, G>[];
}

// ---- the area tree ----

/** Key of an area in the tree: level and id, e.g. "town:110112004", "grid:g250-110112004-0412-0233". */
export type AreaKey = `${AreaLevel}:${string}`;
export const areaKey = (level: AreaLevel, id: string): AreaKey => `${level}:${id}`;

export const AreaNode = Type.Object({
  key: Type.String(),
  level: AreaLevel,
  id: Id,
  name: Name,
  /** Key of the parent (district for towns, the town for grid / property / forest); null at the root. */
  parent: Type.Union([Type.String(), Type.Null()]),
  /** Bounding box [west, south, east, north] for fly-to. */
  bbox: Type.Tuple([Type.Number(), Type.Number(), Type.Number(), Type.Number()]),
});
export type AreaNode = Static<typeof AreaNode>;

export const AreaTree = Type.Object({
  root: Type.String(),
  nodes: Type.Record(Type.String(), AreaNode),
  /** Child keys per parent key, in a stable order (by id). */
  children: Type.Record(Type.String(), Type.Array(Type.String())),
});
export type AreaTree = Static<typeof AreaTree>;
