// The landmarks layer without WebGL: the committed landmarks become sites, the factories draw every one as an
// approximate ring with its name, and the registry knows both layers as always-on map context.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LandmarkProps, LayerCollection, PointGeometry } from '../../server/contract/areas';
import {
  createLandmarkLabelLayer,
  createLandmarkLayer,
  LANDMARK_LABELS_ID,
  LANDMARK_RGBA,
  LANDMARKS_ID,
  landmarkLabel,
  landmarkRadius,
  landmarkSitesOf,
  type LandmarkSite,
} from '../../client/map/layers/landmarks';
import { isShown, kindOfLayerId, LAYER_REGISTRY, pickedOf } from '../../client/map/layers/registry';
import { GEO_DIR } from '../helpers/paths';

const committed = JSON.parse(readFileSync(join(GEO_DIR, 'landmarks.geojson'), 'utf8')) as LayerCollection<
  LandmarkProps,
  PointGeometry
>;
const sites = landmarkSitesOf(committed);

describe('landmark sites', () => {
  it('are the five parks and sites the seeds name, each at its point and marked approximate', () => {
    expect(sites.map((s) => s.name).sort()).toEqual(
      ['三庙一塔', '和乐公园', '大运河森林公园', '张家湾设计小镇', '运河公园'].sort(),
    );
    for (const [i, s] of sites.entries()) {
      const f = committed.features[i]!;
      expect(s.id).toBe(f.properties.id);
      expect(s.position).toEqual(f.geometry.coordinates);
      expect(s.approximate).toBe(true);
    }
    expect(sites.filter((s) => s.kind === 'park').map((s) => s.name)).toEqual(
      expect.arrayContaining(['和乐公园', '大运河森林公园', '运河公园']),
    );
  });

  it('read their fields from the feature, not from a fixed list', () => {
    const one = landmarkSitesOf({
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { id: 'x', name: '某公园', kind: 'park', townId: 't', approximate: false, source: 's' },
          geometry: { type: 'Point', coordinates: [116.7, 39.9] },
        },
      ],
    });
    expect(one).toEqual([{ id: 'x', name: '某公园', kind: 'park', approximate: false, position: [116.7, 39.9] }]);
  });
});

describe('landmark layers', () => {
  const approx: LandmarkSite = {
    id: 'a',
    name: '和乐公园',
    kind: 'park',
    approximate: true,
    position: [116.68, 39.89],
  };
  const exact: LandmarkSite = { ...approx, id: 'b', approximate: false };

  it('draw an approximate place as a wider, nearly hollow ring in its kind’s colour', () => {
    const layer = createLandmarkLayer({ data: sites, theme: 'wall' });
    expect(layer.id).toBe(LANDMARKS_ID);
    expect(layer.props.data).toBe(sites);
    expect(landmarkRadius(approx)).toBeGreaterThan(landmarkRadius(exact));
    const fill = layer.props.getFillColor as unknown as (s: LandmarkSite) => number[];
    const line = layer.props.getLineColor as unknown as (s: LandmarkSite) => number[];
    expect(fill(approx)[3]).toBeLessThan(80);
    expect(fill(exact)[3]).toBe(255);
    expect(line(approx)).toEqual(LANDMARK_RGBA.park);
    expect(line({ ...approx, kind: 'heritage' })).toEqual(LANDMARK_RGBA.heritage);
    expect(LANDMARK_RGBA.park).not.toEqual(LANDMARK_RGBA.heritage);
  });

  it('name each place with ≈ when approximate, and only when zoomed in', () => {
    expect(landmarkLabel(approx)).toBe('≈ 和乐公园');
    expect(landmarkLabel(exact)).toBe('和乐公园');
    const shown = createLandmarkLabelLayer({ data: sites, theme: 'day', visible: true });
    expect(shown.id).toBe(LANDMARK_LABELS_ID);
    expect(shown.props.visible).toBe(true);
    expect(createLandmarkLabelLayer({ data: sites, theme: 'day', visible: false }).props.visible).toBe(false);
  });

  it('are registered as always-on context that a click does not pick', () => {
    expect(kindOfLayerId(LANDMARKS_ID)).toBe('landmarks');
    expect(kindOfLayerId(LANDMARK_LABELS_ID)).toBe('landmarkLabels');
    expect(LAYER_REGISTRY.landmarks.factory).toBe(createLandmarkLayer);
    expect(isShown('landmarks', [])).toBe(true);
    expect(isShown('landmarkLabels', [])).toBe(true);
    expect(pickedOf(LANDMARKS_ID, sites[0])).toBeNull();
  });
});
