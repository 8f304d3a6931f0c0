// History mode's client side apart from React: a LiveStore of its own fed by the replay:* events of the page's
// socket. The store is the same kind the live data fills, so every panel and layer reads the past unchanged.
// A gap or a reconnect (the server forgets a replay with its socket) reopens at the moment shown.
import type { AreaKey } from '../../server/contract/areas';
import type { DeltaWire, Snapshot } from '../../server/contract/live';
import type { ReplayAck, ReplayControl, ReplaySpeed, ReplayStatus } from '../../server/contract/replay';
import { LiveStore } from '../live/store';

/** The part of the page's socket.io-client Socket a replay uses. */
export interface ReplaySocket {
  on(event: 'replay:snapshot', listener: (s: Snapshot) => void): unknown;
  on(event: 'replay:delta', listener: (d: DeltaWire) => void): unknown;
  on(event: 'replay:status', listener: (s: ReplayStatus) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  off(event: string, listener?: (...args: never[]) => void): unknown;
  emit(
    event: 'replay:open',
    request: { scope: AreaKey; from: number; to: number; at?: number; speed?: ReplaySpeed },
    ack: (r: ReplayAck) => void,
  ): unknown;
  emit(event: 'replay:control', request: ReplayControl, ack: (r: ReplayAck) => void): unknown;
  emit(event: 'replay:close'): unknown;
}

export type ReplayError = { code: string; message: string };

/** How often the replay store hands panels a new view: the live store's pace. */
const PUBLISH_MS = 250;

export class ReplayClient {
  readonly store: LiveStore;
  status: ReplayStatus | null = null;
  error: ReplayError | null = null;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly socket: ReplaySocket,
    scope: AreaKey,
  ) {
    this.store = new LiveStore(scope);
    this.store.setConnection('live');
    socket.on('replay:snapshot', this.onSnapshot);
    socket.on('replay:delta', this.onDelta);
    socket.on('replay:status', this.onStatus);
    socket.on('connect', this.onReconnect);
    this.timer = setInterval(() => this.store.publish(), PUBLISH_MS);
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Opens the window [from, to] at `at`, paused (or playing when `play`). */
  async open(
    scope: AreaKey,
    from: number,
    to: number,
    options: { at?: number; speed?: ReplaySpeed; play?: boolean } = {},
  ): Promise<boolean> {
    this.store.want(scope);
    const request = {
      scope,
      from,
      to,
      ...(options.at !== undefined ? { at: options.at } : {}),
      ...(options.speed !== undefined ? { speed: options.speed } : {}),
    };
    const ack = await new Promise<ReplayAck>((resolve) => this.socket.emit('replay:open', request, resolve));
    if (!this.take(ack)) return false;
    if (options.play) return this.control({ action: 'play' });
    return true;
  }

  async control(request: ReplayControl): Promise<boolean> {
    if (request.action === 'scope') this.store.want(request.scope);
    const ack = await new Promise<ReplayAck>((resolve) => this.socket.emit('replay:control', request, resolve));
    return this.take(ack);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.socket.emit('replay:close');
    this.socket.off('replay:snapshot', this.onSnapshot as never);
    this.socket.off('replay:delta', this.onDelta as never);
    this.socket.off('replay:status', this.onStatus as never);
    this.socket.off('connect', this.onReconnect as never);
  }

  private take(ack: ReplayAck): boolean {
    if (ack.ok) {
      this.status = ack.status;
      this.error = null;
    } else {
      this.error = ack.error;
    }
    this.changed();
    return ack.ok;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private onSnapshot = (s: Snapshot): void => {
    this.store.applySnapshot(s);
    this.store.publish();
  };

  private onDelta = (d: DeltaWire): void => {
    // A broken chain: the moment shown is still known, so ask for it again as a snapshot.
    if (this.store.applyDelta(d) === 'gap' && this.status) void this.control({ action: 'seek', at: this.status.at });
  };

  private onStatus = (s: ReplayStatus): void => {
    this.status = s;
    this.changed();
  };

  private onReconnect = (): void => {
    const s = this.status;
    if (this.closed || !s) return;
    void this.open(s.scope, s.from, s.to, { at: s.at, speed: s.speed, play: s.playing });
  };
}
