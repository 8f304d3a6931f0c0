// A user or device changed on this node (an admin disabled, re-enabled or re-passworded a user, or revoked a
// device): every node forgets its cached record (auth/principal-cache.ts) and cuts off a revoked device's
// sockets, before the admin gets the answer. Through the Socket.IO adapter (REDIS_URL), the one channel between
// nodes for what is not in the event log; each node acknowledges once it has acted. Without an adapter this node
// is the only one that serves, or the others learn of the change within PRINCIPAL_CACHE_S and their 60 s recheck.
import type { PrincipalKind } from '../contract/auth';
import type { GatewayServer } from './gateway';

/** How long an admin's answer waits for the other nodes (one that hangs, or runs a version that never answers). */
export const ACK_TIMEOUT_MS = 2000;

export interface PrincipalChangeOptions {
  /** The gateway's server; its adapter reaches the other nodes. */
  io: GatewayServer;
  /** Whether an adapter between nodes is configured (REDIS_URL); without one, nothing is sent. */
  crossNode: boolean;
  /** Drops this node's cached record (Authenticator.forget). */
  forget: (kind: PrincipalKind, id: string) => void;
  /** Disconnects this node's sockets of the device; returns how many. */
  cutOffDevice: (id: string) => number;
  log: { warn(obj: object, msg: string): void };
  ackTimeoutMs?: number;
}

export interface PrincipalChanges {
  /** Acts on this node and, with an adapter, on every other; resolves once they acknowledged or the wait ran out. */
  announce(kind: PrincipalKind, id: string): Promise<void>;
}

/**
 * Sends the event to the other nodes and resolves once each acknowledged. Through the adapter itself rather than
 * io.serverSideEmitWithAck: socket.io drops the promise of the cluster adapter's serverSideEmit, so Redis out of
 * reach (the adapter counts the nodes there first) would be an unhandled rejection, which stops the process; and
 * the adapter's own wait (5 s) is not configurable.
 */
function toOtherNodes(
  io: GatewayServer,
  event: 'device:revoked' | 'user:changed',
  id: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no acknowledgement in ${timeoutMs} ms`)), timeoutMs);
    const acknowledged = (error: Error | null) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const sent: unknown = io.of('/').adapter.serverSideEmit([event, id, acknowledged]);
    if (sent instanceof Promise)
      sent.catch((error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
  });
}

export function attachPrincipalChanges(options: PrincipalChangeOptions): PrincipalChanges {
  const { io, crossNode, forget, cutOffDevice, log } = options;
  const ackTimeoutMs = options.ackTimeoutMs ?? ACK_TIMEOUT_MS;
  const actHere = (kind: PrincipalKind, id: string): void => {
    forget(kind, id);
    if (kind === 'device') cutOffDevice(id);
  };
  // Events from the other nodes; the adapter never hands a node its own.
  io.on('device:revoked', (id, done) => {
    actHere('device', id);
    done?.();
  });
  io.on('user:changed', (username, done) => {
    actHere('user', username);
    done?.();
  });
  return {
    async announce(kind, id) {
      actHere(kind, id);
      if (!crossNode) return;
      try {
        await toOtherNodes(io, kind === 'device' ? 'device:revoked' : 'user:changed', id, ackTimeoutMs);
      } catch (error) {
        // The change is stored; a node that did not answer still refuses it within PRINCIPAL_CACHE_S.
        log.warn({ err: error, kind, id }, 'not every node acknowledged a changed principal in time');
      }
    },
  };
}
