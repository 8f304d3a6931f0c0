// STUB (to be replaced): detail of the picked object, or of the open area (KPIs with small trend charts).
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import type { Placement } from '../view/navigation';
import type { ObjectSelection } from '../view/selection';

export interface DetailPanelProps {
  tree: AreaTree;
  placement: Placement;
  selection: ObjectSelection | null;
  onClose: () => void;
  onOpenArea: (key: AreaKey) => void;
}

export function DetailPanel(_props: DetailPanelProps) {
  return null;
}
