// The detail panel over the map: the picked object (ticket, checkpoint, ranger, incident) when there is one,
// else the open area below the district (a town, or a grid cell / property district / forest cluster of it)
// with its KPIs and small trend charts. At district level with nothing picked it stays closed: the KPI bar and
// the ranking already speak for the district.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { DEFAULT_RATE_WINDOW, type RateWindow } from '../../server/contract/live';
import type { Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';
import { levelOf } from '../view/url';
import { AreaDetail } from './AreaDetail';
import { ObjectDetail } from './ObjectDetail';
import { useSmallScreen } from '../view/small-screen';
import '../styles/panels.css';

export interface DetailPanelProps {
  tree: AreaTree;
  placement: Placement;
  selection: ObjectSelection | null;
  onClose: () => void;
  onOpenArea: (key: AreaKey) => void;
  /** The rate window the view shows (the area detail counts 督办 in it); default the month. */
  rates?: RateWindow;
}

/** The area the panel describes when no object is picked: the selected child area, else the open town. */
export function detailArea(placement: Placement): AreaKey | null {
  if (placement.selected) return placement.selected;
  const open = placement.trail[placement.trail.length - 1];
  return open && levelOf(open.key as AreaKey) === 'town' ? (open.key as AreaKey) : null;
}

export function DetailPanel({
  tree,
  placement,
  selection,
  onClose,
  onOpenArea,
  rates = DEFAULT_RATE_WINDOW,
}: DetailPanelProps) {
  const { t } = useTranslation('panels');
  const area = detailArea(placement);
  // The open town's overview has nothing to go back to (closing it would leave the town): it folds away to a
  // tab instead, per town, so a duty officer can see the whole map and bring it back.
  const [folded, setFolded] = useState<AreaKey | null>(null);
  // On a phone the overview would cover most of the map: it starts folded there, and stays open once asked for.
  const small = useSmallScreen();
  const [unfolded, setUnfolded] = useState<AreaKey | null>(null);
  if (!selection && !area) return null;
  const overview = !selection && !placement.selected;
  if (overview && area && (small ? unfolded !== area : folded === area)) {
    return (
      <button
        type="button"
        className="panel detail-tab"
        data-detail="folded"
        onClick={() => (small ? setUnfolded(area) : setFolded(null))}
      >
        {t('detail.area')}
      </button>
    );
  }
  const close = overview ? () => (small ? setUnfolded(null) : setFolded(area)) : onClose;
  return (
    <aside
      className="panel detail-panel"
      aria-label={t('detail.label')}
      data-detail={selection ? selection.kind : 'area'}
      data-detail-id={selection ? selection.id : area}
    >
      <button
        type="button"
        className="detail-close"
        onClick={close}
        aria-label={t('detail.close')}
        title={t('detail.close')}
      >
        ×
      </button>
      {selection ? (
        <ObjectDetail tree={tree} selection={selection} onOpenArea={onOpenArea} />
      ) : (
        area && <AreaDetail tree={tree} placement={placement} area={area} rates={rates} />
      )}
    </aside>
  );
}
