// What the wall says about its own link: live, reconnecting (the socket controller retries by itself, for
// ever) or offline (the machine has no network at all), and how old its data is. Pure, so tested.
import type { Connection } from '../live/store';
import { freshness, type Freshness } from '../panels/freshness';

export type WallLink = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** `online`: navigator.onLine; false means the machine lost its network, not just the server. */
export function wallLink(connection: Connection, online: boolean): WallLink {
  if (!online) return 'offline';
  if (connection === 'live') return 'live';
  return connection === 'connecting' ? 'connecting' : 'reconnecting';
}

export interface WallStatus {
  link: WallLink;
  freshness: Freshness;
  /** Seconds since the last snapshot or delta; null before the first. */
  ageSeconds: number | null;
}

export function wallStatus(
  live: { connection: Connection; receivedAt: number | null; seq: number | null },
  online: boolean,
  now: number,
): WallStatus {
  const f = freshness(live, now);
  return { link: wallLink(live.connection, online), freshness: f.state, ageSeconds: f.ageSeconds };
}
