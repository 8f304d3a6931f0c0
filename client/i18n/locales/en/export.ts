// Namespace export: the ticket table's CSV / GeoJSON downloads and the map snapshot. Same keys as zh-CN/export.ts.
import type zh from '../zh-CN/export';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  csv: 'Export CSV',
  csvTitle: 'Download the tickets of the current filter (opens in Excel)',
  geojson: 'GeoJSON',
  geojsonTitle: 'Download the tickets of the current filter as points (GeoJSON, for GIS tools)',
  png: 'Export PNG',
  pngTitle: 'Save the current map view as a PNG image',
  pngBusy: 'Rendering…',
  pngFailed: 'Image export failed: {{message}}',
  mapFile: 'map-{{area}}-{{date}}',
};

export default en;
