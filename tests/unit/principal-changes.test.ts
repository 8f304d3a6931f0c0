// A changed principal is acted on here at once, and the other nodes are waited for, but never longer than the
// bound: Redis out of reach or a node that never answers costs the admin at most that wait, never the process.
import { Server } from 'socket.io';
import { describe, expect, it } from 'vitest';
import type { GatewayServer } from '../../server/gateway/gateway';
import { attachPrincipalChanges } from '../../server/gateway/principal-changes';

function setUp(serverSideEmit: (packet: unknown[]) => unknown) {
  // No HTTP server: nothing listens, so there is nothing to close.
  const io = new Server() as GatewayServer;
  io.of('/').adapter.serverSideEmit = serverSideEmit as never;
  const forgotten: string[] = [];
  const cutOff: string[] = [];
  const warnings: string[] = [];
  const changes = attachPrincipalChanges({
    io,
    crossNode: true,
    forget: (kind, id) => void forgotten.push(`${kind}:${id}`),
    cutOffDevice: (id) => (cutOff.push(id), 0),
    log: { warn: (_obj, msg) => void warnings.push(msg) },
    ackTimeoutMs: 200,
  });
  return { io, changes, forgotten, cutOff, warnings };
}

describe('principal changes between nodes', () => {
  it('acts here, sends the event and resolves once the other nodes acknowledged', async () => {
    const sent: unknown[][] = [];
    const { changes, forgotten, cutOff, warnings } = setUp((packet) => {
      sent.push(packet);
      (packet.at(-1) as (error: Error | null) => void)(null);
    });
    await changes.announce('device', 'wall-0000000a');
    expect(forgotten).toEqual(['device:wall-0000000a']);
    expect(cutOff).toEqual(['wall-0000000a']);
    expect(sent.map((p) => p.slice(0, 2))).toEqual([['device:revoked', 'wall-0000000a']]);
    expect(warnings).toEqual([]);
  });

  it('Redis out of reach: the adapter rejects; the change still resolves, with a warning, and nothing is unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { changes, forgotten, warnings } = setUp(() => Promise.reject(new Error('Connection is closed.')));
      await changes.announce('user', 'wang');
      await new Promise((r) => setTimeout(r, 50));
      expect(forgotten).toEqual(['user:wang']);
      expect(warnings).toEqual(['not every node acknowledged a changed principal in time']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a node that never answers costs the bound, not more', async () => {
    const { changes, warnings } = setUp(() => new Promise(() => {}));
    const started = Date.now();
    await changes.announce('user', 'wang');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(warnings).toHaveLength(1);
  });

  it('an event from another node is acted on and acknowledged; one from an earlier version (no ack) too', async () => {
    const { io, forgotten, cutOff } = setUp(() => {});
    let acknowledged = 0;
    io.of('/')._onServerSideEmit(['device:revoked', 'wall-0000000b', () => void (acknowledged += 1)]);
    io.of('/')._onServerSideEmit(['user:changed', 'li']);
    expect(forgotten).toEqual(['device:wall-0000000b', 'user:li']);
    expect(cutOff).toEqual(['wall-0000000b']);
    expect(acknowledged).toBe(1);
  });
});
