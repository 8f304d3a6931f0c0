// 导出：工单表的 CSV / GeoJSON 下载与地图截图。
export default {
  csv: '导出 CSV',
  csvTitle: '按当前筛选导出工单（Excel 可直接打开）',
  geojson: 'GeoJSON',
  geojsonTitle: '按当前筛选导出工单点位（GeoJSON，可在 GIS 软件中打开）',
  png: '导出图片',
  pngTitle: '将当前地图视图保存为 PNG 图片',
  pngBusy: '正在生成…',
  pngFailed: '图片导出失败：{{message}}',
  mapFile: '地图-{{area}}-{{date}}',
};
