// The client's alerts: every alert of the principal's scope by id, kept in the inbox's order (compareAlerts:
// open first, most severe, newest). Two feeds write into it: the list from GET /api/v1/alerts, loaded on
// every (re)connect (a socket that was away missed 'alert:changed' messages, and the server keeps no per-socket
// alert log to resume from), and the socket's 'alert:changed', the whole alert each time. Of two copies of an
// alert the one with the higher seq wins, so a late list answer never undoes an acknowledgement that the socket
// already brought. No React and no socket here: unit-testable.
import { compareAlerts, type Alert, type AlertList } from '../../server/contract/alerts';

/** Resolved alerts leave the store after a day (the server's list keeps them that long too). */
export const RESOLVED_KEEP_MS = 24 * 3600_000;

export class AlertStore {
  private readonly byId = new Map<string, Alert>();
  private readonly listeners = new Set<() => void>();
  private sorted: readonly Alert[] = [];
  /** Times a list replaced the store (tests, and the inbox's "loaded" state). */
  loads = 0;

  /** A changed alert from the socket (or an action's answer); false when the store already held a newer copy. */
  upsert(alert: Alert, now = Date.now()): boolean {
    const held = this.byId.get(alert.id);
    if (held && held.seq >= alert.seq) return false;
    this.byId.set(alert.id, alert);
    this.prune(now);
    this.changed();
    return true;
  }

  /**
   * The list as the server had it at `list.seq` replaces the store: what the list lacks is gone (resolved long
   * ago, or no longer in scope). A copy newer than the list (an 'alert:changed' that overtook the answer) stays.
   */
  replace(list: AlertList, now = Date.now()): void {
    const newer = [...this.byId.values()].filter((a) => a.seq > list.seq);
    this.byId.clear();
    for (const a of list.items) this.byId.set(a.id, a);
    for (const a of newer) {
      const listed = this.byId.get(a.id);
      if (!listed || listed.seq < a.seq) this.byId.set(a.id, a);
    }
    this.loads++;
    this.prune(now);
    this.changed();
  }

  get(id: string): Alert | undefined {
    return this.byId.get(id);
  }

  /** Inbox order; a new array after every change (React compares by identity). */
  getAlerts = (): readonly Alert[] => this.sorted;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private prune(now: number): void {
    for (const [id, a] of this.byId) {
      if (a.status === 'resolved' && a.resolvedAt && Date.parse(a.resolvedAt) < now - RESOLVED_KEEP_MS)
        this.byId.delete(id);
    }
  }

  private changed(): void {
    this.sorted = [...this.byId.values()].sort(compareAlerts);
    for (const listener of this.listeners) listener();
  }
}

/** Alerts not yet resolved: the header badge's count. */
export const openAlerts = (alerts: readonly Alert[]): number =>
  alerts.reduce((n, a) => n + (a.status === 'resolved' ? 0 : 1), 0);

/** The part of a socket the alert feed uses. */
export interface AlertSocket {
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'alert:changed', listener: (alert: Alert) => void): unknown;
}

/**
 * Wires a socket to the store: the list on every connect (the first and each reconnect), the socket's changes
 * in between. Answers of an earlier load that arrive after a later one are dropped. A failed load leaves the
 * store as it was (the next reconnect tries again); `onError` hears why.
 */
export function feedAlerts(
  socket: AlertSocket,
  store: AlertStore,
  load: () => Promise<AlertList>,
  onError?: (error: unknown) => void,
): void {
  let generation = 0;
  socket.on('connect', () => {
    const mine = ++generation;
    load().then(
      (list) => {
        if (mine === generation) store.replace(list);
      },
      (error: unknown) => onError?.(error),
    );
  });
  socket.on('alert:changed', (alert) => {
    store.upsert(alert);
  });
}
