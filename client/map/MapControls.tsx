// The map's own controls: the metric picker, the sub-layer picker at town level, and the overlay toggles.
// Each changes the view in the URL in place (replace): a metric is not a place to go back to.
import { useTranslation } from 'react-i18next';
import type { AreaKey } from '../../server/contract/areas';
import { METRIC_KEYS, OVERLAYS, SUB_LAYERS, type Overlay, type ViewState } from '../view/url';
import type { SetView } from '../view/useView';

export interface MapControlsProps {
  view: ViewState;
  setView: SetView;
  /** The sub-layer picker shows inside a town only (the district colours its towns). */
  showSub: boolean;
  /** The open town while one of its cells is open: picking another layer goes back to the town. */
  leaveCellFor: AreaKey | null;
}

export function MapControls({ view, setView, showSub, leaveCellFor }: MapControlsProps) {
  const { t } = useTranslation('map');
  const toggle = (o: Overlay) => {
    const on = view.overlays.includes(o);
    // Kept in OVERLAYS order so the URL of a view does not depend on the clicks that made it.
    setView({ overlays: OVERLAYS.filter((x) => (x === o ? !on : view.overlays.includes(x))) }, 'replace');
  };
  return (
    <div className="map-controls" role="group" aria-label={t('controls.label')}>
      <label className="map-control">
        <span className="map-control-label">{t('controls.metric')}</span>
        <select
          className="map-metric-select"
          value={view.metric}
          onChange={(e) => setView({ metric: e.target.value as ViewState['metric'] }, 'replace')}
        >
          {METRIC_KEYS.map((k) => (
            <option key={k} value={k}>
              {t(`metric.${k}`)}
            </option>
          ))}
        </select>
      </label>
      {showSub && (
        <div className="map-control" role="radiogroup" aria-label={t('controls.sub')}>
          <span className="map-control-label">{t('controls.sub')}</span>
          <div className="map-segments">
            {SUB_LAYERS.map((s) => (
              <button
                key={s}
                type="button"
                role="radio"
                aria-checked={view.sub === s}
                className={view.sub === s ? 'map-segment map-segment--on' : 'map-segment'}
                data-sub={s}
                onClick={() =>
                  setView(leaveCellFor && view.sub !== s ? { sub: s, area: leaveCellFor } : { sub: s }, 'replace')
                }
              >
                {t(`sub.${s}`)}
              </button>
            ))}
          </div>
        </div>
      )}
      <fieldset className="map-control map-overlays">
        <legend className="map-control-label">{t('controls.overlays')}</legend>
        {OVERLAYS.map((o) => (
          <label key={o} className="map-overlay-toggle" data-overlay={o}>
            <input type="checkbox" checked={view.overlays.includes(o)} onChange={() => toggle(o)} />
            {t(`overlay.${o}`)}
          </label>
        ))}
      </fieldset>
    </div>
  );
}
