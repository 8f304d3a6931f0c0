// Whether the page is on a phone or a tablet held upright: the width at which the dashboard's panels become
// sheets over the map (client/styles/sheets.css uses the same figure). A few behaviours follow it: the open
// town's overview starts folded so the map is in view, and the alert inbox makes way for the map it flies.
import { useSyncExternalStore } from 'react';

export const SMALL_SCREEN_QUERY = '(max-width: 900px)';

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(SMALL_SCREEN_QUERY);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

const snapshot = () => window.matchMedia(SMALL_SCREEN_QUERY).matches;

export function useSmallScreen(): boolean {
  return useSyncExternalStore(subscribe, snapshot, () => false);
}
