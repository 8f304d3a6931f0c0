// The search box's index over the real geography: an exact ticket id first, prefixes, Chinese substrings, pinyin
// initials, full-width input, and the scope: a town leader's search never returns another town's ticket, ranger
// or place, even when the district's objects are handed in.
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey } from '../../server/contract/areas';
import type { RangerObject, TicketObject } from '../../server/contract/live';
import { createLocator } from '../../server/geo/locate';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createSearchIndex, normalise, type LiveCandidates, type SearchIndex } from '../../server/live/search';
import { GEO_DIR } from '../helpers/paths';

const DISTRICT = 'district:110112' as AreaKey;
const YUQIAO = 'town:110112004' as AreaKey;
const SONGZHUANG = 'town:110112104' as AreaKey;

let geo: Geo;
let index: SearchIndex;
let live: LiveCandidates;

function ticketAt(id: string, title: string, lon: number, lat: number): TicketObject {
  const place = createLocator(geo).locate(lon, lat) ?? {};
  const at = '2026-12-07T09:00:00+08:00';
  return {
    id,
    category: 'e_bike',
    urgency: 'normal',
    status: 'received',
    title,
    position: [lon, lat],
    place,
    createdAt: at,
    responseDueAt: at,
    resolveDueAt: at,
    overdue: false,
    nearDeadline: false,
    escalatedTo: [],
  };
}

function ranger(id: string, clusterId: string, lon: number, lat: number, device?: string): RangerObject {
  return {
    id,
    patrolId: null,
    clusterId,
    position: [lon, lat],
    trail: [],
    status: 'patrolling',
    lastSeen: '2026-12-07T09:00:00+08:00',
    signalLost: false,
    battery: 80,
    ...(device ? { device: { id: device, unplaced: null, at: '2026-12-07T09:00:00+08:00' } } : {}),
  };
}

beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
  const locator = createLocator(geo);
  index = createSearchIndex(geo, (lon, lat) => locator.locate(lon, lat));
  const songzhuangSeat = geo.tree.nodes[SONGZHUANG]!;
  const [w, s, e, n] = songzhuangSeat.bbox;
  live = {
    tickets: [
      // 玉桥街道 (the helper's usual point) and 宋庄镇 (its seat).
      ticketAt('T-20261207-0042', '楼道内电动车充电', 116.6842, 39.8875),
      ticketAt('T-20261207-0420', '小区门口积水', 116.6842, 39.8875),
      ticketAt('T-20261207-0043', '宋庄路灯不亮', 116.721318, 39.939771),
    ],
    rangers: [ranger('R-song-07', 'f-110112104-01', (w + e) / 2, (s + n) / 2, 'osmand-8811')],
  };
});

const search = (q: string, scope: AreaKey = DISTRICT, limit = 10) => index.search({ q, scope, limit, live });

describe('search index', () => {
  it('indexes every named place of the geography', () => {
    // 22 towns, 587 villages, grid cells, property districts, forest clusters, 21 checkpoints, patrol points.
    expect(index.size).toBeGreaterThan(3000);
  });

  it('puts an exact ticket id first, before tickets whose id it only starts', () => {
    const hits = search('T-20261207-0042');
    expect(hits[0]).toMatchObject({ kind: 'ticket', id: 'T-20261207-0042', object: { kind: 'ticket' } });
    expect(hits[0]!.area).toMatch(/^grid:/);
    // Lower case and full-width (an IME's digits) find it too.
    expect(search('t-20261207-0042')[0]?.id).toBe('T-20261207-0042');
    expect(search('Ｔ－２０２６１２０７－００４２')[0]?.id).toBe('T-20261207-0042');
    // A prefix finds all three tickets of the day.
    expect(search('T-20261207').map((h) => h.id)).toEqual(
      expect.arrayContaining(['T-20261207-0042', 'T-20261207-0420', 'T-20261207-0043']),
    );
  });

  it('finds a village by its name or the start of it, and opens the grid cell it lies in', () => {
    const [hit] = search('老槐庄');
    expect(hit).toMatchObject({ kind: 'village', id: '110112117209', name: '老槐庄村', context: '永乐店镇' });
    expect(hit!.area).toMatch(/^grid:/);
    expect(geo.tree.nodes[hit!.area]?.parent).toBe('town:110112117');
  });

  it('finds places by a Chinese substring, the town named for villages of one name', () => {
    const hits = search('小屯村', DISTRICT, 50).filter((h) => h.name === '小屯村');
    expect(hits.map((h) => h.context).sort()).toEqual(['漷县镇', '西集镇']);
    // A substring inside the name: 槐庄 is the middle of 老槐庄村.
    expect(search('槐庄').map((h) => h.name)).toContain('老槐庄村');
    // A ticket's title, by a word in it.
    expect(search('积水').map((h) => h.id)).toContain('T-20261207-0420');
  });

  it('finds by pinyin initials', () => {
    expect(search('lhzc')[0]).toMatchObject({ name: '老槐庄村' });
    expect(search('zjwz')[0]).toMatchObject({ kind: 'town', name: '张家湾镇', area: 'town:110112105' });
    expect(normalise(' ZJW ')).toBe('zjw');
  });

  it('finds towns, forest clusters, checkpoints and patrol points with where to go', () => {
    expect(search('张家湾镇')[0]).toMatchObject({ kind: 'town', area: 'town:110112105' });
    expect(search('宋庄集体林场一号林区')[0]).toMatchObject({ kind: 'forest', area: 'forest:f-110112104-01' });
    expect(search('北运河富河园社区水位站')[0]).toMatchObject({
      kind: 'checkpoint',
      object: { kind: 'checkpoint', id: 'cp-beiyun-01' },
    });
    expect(search('一号林区·1号巡护点').some((h) => h.kind === 'patrolPoint')).toBe(true);
  });

  it('finds a ranger by their id or their tracker id', () => {
    expect(search('R-song-07')[0]).toMatchObject({ kind: 'ranger', area: 'forest:f-110112104-01' });
    const byDevice = search('osmand-8811');
    expect(byDevice).toHaveLength(1);
    expect(byDevice[0]).toMatchObject({ kind: 'ranger', id: 'R-song-07', object: { kind: 'ranger', id: 'R-song-07' } });
  });

  it("keeps to the scope: a 玉桥 leader finds 玉桥's tickets and places, never 宋庄's", () => {
    expect(search('T-20261207-0042', YUQIAO)[0]?.id).toBe('T-20261207-0042');
    expect(search('T-20261207-0043', YUQIAO).map((h) => h.id)).not.toContain('T-20261207-0043');
    expect(
      search('T-20261207', YUQIAO)
        .map((h) => h.id)
        .sort(),
    ).toEqual(['T-20261207-0042', 'T-20261207-0420']);
    expect(search('R-song-07', YUQIAO)).toEqual([]);
    expect(search('osmand-8811', YUQIAO)).toEqual([]);
    expect(search('老槐庄', YUQIAO)).toEqual([]);
    expect(search('宋庄', YUQIAO)).toEqual([]);
    expect(search('玉桥南里', YUQIAO).map((h) => h.name)).toContain('玉桥南里社区');
    for (const h of search('街道', YUQIAO, 50))
      expect(h.area === YUQIAO || geo.tree.nodes[h.area]?.parent === YUQIAO).toBe(true);
  });

  it('answers nothing for an empty query and keeps to the limit', () => {
    expect(search('   ')).toEqual([]);
    expect(search('村', DISTRICT, 5)).toHaveLength(5);
  });
});
