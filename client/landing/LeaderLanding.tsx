// Placeholder so the routing in client/Root.tsx compiles: the leader's landing replaces this file.
// (Root renders it for role 'leader' inside <SessionProvider>; onOpenMap switches to the dashboard.)
import type { AreaKey, AreaTree } from '../../server/contract/areas';

export function LeaderLanding({ tree, town, onOpenMap }: { tree: AreaTree; town: AreaKey; onOpenMap: () => void }) {
  return (
    <div className="app theme-wall boot" data-landing="placeholder" data-area={town}>
      <p>{tree.nodes[town]?.name}</p>
      <button type="button" onClick={onOpenMap}>
        map
      </button>
    </div>
  );
}
