// STUB (to be replaced): live feed of the latest 50 events of the followed scope.
import type { AreaTree } from '../../server/contract/areas';
import type { ObjectSelection } from '../view/selection';

export interface FeedProps {
  tree: AreaTree;
  onSelectObject: (selection: ObjectSelection) => void;
}

export function Feed(_props: FeedProps) {
  return <section className="panel feed" />;
}
