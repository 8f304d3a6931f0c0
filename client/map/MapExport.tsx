// The map pane's "导出图片 / Export PNG" button: the view as drawn, named by the open area and the day.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { TIME_ZONE } from '../../server/contract/live';
import { canvasToPng, download, snapshotMap } from './export-png';
import '../styles/export.css';

export interface MapExportProps {
  getMap: () => MapLibreMap | null;
  tree: AreaTree;
  area: AreaKey;
}

const dayOf = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    ms,
  );

export function MapExport({ getMap, tree, area }: MapExportProps) {
  const { t } = useTranslation('export');
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const run = async () => {
    const map = getMap();
    if (!map || busy) return;
    setBusy(true);
    setFailed(null);
    try {
      const blob = await canvasToPng(await snapshotMap(map));
      download(blob, `${t('mapFile', { area: tree.nodes[area]?.name ?? area, date: dayOf(Date.now()) })}.png`);
    } catch (error) {
      setFailed(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="map-export">
      <button
        type="button"
        className="panel-button"
        data-export="png"
        title={t('pngTitle')}
        disabled={busy}
        onClick={() => void run()}
      >
        {busy ? t('pngBusy') : t('png')}
      </button>
      {failed && <span role="alert">{t('pngFailed', { message: failed })}</span>}
    </div>
  );
}
