// How fresh the data on screen is: a wall that silently froze is worse than one that says it lost the feed.
import type { LiveView } from '../live/store';

/** No snapshot or delta for this long while connected: the screen says its data is stale. */
export const STALE_MS = 10_000;

export type Freshness = 'waiting' | 'fresh' | 'stale' | 'offline' | 'resyncing';

export function freshness(
  live: Pick<LiveView, 'connection' | 'receivedAt' | 'seq'>,
  now: number,
): { state: Freshness; ageSeconds: number | null } {
  const ageSeconds = live.receivedAt === null ? null : Math.max(0, Math.round((now - live.receivedAt) / 1000));
  if (live.connection === 'offline') return { state: 'offline', ageSeconds };
  if (live.receivedAt === null) return { state: 'waiting', ageSeconds };
  if (live.seq === null) return { state: 'resyncing', ageSeconds };
  return { state: now - live.receivedAt > STALE_MS ? 'stale' : 'fresh', ageSeconds };
}
