// Who may follow which room: the one decision the gateway's access control rests on (gateway/rooms.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { allowedRooms, mayFollow } from '../../server/gateway/rooms';
import { loadGeo } from '../../server/geo/load';
import { principals, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { GEO_DIR } from '../helpers/paths';

let tree: AreaTree;
beforeAll(async () => {
  tree = (await loadGeo(GEO_DIR)).tree;
});

describe('allowedRooms', () => {
  it('gives a district-scope reader the district and every town', () => {
    const rooms = allowedRooms(tree, principals.districtOfficer);
    expect(rooms[0]).toBe(tree.root);
    expect(rooms.slice(1).sort()).toEqual([...(tree.children[tree.root] ?? [])].sort());
    expect(allowedRooms(tree, principals.wall)).toEqual(rooms);
  });

  it("gives a town's officer and leader their town's room only", () => {
    for (const p of [principals.townOfficer, principals.townLeader]) {
      const allowed = { allowed: allowedRooms(tree, p) };
      expect(allowed.allowed).toEqual([ZHANGJIAWAN]);
      expect(mayFollow(allowed, ZHANGJIAWAN)).toBe(true);
      expect(mayFollow(allowed, SONGZHUANG)).toBe(false);
      expect(mayFollow(allowed, tree.root as AreaKey)).toBe(false);
    }
  });

  it('gives nothing to a feed (no read ability) or to a scope below a town (never widened to the town)', () => {
    expect(allowedRooms(tree, principals.feed)).toEqual([]);
    const cell = (tree.children[ZHANGJIAWAN] ?? [])[0] as AreaKey;
    expect(allowedRooms(tree, { role: 'leader', scope: cell })).toEqual([]);
  });
});
