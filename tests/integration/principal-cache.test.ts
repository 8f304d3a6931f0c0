// The principal cache in the real app (one node, PRINCIPAL_CACHE_S long enough that only invalidation can explain a
// refusal): a storm of requests and handshakes of one wall reads the user store once; a device revoked or a user
// disabled through the admin API is refused at once; while the user store is down, a principal seen lately is
// still served (HTTP and socket) and an unknown one gets 503 with Retry-After or a handshake error to retry.
import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { UserStore } from '../../server/auth/types';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { createMemoryUserStore } from '../../server/store/users-memory';
import { testApp } from '../helpers/app';
import { asAdmin } from '../helpers/callers';
import { deviceToken, principals, sessionHeaders } from '../helpers/auth';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The memory user store, counting principal reads and failing them while `down`. */
function observedUsers() {
  const inner = createMemoryUserStore();
  const state = { reads: 0, down: false };
  const read = async <T>(get: () => Promise<T>): Promise<T> => {
    state.reads += 1;
    if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return get();
  };
  const users: UserStore = {
    ...inner,
    getUser: (username) => read(() => inner.getUser(username)),
    getDevice: (id) => read(() => inner.getDevice(id)),
    getUsers: (usernames) => read(() => inner.getUsers(usernames)),
    getDevices: (ids) => read(() => inner.getDevices(ids)),
  };
  return { users, state };
}

const apps: App[] = [];
const sockets: Client[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function node(users: UserStore): Promise<{ app: App; base: string }> {
  const app = await testApp({ PRINCIPAL_CACHE_S: '300' }, { users });
  apps.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

const session = (app: App, headers: Record<string, string>) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/session', headers });

function handshake(base: string, token: string): Promise<{ ok: true } | { ok: false; code?: string }> {
  const socket: Client = connect(base, { transports: ['websocket'], auth: { token }, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.on('connect', () => resolve({ ok: true }));
    socket.on('connect_error', (e) => resolve({ ok: false, code: (e as { data?: { code?: string } }).data?.code }));
  });
}

describe('principal cache in the app', () => {
  it('200 requests and 50 handshakes of one wall read its record once; revoked through the admin API, it is refused at once', async () => {
    const { users, state } = observedUsers();
    const { app, base } = await node(users);
    const token = await deviceToken(app, principals.wall);
    const bearer = { authorization: `Bearer ${token}` };
    state.reads = 0;
    const answers = await Promise.all(Array.from({ length: 200 }, () => session(app, bearer)));
    expect(answers.every((r) => r.statusCode === 200)).toBe(true);
    const shakes = await Promise.all(Array.from({ length: 50 }, () => handshake(base, token)));
    expect(shakes.every((s) => s.ok)).toBe(true);
    expect(state.reads).toBe(1);

    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/devices/${principals.wall.id}`,
      headers: await asAdmin(app),
    });
    expect(revoked.statusCode).toBe(200);
    expect((await session(app, bearer)).statusCode).toBe(401);
    expect(await handshake(base, token)).toEqual({ ok: false, code: 'unauthenticated' });
  });

  it('a user disabled through the admin API loses their session at once', async () => {
    const { users } = observedUsers();
    const { app } = await node(users);
    const leader = await sessionHeaders(app, principals.townLeader);
    expect((await session(app, leader)).statusCode).toBe(200);
    const disabled = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${principals.townLeader.id}`,
      headers: { ...(await asAdmin(app)), 'content-type': 'application/json' },
      payload: { disabled: true },
    });
    expect(disabled.statusCode).toBe(200);
    expect((await session(app, leader)).statusCode).toBe(401);
  });

  it('user store down: a wall seen lately is served, a feed never seen gets 503 with Retry-After', async () => {
    const { users, state } = observedUsers();
    const { app, base } = await node(users);
    const wall = await deviceToken(app, principals.wall);
    const feed = await deviceToken(app, principals.feed);
    expect((await session(app, { authorization: `Bearer ${wall}` })).statusCode).toBe(200);
    state.down = true;
    expect((await session(app, { authorization: `Bearer ${wall}` })).statusCode).toBe(200);
    expect(await handshake(base, wall)).toEqual({ ok: true });
    const unknown = await session(app, { authorization: `Bearer ${feed}` });
    expect(unknown.statusCode).toBe(503);
    expect(unknown.headers['retry-after']).toBe('5');
    expect(await handshake(base, feed)).toEqual({ ok: false, code: 'internal' });
  });
});
