// The view held in the URL: read on load and on back / forward; drill-downs push a history entry, other
// changes (metric, overlays, theme) replace the current one.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AreaKey } from '../../server/contract/areas';
import { formatView, parseView, type ViewState } from './url';

export type SetView = (change: Partial<ViewState>, mode?: 'push' | 'replace') => void;

export function useView(root: AreaKey): [ViewState, SetView] {
  const [view, setState] = useState(() => parseView(window.location.search, root));
  const current = useRef(view);
  current.current = view;

  useEffect(() => {
    const onPop = () => setState(parseView(window.location.search, root));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [root]);

  const setView = useCallback<SetView>(
    (change, mode) => {
      const next = { ...current.current, ...change };
      const push = mode ? mode === 'push' : next.area !== current.current.area;
      const url = `${window.location.pathname}${formatView(next, root)}${window.location.hash}`;
      if (push) window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
      current.current = next;
      setState(next);
    },
    [root],
  );
  return [view, setView];
}
