// The rate windows the socket leaves out (the year, the last 30 days: see ON_REQUEST_WINDOWS in the contract):
// while the view shows one, its figures for the followed scope come from GET /api/v1/aggregates, at once and
// then once a minute, and are merged into the store's aggregates, so every panel reads them like the others.
// Not in history mode: the replay's own snapshots are its figures.
import { useEffect } from 'react';
import type { AreaKey } from '../../server/contract/areas';
import {
  isOnRequestWindow,
  type AreaAggregate,
  type RateWindow,
  type TicketWindowKpis,
} from '../../server/contract/live';
import { apiJson } from '../auth/session';
import { useHistory } from '../history/HistoryProvider';
import { useLive, useLiveStore } from './SocketController';

/** A year's or a month's rate moves by a fraction of a point in a minute. */
export const ON_REQUEST_REFRESH_MS = 60_000;

export function OnRequestWindow({ rates }: { rates: RateWindow }): null {
  const store = useLiveStore();
  const live = useLive();
  const history = useHistory();
  const scope = live.scope;
  // A new snapshot (a resync) replaces the aggregates: fetch again rather than wait a minute.
  const snapshots = live.snapshots;
  useEffect(() => {
    if (!scope || history.mode === 'history' || !isOnRequestWindow(rates)) return;
    let alive = true;
    const load = () =>
      apiJson<{ scope: AreaKey; aggregates: AreaAggregate[] }>(`/api/v1/aggregates?scope=${encodeURIComponent(scope)}`)
        .then((body) => {
          if (!alive) return;
          const figures = new Map<AreaKey, TicketWindowKpis>();
          for (const a of body.aggregates) {
            const w = a.tickets[rates];
            if (w) figures.set(a.key, w);
          }
          store.mergeWindow(scope, rates, figures);
        })
        // A failed refresh keeps the figures it has; the next minute tries again.
        .catch(() => undefined);
    void load();
    const timer = window.setInterval(() => void load(), ON_REQUEST_REFRESH_MS);
    return () => {
      alive = false;
      window.clearInterval(timer);
    };
  }, [store, scope, rates, history.mode, snapshots]);
  return null;
}
