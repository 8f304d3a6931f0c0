// Placing an Open311 report that came with an address instead of coordinates: only at a place the area layers name
// without doubt (a community or village, else a town's seat), never a guess between two places of one name.
import { beforeAll, describe, expect, it } from 'vitest';
import { createGazetteer, type Gazetteer } from '../../server/geo/gazetteer';
import { createLocator } from '../../server/geo/locate';
import { loadGeo, type Geo } from '../../server/geo/load';
import { GEO_DIR } from '../helpers/paths';

let geo: Geo;
let gazetteer: Gazetteer;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  gazetteer = createGazetteer(geo);
});

const townOf = (r: ReturnType<Gazetteer['byAddress']>) =>
  r.ok ? createLocator(geo).locate(r.place.lon, r.place.lat)?.townId : undefined;

describe('gazetteer', () => {
  it('places an address at the community or village it names, the longest name first, with or without 社区', () => {
    const village = gazetteer.byAddress('通州区永乐店镇老槐庄村村委会东侧');
    expect(village).toMatchObject({ ok: true, place: { by: 'village', name: '老槐庄村' } });
    expect(townOf(village)).toBe('110112117');
    expect(gazetteer.byAddress('玉桥南里12号楼')).toMatchObject({ ok: true, place: { name: '玉桥南里社区' } });
    expect(gazetteer.byAddress('玉桥南里社区12号楼')).toMatchObject({ ok: true, place: { name: '玉桥南里社区' } });
  });

  it('does not guess between villages of one name in two towns, unless the address names the town', () => {
    const doubt = gazetteer.byAddress('小屯村南口');
    expect(doubt.ok).toBe(false);
    expect(!doubt.ok && doubt.reason).toMatch(/小屯村.*漷县镇.*西集镇|小屯村.*西集镇.*漷县镇/);
    const named = gazetteer.byAddress('西集镇小屯村南口');
    expect(named).toMatchObject({ ok: true, place: { by: 'village', name: '小屯村' } });
    expect(townOf(named)).toBe('110112110');
    // Two committees of one name in one town: the town is certain, so its seat.
    expect(gazetteer.byAddress('三间房村')).toMatchObject({ ok: true, place: { by: 'town', name: '张家湾镇' } });
  });

  it("falls back to a town's seat, and refuses what names nothing of the district", () => {
    expect(gazetteer.byAddress('张家湾镇政府对面')).toMatchObject({
      ok: true,
      place: { by: 'town', name: '张家湾镇' },
    });
    for (const text of ['SW1A 1AA', '1234 5th street', '', '东关'])
      expect(gazetteer.byAddress(text).ok, text).toBe(false);
  });

  it('places an address id of our own: a village code, a town code or their area keys; nothing else', () => {
    expect(gazetteer.byId('110112117209')).toMatchObject({ ok: true, place: { by: 'village', name: '老槐庄村' } });
    expect(gazetteer.byId('110112105')).toMatchObject({ ok: true, place: { by: 'town', name: '张家湾镇' } });
    expect(gazetteer.byId('town:110112105')).toMatchObject({ ok: true, place: { by: 'town' } });
    for (const id of ['#NOTPINPOINTED#', '545483', 'town:999']) expect(gazetteer.byId(id).ok, id).toBe(false);
  });
});
