// Places a report that came with words instead of coordinates (an Open311 address_string or address_id) at the
// one place of the district those words name: a community or village (社区 / 村, its point in the villages layer),
// or else a town (its seat). Only what the area layers know; no outside geocoder, and a name that fits several
// places is not guessed: the caller answers that it cannot place it.
import type { Geo } from './load';

export interface NamedPlace {
  lon: number;
  lat: number;
  /** What the words matched: 'village' (a community or village) or 'town' (its seat, a coarse place). */
  by: 'village' | 'town';
  /** The name matched, e.g. 老槐庄村 or 张家湾镇. */
  name: string;
}

export type Placing = { ok: true; place: NamedPlace } | { ok: false; reason: string };

export interface Gazetteer {
  /** A free-text address: the longest community / village name in it (in the town it names, if it names one). */
  byAddress(text: string): Placing;
  /** An id of our own address system: a village's 12-digit code, a town's 9-digit code, or their area keys. */
  byId(id: string): Placing;
}

interface Entry {
  name: string;
  id: string;
  townId: string;
  lon: number;
  lat: number;
}

export function createGazetteer(geo: Geo): Gazetteer {
  const towns: Entry[] = geo.layers.towns.features.map((f) => ({
    name: f.properties.name,
    id: f.properties.id,
    townId: f.properties.id,
    lon: f.properties.seat[0],
    lat: f.properties.seat[1],
  }));
  // A community is often written without its 社区 ("玉桥南里3号楼"); the short form only where it keeps three
  // characters, so that 东关 alone does not match every address that happens to contain it.
  const villages: Entry[] = geo.layers.villages.features.flatMap((f) => {
    const e = {
      name: f.properties.name,
      id: f.properties.id,
      townId: f.properties.townId,
      lon: f.geometry.coordinates[0]!,
      lat: f.geometry.coordinates[1]!,
    };
    const short = e.name.endsWith('社区') ? e.name.slice(0, -2) : '';
    return short.length >= 3 ? [e, { ...e, name: short }] : [e];
  });
  const townById = new Map(towns.map((t) => [t.id, t]));
  // The full names (each village's first entry), before the sort mixes them with the short forms.
  const villageById = new Map<string, Entry>();
  for (const v of villages) if (!villageById.has(v.id)) villageById.set(v.id, v);
  // Longest names first: 玉桥南里南 must win over 玉桥南里 in "玉桥南里南区3号楼".
  villages.sort((a, b) => b.name.length - a.name.length);

  const found = (e: Entry, by: NamedPlace['by']): Placing => ({
    ok: true,
    place: { lon: e.lon, lat: e.lat, by, name: e.name },
  });

  return {
    byAddress(text) {
      const t = text.trim();
      if (t === '') return { ok: false, reason: 'is empty' };
      const namedTowns = towns.filter((town) => t.includes(town.name));
      const town = namedTowns.length === 1 ? namedTowns[0] : undefined;
      const candidates = villages.filter((v) => t.includes(v.name) && (!town || v.townId === town.id));
      if (candidates.length > 0) {
        const longest = candidates[0]!.name.length;
        const best = candidates.filter((v) => v.name.length === longest);
        const places = new Set(best.map((v) => v.id));
        if (places.size === 1) return found(villageById.get(best[0]!.id)!, 'village');
        // Two committees of one name in one town (三间房村 in 张家湾镇): the town is certain, the village is not.
        const townsOfBest = new Set(best.map((v) => v.townId));
        if (townsOfBest.size === 1) {
          const only = townById.get(best[0]!.townId);
          if (only) return found(only, 'town');
        }
        if (!town) {
          const where = [...new Set(best.map((v) => townById.get(v.townId)?.name ?? v.townId))].join('、');
          return {
            ok: false,
            reason: `names ${villageById.get(best[0]!.id)!.name}, which is in several towns (${where}): add the town, or send lat and long`,
          };
        }
      }
      if (town) return found(town, 'town');
      if (namedTowns.length > 1)
        return { ok: false, reason: `names several towns (${namedTowns.map((x) => x.name).join('、')})` };
      return {
        ok: false,
        reason: 'names no community, village or town of the district that we know: send lat and long',
      };
    },
    byId(id) {
      const raw = id.trim().replace(/^(village|town):/, '');
      const village = villageById.get(raw);
      if (village) return found(village, 'village');
      const town = townById.get(raw);
      if (town) return found(town, 'town');
      return {
        ok: false,
        reason: 'is no address id we know (a community or village code of 12 digits, or a town code of 9)',
      };
    },
  };
}
