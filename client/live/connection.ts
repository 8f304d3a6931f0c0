// The socket controller's logic, apart from React and from socket.io-client so tests can drive it with a fake
// socket: it feeds the store, asks for a snapshot on a gap, resumes after a drop (the handshake carries the
// last seq, so the server answers with the missed deltas or a snapshot), follows drill-downs, and publishes
// the store's view at most every PUBLISH_MS so that a burst of deltas never re-renders per message.
import type { AreaKey } from '../../server/contract/areas';
import type { DeltaWire, Snapshot } from '../../server/contract/live';
import type { FollowAck, HandshakeAuth } from '../../server/contract/socket';
import type { LiveStore } from './store';

/** At most ~4 visual updates a second (the budget); the gateway itself flushes every 150 ms. */
export const PUBLISH_MS = 250;

/** The part of a socket.io-client Socket used here. */
export interface LiveSocket {
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'disconnect', listener: (reason: string) => void): unknown;
  on(event: 'connect_error', listener: (error: Error) => void): unknown;
  on(event: 'state:snapshot', listener: (snapshot: Snapshot) => void): unknown;
  on(event: 'state:delta', listener: (delta: DeltaWire) => void): unknown;
  emit(event: 'scope:follow', request: { key: AreaKey }, ack: (result: FollowAck) => void): unknown;
  connect(): unknown;
  close(): unknown;
  /** False when socket.io-client has given up reconnecting by itself. */
  readonly active: boolean;
}

/**
 * Retry delays when socket.io-client will not reconnect by itself: the server disconnected the socket (it
 * does so when it shuts down) or refused the handshake (a server that is closing refuses new ones). A wall
 * must never stay dark because of a restart, so it retries for ever, backing off to RETRY_MAX_MS.
 */
export const RETRY_MIN_MS = 1_000;
export const RETRY_MAX_MS = 15_000;

/** Makes the socket; `auth` is asked on every (re)connection, so a reconnect carries the current seq. */
export type SocketFactory = (auth: () => HandshakeAuth) => LiveSocket;

export interface ConnectionOptions {
  publishMs?: number;
  /** Told when the server refused a follow (e.g. an area outside the user's scope). */
  onRefused?: (scope: AreaKey, message: string) => void;
}

export class LiveConnection {
  private readonly socket: LiveSocket;
  private readonly timer: ReturnType<typeof setInterval> | null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private retryMs = RETRY_MIN_MS;
  private closed = false;
  /** Counts snapshot requests made because of a gap (tests and the badge read it). */
  resyncRequests = 0;

  constructor(
    private readonly store: LiveStore,
    connect: SocketFactory,
    private readonly options: ConnectionOptions = {},
  ) {
    this.socket = connect(() => {
      const seq = store.seq;
      // Resume only a state that belongs to the scope wanted now; otherwise start from its snapshot.
      return seq !== null && store.scope === store.wantedScope
        ? { scope: store.wantedScope, lastSeq: seq }
        : { scope: store.wantedScope };
    });
    this.socket.on('connect', () => {
      this.retryMs = RETRY_MIN_MS;
      store.setConnection('live');
    });
    this.socket.on('disconnect', (reason) => {
      store.setConnection('offline');
      if (reason === 'io server disconnect') this.reconnectLater();
    });
    this.socket.on('connect_error', () => {
      store.setConnection('offline');
      if (!this.socket.active) this.reconnectLater();
    });
    this.socket.on('state:snapshot', (s) => store.applySnapshot(s));
    this.socket.on('state:delta', (d) => {
      if (store.applyDelta(d) === 'gap') this.resync();
    });
    const ms = options.publishMs ?? PUBLISH_MS;
    this.timer = ms > 0 ? setInterval(() => store.publish(), ms) : null;
  }

  /** Follows another area (drill-down): its snapshot replaces the state when it arrives. */
  follow(scope: AreaKey): void {
    if (scope === this.store.wantedScope) return;
    this.store.want(scope);
    this.request(scope);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    this.socket.close();
  }

  private reconnectLater(): void {
    if (this.closed || this.retry) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.closed) this.socket.connect();
    }, delay);
  }

  /** A delta did not follow the state: the state is void until a fresh snapshot arrives. */
  private resync(): void {
    this.resyncRequests++;
    this.request(this.store.wantedScope);
  }

  private request(scope: AreaKey): void {
    this.socket.emit('scope:follow', { key: scope }, (ack) => {
      if (!ack.ok) this.options.onRefused?.(scope, ack.error.message);
    });
  }
}
