// What is not in the event log crosses nodes through the Socket.IO Redis streams adapter: a wall revoked on
// node A loses its socket on node B at once, not at B's next recheck (60 s), and neither B's cached copy of a
// revoked device nor of a disabled user outlives the admin's answer on A.
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { testApp } from '../helpers/app';
import { asAdmin } from '../helpers/callers';
import { clusterSpace } from '../helpers/cluster';
import { natsAvailable } from '../helpers/nats';
import { RUN_POSTGRES } from '../helpers/store';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const run = RUN_POSTGRES && (await natsAvailable());
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const space = clusterSpace({ REDIS_URL });
const apps: App[] = [];
afterAll(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  await space.dispose();
});

async function node(env: Record<string, string> = {}): Promise<{ app: App; base: string }> {
  const app = await testApp({ ...space.env, LOG_LEVEL: 'silent', ...env });
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

describe.skipIf(!run)('cross-node socket commands', () => {
  it('a wall revoked through node A is disconnected from node B at once', async () => {
    const a = await node();
    const b = await node();
    const admin = await asAdmin(a.app);
    const created = await fetch(`${a.base}/api/v1/admin/devices`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '分中心大屏', role: 'wall', scope: 'district:110112' }),
    });
    expect(created.status).toBe(201);
    const { device, token } = (await created.json()) as { device: { id: string }; token: string };
    // The wall was set up on A and the proxy has since sent it to B: one user table, so B knows the token.
    const wall: Client = connect(b.base, { transports: ['websocket'], auth: { token }, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      wall.on('connect', resolve);
      wall.on('connect_error', reject);
    });
    const gone = new Promise<{ reason: string; at: number }>((resolve) =>
      wall.on('disconnect', (reason) => resolve({ reason, at: Date.now() })),
    );
    const revokedAt = Date.now();
    const revoked = await fetch(`${a.base}/api/v1/admin/devices/${device.id}`, { method: 'DELETE', headers: admin });
    expect(revoked.status).toBe(200);
    const { reason, at } = await gone;
    expect(reason).toBe('io server disconnect');
    expect(at - revokedAt).toBeLessThan(5000);
  }, 30_000);

  it('a device revoked and a user disabled through node A are refused by node B at once, its cache notwithstanding', async () => {
    // Long enough that only the cross-node event can explain B's refusal.
    const a = await node({ PRINCIPAL_CACHE_S: '300' });
    const b = await node({ PRINCIPAL_CACHE_S: '300' });
    const admin = await asAdmin(a.app);
    const json = { ...admin, 'content-type': 'application/json' };
    const created = await fetch(`${a.base}/api/v1/admin/devices`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: '分中心数据源', role: 'feed', scope: 'district:110112' }),
    });
    expect(created.status).toBe(201);
    const { device, token } = (await created.json()) as { device: { id: string }; token: string };
    const onB = (headers: Record<string, string>) => fetch(`${b.base}/api/v1/auth/session`, { headers });
    const bearer = { authorization: `Bearer ${token}` };
    expect((await onB(bearer)).status).toBe(200);

    const revoked = await fetch(`${a.base}/api/v1/admin/devices/${device.id}`, { method: 'DELETE', headers: admin });
    expect(revoked.status).toBe(200);
    expect((await onB(bearer)).status).toBe(401);

    const user = await fetch(`${a.base}/api/v1/admin/users`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({
        username: 'fzx-duty',
        role: 'officer',
        scope: 'district:110112',
        password: 'duty password',
      }),
    });
    expect(user.status).toBe(201);
    const login = await fetch(`${b.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'fzx-duty', password: 'duty password' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';', 1)[0]!)
      .join('; ');
    expect((await onB({ cookie })).status).toBe(200);
    const disabled = await fetch(`${a.base}/api/v1/admin/users/fzx-duty`, {
      method: 'PATCH',
      headers: json,
      body: JSON.stringify({ disabled: true }),
    });
    expect(disabled.status).toBe(200);
    expect((await onB({ cookie })).status).toBe(401);
  }, 30_000);
});
