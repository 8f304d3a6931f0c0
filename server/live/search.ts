// The search box's index: every named place of the geography (towns, communities and villages, grid cells,
// property districts, forest clusters, checkpoints, patrol points), built once at start, and the live objects
// (open tickets, rangers and their trackers) handed in per query. Pure: no I/O, no clock; the route hands it the
// asker's scope and the live objects, and every hit is checked against the scope here as well, so a town leader
// never sees another town's ticket or ranger even if a caller passes the district's objects.
import { pinyin } from 'pinyin-pro';
import type { AreaKey, AreaTree, LonLat } from '../contract/areas';
import { inScope } from '../contract/auth';
import type { Place } from '../contract/events';
import type { RangerObject, TicketObject } from '../contract/live';
import type { SearchHit, SearchKind } from '../contract/search';
import type { Geo } from '../geo/load';

/** Live objects to search besides the places; the route passes those of the asker's scope. */
export interface LiveCandidates {
  tickets: Iterable<TicketObject>;
  rangers: Iterable<RangerObject>;
}

export interface SearchQuery {
  q: string;
  scope: AreaKey;
  limit: number;
  live?: LiveCandidates;
}

export interface SearchIndex {
  /** Number of places indexed (for the start log). */
  readonly size: number;
  search(query: SearchQuery): SearchHit[];
}

interface Entry {
  hit: SearchHit;
  /** The area the entry lies in, for the scope check. */
  within: string;
  /** Normalised name and id. */
  name: string;
  id: string;
  /**
   * First letters of the name's pinyin (老槐庄村 → lhzc); '' for a name without Chinese. Filled on the first
   * query typed in letters: working out ~3,000 names' pinyin took a third of a second of every start.
   */
  initials: string;
}

/** Full-width digits and letters (what an IME often types) as ASCII, lower case, no spaces. */
export function normalise(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
}

const HAN = /\p{Script=Han}/u;
function initialsOf(name: string): string {
  if (!HAN.test(name)) return '';
  // Only letters and digits count: '中仓街道·8号网格' → 'zcjd8hwg', so '·' never has to be typed.
  return pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' })
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** Kinds in the order a tie is shown: what a duty officer looks for most often first. */
const KIND_ORDER: Record<SearchKind, number> = {
  ticket: 0,
  town: 1,
  village: 2,
  ranger: 3,
  checkpoint: 4,
  forest: 5,
  property: 6,
  grid: 7,
  patrolPoint: 8,
};

/**
 * How well an entry fits (lower is better), or -1 when it does not: exact id or name, then a prefix of either,
 * then a prefix of the pinyin initials, then anything inside the name or id.
 */
function rank(e: Pick<Entry, 'name' | 'id' | 'initials'>, q: string, ascii: boolean): number {
  if (e.id === q || e.name === q) return 0;
  if (e.name.startsWith(q) || e.id.startsWith(q)) return 1;
  if (ascii && e.initials.startsWith(q)) return 2;
  if (e.name.includes(q)) return 3;
  if (q.length >= 3 && e.id.includes(q)) return 4;
  if (ascii && q.length >= 2 && e.initials.includes(q)) return 5;
  return -1;
}

const centre = (bbox: readonly number[]): LonLat => [(bbox[0]! + bbox[2]!) / 2, (bbox[1]! + bbox[3]!) / 2];

/**
 * The area an object at `place` lies in, smallest first: a grid cell, a property district, a forest cluster,
 * else its town, else the district (which only a district-wide scope contains).
 */
export function areaOfPlace(tree: Pick<AreaTree, 'nodes' | 'root'>, place: Place | null | undefined): AreaKey {
  const candidates = [
    place?.gridId && `grid:${place.gridId}`,
    place?.propertyId && `property:${place.propertyId}`,
    place?.forestId && `forest:${place.forestId}`,
    place?.townId && `town:${place.townId}`,
  ];
  for (const k of candidates) if (k && tree.nodes[k]) return k as AreaKey;
  return tree.root as AreaKey;
}

export function createSearchIndex(geo: Geo, locate: (lon: number, lat: number) => Place | null): SearchIndex {
  const { tree } = geo;
  const townName = (townId: string | undefined) => (townId && tree.nodes[`town:${townId}`]?.name) || '';
  const entries: Entry[] = [];
  const add = (hit: SearchHit, within: string) =>
    entries.push({ hit, within, name: normalise(hit.name), id: normalise(hit.id), initials: '' });
  let initialsReady = false;
  const ensureInitials = () => {
    if (initialsReady) return;
    for (const e of entries) e.initials = initialsOf(e.hit.name);
    initialsReady = true;
  };

  for (const node of Object.values(tree.nodes)) {
    if (node.level === 'district') continue;
    const town = node.level === 'town' ? '' : townName(tree.nodes[node.parent ?? '']?.id);
    add(
      {
        kind: node.level,
        id: node.id,
        name: node.name,
        context: town,
        area: node.key as AreaKey,
        position: centre(node.bbox),
      },
      node.key,
    );
  }
  // Points of the layers that are not areas of the tree: the map opens the area they lie in.
  for (const f of geo.layers.villages.features) {
    const [lon, lat] = f.geometry.coordinates as [number, number];
    const area = areaOfPlace(tree, locate(lon, lat) ?? { townId: f.properties.townId });
    add(
      {
        kind: 'village',
        id: f.properties.id,
        name: f.properties.name,
        context: townName(f.properties.townId),
        area,
        position: [lon, lat],
      },
      area,
    );
  }
  for (const f of geo.layers.checkpoints.features) {
    const [lon, lat] = f.geometry.coordinates as [number, number];
    const area = areaOfPlace(tree, locate(lon, lat) ?? { townId: f.properties.townId });
    add(
      {
        kind: 'checkpoint',
        id: f.properties.id,
        name: f.properties.name,
        context: townName(f.properties.townId),
        area,
        object: { kind: 'checkpoint', id: f.properties.id },
        position: [lon, lat],
      },
      area,
    );
  }
  for (const f of geo.layers.patrolPoints.features) {
    const cluster = tree.nodes[`forest:${f.properties.clusterId}`];
    if (!cluster) continue;
    add(
      {
        kind: 'patrolPoint',
        id: f.properties.id,
        name: f.properties.name,
        context: townName(tree.nodes[cluster.parent ?? '']?.id),
        area: cluster.key as AreaKey,
        position: f.geometry.coordinates as LonLat,
      },
      cluster.key,
    );
  }

  // Titles and ids of live objects, normalised once: the same 10,000 open tickets are searched keystroke after
  // keystroke, and NFKC on every title each time was most of a query's cost. Dropped whole when it grows large.
  const memo = new Map<string, string>();
  const norm = (s: string) => {
    let n = memo.get(s);
    if (n === undefined) {
      if (memo.size > 100_000) memo.clear();
      memo.set(s, (n = normalise(s)));
    }
    return n;
  };

  /** The live objects that fit, each built into a hit only once it matches (most do not). */
  function* liveMatches(live: LiveCandidates | undefined, q: string, ascii: boolean): Generator<[Entry, number]> {
    if (!live) return;
    for (const t of live.tickets) {
      // No pinyin for titles: they change with every ticket, and initials of a sentence find too much.
      const probe = { name: norm(t.title), id: norm(t.id), initials: '' };
      const r = rank(probe, q, ascii);
      if (r < 0) continue;
      const area = areaOfPlace(tree, t.place);
      const hit: SearchHit = {
        kind: 'ticket',
        id: t.id,
        name: t.title,
        context: [t.id, townName(t.place?.townId)].filter(Boolean).join(' · '),
        area,
        object: { kind: 'ticket', id: t.id },
        position: t.position,
      };
      yield [{ hit, within: area, ...probe }, r];
    }
    for (const ranger of live.rangers) {
      const name = norm(ranger.id);
      // A tracker's id finds its ranger too (the phone or device a duty officer was told about).
      const r = rank({ name, id: name, initials: '' }, q, ascii);
      const byDevice = ranger.device ? rank({ name, id: norm(ranger.device.id), initials: '' }, q, ascii) : -1;
      const best = r < 0 ? byDevice : byDevice < 0 ? r : Math.min(r, byDevice);
      if (best < 0) continue;
      const cluster = ranger.clusterId ? tree.nodes[`forest:${ranger.clusterId}`] : undefined;
      const area = cluster
        ? (cluster.key as AreaKey)
        : areaOfPlace(tree, locate(ranger.position[0], ranger.position[1]));
      const hit: SearchHit = {
        kind: 'ranger',
        id: ranger.id,
        name: ranger.id,
        context: [ranger.device?.id, cluster?.name ?? tree.nodes[area]?.name].filter(Boolean).join(' · '),
        area,
        object: { kind: 'ranger', id: ranger.id },
        position: ranger.position,
      };
      yield [{ hit, within: area, name, id: name, initials: '' }, best];
    }
  }

  return {
    size: entries.length,
    search({ q, scope, limit, live }) {
      const needle = normalise(q);
      if (!needle || limit <= 0) return [];
      const ascii = /^[a-z0-9]+$/.test(needle);
      if (ascii) ensureInitials();
      const found: { e: Entry; r: number }[] = [];
      for (const [e, r] of liveMatches(live, needle, ascii)) if (inScope(tree, scope, e.within)) found.push({ e, r });
      for (const e of entries) {
        const r = rank(e, needle, ascii);
        if (r >= 0 && inScope(tree, scope, e.within)) found.push({ e, r });
      }
      return found
        .sort(
          (a, b) =>
            a.r - b.r ||
            KIND_ORDER[a.e.hit.kind] - KIND_ORDER[b.e.hit.kind] ||
            a.e.name.length - b.e.name.length ||
            (a.e.hit.id < b.e.hit.id ? -1 : a.e.hit.id > b.e.hit.id ? 1 : 0),
        )
        .slice(0, limit)
        .map((f) => f.e.hit);
    },
  };
}
