// The wall's tour on the real area tree: the URL configures it, the scenes come in the documented order, the
// worst towns are the ones with the lowest composite (or most overdue), the forest scene opens forest clusters,
// and a new plan for the round never moves the scene on screen.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import type { AreaAggregate } from '../../server/contract/live';
import { loadGeo } from '../../server/geo/load';
import { place } from '../../client/view/navigation';
import {
  DEFAULT_TOUR_SECONDS,
  MIN_TOUR_SECONDS,
  SCENE_KINDS,
  forestTown,
  nextScene,
  parseTourConfig,
  planTour,
  replan,
  sceneView,
  worstTowns,
} from '../../client/wall/tour';
import { GEO_DIR } from '../helpers/paths';

let tree: AreaTree;
let root: AreaKey;
let towns: AreaKey[];
beforeAll(async () => {
  tree = (await loadGeo(GEO_DIR)).tree;
  root = tree.root as AreaKey;
  towns = tree.children[root]!.filter((k) => k.startsWith('town:')) as AreaKey[];
});

const townNamed = (name: string) =>
  Object.values(tree.nodes).find((n) => n.level === 'town' && n.name === name)!.key as AreaKey;

/** An aggregate with only the figures the tour reads. */
function agg(
  key: AreaKey,
  figures: { composite?: number | null; overdue?: number; coverage?: number | null; sample?: number } = {},
): AreaAggregate {
  return {
    key,
    level: 'town',
    // The tour ranks by the month's composite, on enough verdicts and ratings to be ranked.
    tickets: {
      open: 0,
      overdue: figures.overdue ?? 0,
      month: {
        composite: figures.composite ?? null,
        sample: { response: 30, resolution: figures.sample ?? 30, satisfaction: figures.sample ?? 30 },
      },
    },
    patrol: { coverageToday: figures.coverage ?? null },
    flood: { worstColor: 'none' },
  } as unknown as AreaAggregate;
}
const lookup = (rows: AreaAggregate[]) => {
  const m = new Map(rows.map((a) => [a.key, a]));
  return (k: AreaKey) => m.get(k);
};

describe('the tour configuration in the URL', () => {
  it('defaults to every scene, 20 s each, from the first', () => {
    expect(parseTourConfig('')).toEqual({ scenes: SCENE_KINDS, seconds: DEFAULT_TOUR_SECONDS, start: 0, worst: 3 });
  });

  it('takes the scenes in the order given, the seconds, the 1-based start scene and the number of worst towns', () => {
    expect(parseTourConfig('?scenes=flood,overview,flood&tourSeconds=45&scene=2&worst=5')).toEqual({
      scenes: ['flood', 'overview'],
      seconds: 45,
      start: 1,
      worst: 5,
    });
  });

  it('holds the scene with tourSeconds=0 and keeps a scene readable however short it is asked', () => {
    expect(parseTourConfig('?tourSeconds=0').seconds).toBe(0);
    expect(parseTourConfig('?tourSeconds=1').seconds).toBe(MIN_TOUR_SECONDS);
  });

  it('falls back to the defaults for anything it does not know', () => {
    expect(parseTourConfig('?scenes=bogus,,&tourSeconds=-3&scene=x&worst=abc')).toEqual(parseTourConfig(''));
  });
});

describe('the scenes of a round', () => {
  it('goes district overview → the worst towns → flood → forest', () => {
    const rows = towns.map((k, i) => agg(k, { composite: 0.5 + i / 100 }));
    const plan = planTour(parseTourConfig(''), tree, root, lookup(rows));
    expect(plan.map((s) => s.kind)).toEqual(['overview', 'worst', 'worst', 'worst', 'flood', 'forest']);
    expect(plan[0]).toMatchObject({ area: root, metric: 'composite' });
    expect(plan.slice(1, 4).map((s) => s.area)).toEqual(towns.slice(0, 3));
    expect(plan.slice(1, 4).map((s) => s.rank)).toEqual([1, 2, 3]);
    expect(plan[4]).toMatchObject({ area: root, metric: 'flood', overlays: ['checkpoints'] });
    const forest = plan[5]!;
    expect(forest).toMatchObject({ metric: 'coverage', sub: 'forest', overlays: ['rangers', 'coverage'] });
    // The forest scene opens a town at the level of its forest clusters.
    const p = place(tree, sceneView(forest));
    expect(p.level).toBe('forest');
    expect(p.areas.length).toBeGreaterThan(0);
    expect(p.areas.every((k) => k.startsWith('forest:'))).toBe(true);
  });

  it('each worst-town scene follows the town at grid level, so the socket follows the town', () => {
    const plan = planTour(
      parseTourConfig('?scenes=worst&worst=2'),
      tree,
      root,
      lookup(towns.map((k, i) => agg(k, { composite: 0.9 - i / 100 }))),
    );
    expect(plan).toHaveLength(2);
    for (const s of plan) {
      const p = place(tree, sceneView(s));
      expect(p.scope).toBe(s.area);
      expect(p.level).toBe('grid');
    }
    // Lowest composite first: the last towns of the list.
    expect(plan.map((s) => s.area)).toEqual([towns[towns.length - 1], towns[towns.length - 2]]);
  });

  it('shows the overview when nothing else can be planned yet', () => {
    const plan = planTour(parseTourConfig('?scenes=worst'), tree, root, () => undefined);
    expect(plan.map((s) => s.kind)).toEqual(['overview']);
  });

  it('a town wall has no worst towns and tours its own town', () => {
    const town = townNamed('永乐店镇');
    const plan = planTour(parseTourConfig(''), tree, town, () => undefined);
    expect(plan.map((s) => s.kind)).toEqual(['overview', 'flood', 'forest']);
    expect(plan.every((s) => s.area === town)).toBe(true);
  });
});

describe('the worst towns and the forest town', () => {
  it('never shows a town as worst on a composite of a handful of tickets', () => {
    const [a, b] = towns;
    const got = worstTowns(
      tree,
      root,
      lookup([agg(a!, { composite: 0.8 }), agg(b!, { composite: 0.1, sample: 3 })]),
      3,
    );
    expect(got).toEqual([a]);
  });

  it('ranks by the lowest composite, towns without a score never count as worst', () => {
    const [a, b, c] = towns;
    const got = worstTowns(
      tree,
      root,
      lookup([agg(a!, { composite: 0.8 }), agg(b!, { composite: 0.6 }), agg(c!, { composite: null, overdue: 40 })]),
      3,
    );
    expect(got).toEqual([b, a]);
  });

  it('ranks by overdue tickets when no town has a composite yet, and never picks a town with none overdue', () => {
    const [a, b, c] = towns;
    const got = worstTowns(
      tree,
      root,
      lookup([agg(a!, { overdue: 2 }), agg(b!, { overdue: 9 }), agg(c!, { overdue: 0 })]),
      3,
    );
    expect(got).toEqual([b, a]);
  });

  it('picks the least patrolled of the towns with forest clusters', () => {
    const wooded = towns.filter((k) => (tree.children[k] ?? []).some((c) => c.startsWith('forest:')));
    expect(wooded.length).toBeGreaterThan(1);
    const rows = wooded.map((k, i) => agg(k, { coverage: 0.9 - i / 50 }));
    expect(forestTown(tree, root, lookup(rows))).toBe(wooded[wooded.length - 1]);
    const bare = towns.find((k) => !wooded.includes(k));
    if (bare) expect(forestTown(tree, root, lookup([agg(bare, { coverage: 0 })]))).not.toBe(bare);
  });
});

describe('moving through a round', () => {
  it('wraps at the end', () => {
    expect([0, 1, 2].map((i) => nextScene(i, 3))).toEqual([1, 2, 0]);
  });

  it('a new plan keeps the scene on screen where it is, even when the list around it changed', () => {
    const before = planTour(
      parseTourConfig(''),
      tree,
      root,
      lookup(towns.map((k, i) => agg(k, { composite: 0.5 + i / 100 }))),
    );
    const floodAt = before.findIndex((s) => s.kind === 'flood');
    // A round with only one worst town: the flood scene moved up the list.
    const after = planTour(
      parseTourConfig('?worst=1'),
      tree,
      root,
      lookup(towns.map((k, i) => agg(k, { composite: 0.5 + i / 100 }))),
    );
    const moved = replan({ plan: before, index: floodAt }, after);
    expect(moved.plan[moved.index]?.kind).toBe('flood');
    expect(moved.index).toBe(floodAt - 2);
    // A scene that left the plan gives way to the one at its place.
    const gone = replan({ plan: before, index: 3 }, after);
    expect(gone.index).toBe(3);
  });
});
