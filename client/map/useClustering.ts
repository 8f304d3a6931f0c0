// The cluster index of the tickets shown, rebuilt at a bounded rate under a stream of deltas.
import { useEffect, useReducer, useRef } from 'react';
import type { TicketObject } from '../../server/contract/live';
import type { TicketFilter } from '../view/ticket-filter';
import { clusterTickets, type TicketClustering } from './layers/ticket-clusters';

/** A rebuild of the cluster index costs about 20 ms for 10,000 tickets (2-core machine): once a second at most. */
const CLUSTER_REFRESH_MS = 1000;

/**
 * The cluster index of the tickets shown: built at once when clusters come on, for another filter or another
 * store (history mode), and for a delta after a quiet second; under a stream of deltas at most once per
 * CLUSTER_REFRESH_MS, so that live deltas stay cheap. `stale`: the tickets changed since the last build.
 */
export function useClustering(
  data: readonly TicketObject[],
  on: boolean,
  filter: TicketFilter,
  source: unknown,
): { clustering: TicketClustering | null; stale: boolean } {
  const built = useRef<{
    data: readonly TicketObject[];
    filter: TicketFilter;
    source: unknown;
    at: number;
    clustering: TicketClustering;
  } | null>(null);
  const [wakes, wake] = useReducer((n: number) => n + 1, 0);
  const now = performance.now();
  const b = built.current;
  let due = 0;
  if (!on) built.current = null;
  else if (!b || b.filter !== filter || b.source !== source || (b.data !== data && now - b.at >= CLUSTER_REFRESH_MS))
    built.current = { data, filter, source, at: now, clustering: clusterTickets(data) };
  else if (b.data !== data) due = b.at + CLUSTER_REFRESH_MS - now;
  const waiting = due > 0;
  // A timer may fire a fraction of a millisecond before `due` (timers count whole milliseconds): the wake then
  // finds the build still waiting, and `wakes` in the deps arms the next timer, so clusters never stay stale.
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(wake, Math.ceil(due));
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- due is read once per wait; data and wakes restart it
  }, [waiting, data, wakes]);
  return { clustering: built.current?.clustering ?? null, stale: waiting };
}
