// The wall's tour: the scenes it rotates through, in order, and how the URL configures them. Pure: no React,
// no timers (WallApp owns the one timer), so the order and the choice of towns are unit-tested.
//
// district overview (composite) → the N worst towns (each at town level) → flood (checkpoints) → forest
// (forest clusters, patrol coverage). The worst towns and the forest town are chosen from the district's
// aggregates, which the wall only holds while it shows a district scene: the plan is made there and kept
// for the round.
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { DEFAULT_RATE_WINDOW, type AreaAggregate } from '../../server/contract/live';
import { rankAreas } from '../panels/ranking';
import { childrenAt } from '../view/navigation';
import { levelOf, type MetricKey, type Overlay, type SubLayer, type ViewState } from '../view/url';

export const SCENE_KINDS = ['overview', 'worst', 'flood', 'forest'] as const;
export type SceneKind = (typeof SCENE_KINDS)[number];

export const DEFAULT_TOUR_SECONDS = 20;
/** Shorter than this and nobody can read a scene; tests use it to see the tour turn quickly. */
export const MIN_TOUR_SECONDS = 2;
export const MAX_TOUR_SECONDS = 3600;
export const DEFAULT_WORST_TOWNS = 3;
export const MAX_WORST_TOWNS = 10;

export interface TourConfig {
  /** The kinds of scene, in the order shown; `worst` expands to one scene per town. */
  scenes: readonly SceneKind[];
  /** Seconds per scene; 0 holds the first scene (no rotation). */
  seconds: number;
  /** Index (0-based) of the scene the tour opens on. */
  start: number;
  /** How many of the worst towns get a scene. */
  worst: number;
}

const intParam = (q: URLSearchParams, name: string): number | null => {
  const raw = q.get(name);
  if (raw === null || !/^\d{1,6}$/.test(raw.trim())) return null;
  return Number(raw.trim());
};

/**
 * `?tourSeconds=` (default 20; 0 holds the scene), `?scenes=overview,worst,flood,forest` (order and subset),
 * `?scene=N` (1-based, as the screen counts: the scene to open on), `?worst=N` (default 3). Anything unknown
 * falls back to the default: a wall with a mistyped link still tours.
 */
export function parseTourConfig(search: string): TourConfig {
  const q = new URLSearchParams(search);
  const seconds = intParam(q, 'tourSeconds');
  const scene = intParam(q, 'scene');
  const worst = intParam(q, 'worst');
  const asked = (q.get('scenes') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is SceneKind => (SCENE_KINDS as readonly string[]).includes(s));
  const scenes = [...new Set(asked)];
  return {
    scenes: scenes.length > 0 ? scenes : SCENE_KINDS,
    seconds:
      seconds === null
        ? DEFAULT_TOUR_SECONDS
        : seconds === 0
          ? 0
          : Math.min(MAX_TOUR_SECONDS, Math.max(MIN_TOUR_SECONDS, seconds)),
    start: scene === null || scene < 1 ? 0 : scene - 1,
    worst: worst === null ? DEFAULT_WORST_TOWNS : Math.min(MAX_WORST_TOWNS, Math.max(1, worst)),
  };
}

export interface Scene {
  /** Stable for the same place: 'overview', 'worst:town:110112004', 'flood', 'forest:town:…'. */
  id: string;
  kind: SceneKind;
  /** The open area: the wall's own scope, or one town of it. */
  area: AreaKey;
  sub: SubLayer;
  metric: MetricKey;
  overlays: readonly Overlay[];
  /** For a worst-town scene: its place among the worst (1 = worst). */
  rank?: number;
}

/** What the map shows for a scene: a view as the URL would give it, in the dark theme. */
export function sceneView(scene: Scene): ViewState {
  return {
    area: scene.area,
    sub: scene.sub,
    metric: scene.metric,
    overlays: scene.overlays,
    theme: 'wall',
    rates: DEFAULT_RATE_WINDOW,
  };
}

/**
 * The towns of `root` ranked worst first by the month's composite score (ties: more overdue, then more open);
 * when no town has one on enough tickets yet, by overdue tickets. Towns without data are never "worst".
 */
export function worstTowns(
  tree: AreaTree,
  root: AreaKey,
  aggregateOf: (key: AreaKey) => AreaAggregate | undefined,
  n: number,
): AreaKey[] {
  const towns = childrenAt(tree, root, 'town');
  const name = (k: AreaKey) => tree.nodes[k]?.name ?? k;
  for (const metric of ['composite', 'overdue'] as const) {
    // The month's composite (the assessment's window); a town under the sample floor is not "worst".
    const rows = rankAreas(towns, aggregateOf, metric, name).filter(
      (r) => r.rank !== null && r.value !== null && (metric !== 'overdue' || r.value > 0),
    );
    if (rows.length > 0) return rows.slice(0, n).map((r) => r.key);
  }
  return [];
}

/** The forest scene's town: the least patrolled of the towns that have forest clusters (else the most wooded). */
export function forestTown(
  tree: AreaTree,
  root: AreaKey,
  aggregateOf: (key: AreaKey) => AreaAggregate | undefined,
): AreaKey | null {
  const wooded = (levelOf(root) === 'town' ? [root] : childrenAt(tree, root, 'town'))
    .map((key) => ({ key, clusters: childrenAt(tree, key, 'forest').length }))
    .filter((t) => t.clusters > 0);
  if (wooded.length === 0) return null;
  const coverage = (k: AreaKey) => aggregateOf(k)?.patrol.coverageToday ?? null;
  const known = wooded.filter((t) => coverage(t.key) !== null);
  if (known.length > 0) {
    known.sort((a, b) => coverage(a.key)! - coverage(b.key)! || b.clusters - a.clusters);
    return known[0]!.key;
  }
  wooded.sort((a, b) => b.clusters - a.clusters);
  return wooded[0]!.key;
}

/**
 * The scenes of one round for a wall whose scope is `root` (the district, or one town: a town wall has no
 * "worst towns" and shows its own forest clusters). Never empty: the overview stands in for anything that
 * cannot be planned yet.
 */
export function planTour(
  config: TourConfig,
  tree: AreaTree,
  root: AreaKey,
  aggregateOf: (key: AreaKey) => AreaAggregate | undefined,
): Scene[] {
  const district = levelOf(root) === 'district';
  const scenes: Scene[] = [];
  for (const kind of config.scenes) {
    if (kind === 'overview') {
      scenes.push({ id: 'overview', kind, area: root, sub: 'grid', metric: 'composite', overlays: ['tickets'] });
    } else if (kind === 'worst') {
      if (!district) continue;
      worstTowns(tree, root, aggregateOf, config.worst).forEach((town, i) =>
        scenes.push({
          id: `worst:${town}`,
          kind,
          area: town,
          sub: 'grid',
          metric: 'overdue',
          overlays: ['tickets'],
          rank: i + 1,
        }),
      );
    } else if (kind === 'flood') {
      scenes.push({ id: 'flood', kind, area: root, sub: 'grid', metric: 'flood', overlays: ['checkpoints'] });
    } else {
      const town = forestTown(tree, root, aggregateOf);
      // The clusters coloured by today's coverage, the squares walked today over them, rangers on top.
      if (town)
        scenes.push({
          id: `forest:${town}`,
          kind,
          area: town,
          sub: 'forest',
          metric: 'coverage',
          overlays: ['rangers', 'coverage'],
        });
    }
  }
  if (scenes.length === 0)
    scenes.push({
      id: 'overview',
      kind: 'overview',
      area: root,
      sub: 'grid',
      metric: 'composite',
      overlays: ['tickets'],
    });
  return scenes;
}

/** The scene after `index` in a round of `length` (wraps). */
export const nextScene = (index: number, length: number): number => (length <= 0 ? 0 : (index + 1) % length);

/** True when a scene shows the wall's whole scope, so the aggregates on hand can plan the next round. */
export const plansFrom = (scene: Scene, root: AreaKey): boolean => scene.area === root;

export interface TourPosition {
  plan: readonly Scene[];
  index: number;
}

/**
 * A fresh plan for the round, keeping the scene on screen where it is: the wall must not jump because a town
 * moved up the ranking. A scene no longer planned (a town left the worst) gives way to the one at its index.
 */
export function replan(at: TourPosition, fresh: readonly Scene[]): TourPosition {
  const id = at.plan[at.index]?.id;
  const same = fresh.findIndex((s) => s.id === id);
  return { plan: fresh, index: same >= 0 ? same : Math.min(at.index, fresh.length - 1) };
}
