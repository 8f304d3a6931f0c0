// The socket controller: follows one scope over Socket.IO, keeps its state in a ScopeMirror (the contract's
// reference client: snapshot, then deltas that must follow the seq), and hands React a new view at most every
// VIEW_MS, so bursts of deltas never re-render per message. On a gap it asks for a fresh snapshot; on a
// reconnect it resumes from its last seq.
import { useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AreaKey } from '../../server/contract/areas';
import type { AreaAggregate, DeltaWire, Snapshot } from '../../server/contract/live';
import { ScopeMirror } from '../../server/contract/mirror';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';

const VIEW_MS = 250;

export type Connection = 'connecting' | 'live' | 'offline';

export interface LiveView {
  connection: Connection;
  seq: number | null;
  /** When the last snapshot or delta arrived (ms). */
  receivedAt: number | null;
  scopeAggregate: AreaAggregate | undefined;
  rangers: number;
  tickets: number;
  /** The scope's aggregates (its own and its children's); the same Map, mutated in place, with… */
  aggregates: ReadonlyMap<AreaKey, AreaAggregate>;
  /** …a version that moves whenever they changed, for memoised consumers (map layers). */
  version: number;
}

export function useLiveScope(scope: string): LiveView {
  const mirror = useRef(new ScopeMirror());
  const [view, setView] = useState<LiveView>(() => ({
    connection: 'connecting',
    seq: null,
    receivedAt: null,
    scopeAggregate: undefined,
    rangers: 0,
    tickets: 0,
    aggregates: mirror.current.aggregates,
    version: 0,
  }));

  useEffect(() => {
    const m = mirror.current;
    let receivedAt: number | null = null;
    let connection: Connection = 'connecting';
    let dirty = true;
    let version = 0;
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket'], auth: { scope } });
    socket.on('connect', () => {
      connection = 'live';
      dirty = true;
      // After a drop, resume from where this client was; the server answers with the missed deltas or a snapshot.
      if (m.seq !== null) socket.emit('state:resume', { lastSeq: m.seq, scope: scope as never }, () => undefined);
    });
    socket.on('disconnect', () => {
      connection = 'offline';
      dirty = true;
    });
    socket.on('state:snapshot', (s: Snapshot) => {
      m.applySnapshot(s);
      receivedAt = Date.now();
      dirty = true;
    });
    socket.on('state:delta', (d: DeltaWire) => {
      const outcome = m.applyDelta(d);
      receivedAt = Date.now();
      dirty = true;
      if (outcome === 'gap') socket.emit('scope:follow', { key: scope as never }, () => undefined);
    });
    const timer = setInterval(() => {
      if (!dirty) return;
      dirty = false;
      version++;
      setView({
        aggregates: m.aggregates,
        version,
        connection,
        seq: m.seq,
        receivedAt,
        scopeAggregate: m.aggregates.get(scope as never),
        rangers: m.rangers.size,
        tickets: m.tickets.size,
      });
    }, VIEW_MS);
    return () => {
      clearInterval(timer);
      socket.close();
    };
  }, [scope]);

  return view;
}
