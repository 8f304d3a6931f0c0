// STUB (to be replaced): ranking of the areas at the current level, worst first, clickable.
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import type { Placement } from '../view/navigation';
import type { ViewState } from '../view/url';

export interface RankingProps {
  tree: AreaTree;
  placement: Placement;
  view: ViewState;
  onOpenArea: (key: AreaKey) => void;
}

export function Ranking(_props: RankingProps) {
  return <section className="panel ranking" />;
}
