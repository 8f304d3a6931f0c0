// The per-node principal cache: a storm of lookups reads the store once per principal; a change made here is
// seen at once; while the store is down a principal seen lately is still served and an unknown one is not.
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../server/auth/authenticator';
import { hashDeviceToken, newDeviceToken } from '../../server/auth/device-token';
import { createPrincipalCache } from '../../server/auth/principal-cache';
import type { DeviceRecord, UserStore } from '../../server/auth/types';
import type { AreaKey } from '../../server/contract/areas';
import { createMemoryUserStore } from '../../server/store/users-memory';

const DISTRICT = 'district:110112' as AreaKey;

/**
 * The memory store, counting reads, failing while `down`, and holding back while `gate` is set the answers it
 * read before (as a query in flight holds what the database had when it ran).
 */
function observedStore() {
  const inner = createMemoryUserStore();
  const state = { reads: 0, down: false, gate: undefined as Promise<void> | undefined };
  const before = async () => {
    state.reads += 1;
    if (state.gate) await state.gate;
    if (state.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
  };
  const store: UserStore = {
    ...inner,
    getUser: async (username) => {
      const found = await inner.getUser(username);
      await before();
      return found;
    },
    getDevice: async (id) => {
      const found = await inner.getDevice(id);
      await before();
      return found;
    },
    getUsers: async (usernames) => {
      const found = await inner.getUsers(usernames);
      await before();
      return found;
    },
    getDevices: async (ids) => {
      const found = await inner.getDevices(ids);
      await before();
      return found;
    },
  };
  return { store, inner, state };
}

function wall(id: string): { device: DeviceRecord; token: string } {
  const token = newDeviceToken(id);
  return {
    token,
    device: { id, name: '大屏', role: 'wall', scope: DISTRICT, tokenHash: hashDeviceToken(token), createdAt: 0 },
  };
}

function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('principal cache', () => {
  it('answers from its copy within the TTL and reads the store again after it', async () => {
    const { store, inner, state } = observedStore();
    await inner.putDevice(wall('wall-0000000a').device);
    const time = clock();
    const cache = createPrincipalCache(store, { ttlMs: 5000, now: time.now });
    expect((await cache.device('wall-0000000a'))?.id).toBe('wall-0000000a');
    time.advance(4999);
    await cache.device('wall-0000000a');
    expect(state.reads).toBe(1);
    time.advance(1);
    await cache.device('wall-0000000a');
    expect(state.reads).toBe(2);
  });

  it('a storm of 1,000 lookups of one principal at once reads the store once', async () => {
    const { store, inner, state } = observedStore();
    await inner.putDevice(wall('wall-0000000a').device);
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    const cache = createPrincipalCache(store, { ttlMs: 5000 });
    const all = Promise.all(Array.from({ length: 1000 }, () => cache.device('wall-0000000a')));
    open();
    const found = await all;
    expect(found.every((d) => d?.id === 'wall-0000000a')).toBe(true);
    expect(state.reads).toBe(1);
  });

  it('lookups of 1,000 different principals at once are two reads (batches of 500), each its own answer', async () => {
    const { store, inner, state } = observedStore();
    const ids = Array.from({ length: 1000 }, (_, i) => `wall-${i.toString(16).padStart(8, '0')}`);
    for (const id of ids.slice(0, 999)) await inner.putDevice(wall(id).device);
    const cache = createPrincipalCache(store, { ttlMs: 5000 });
    const found = await Promise.all(ids.map((id) => cache.device(id)));
    expect(found.slice(0, 999).map((d) => d?.id)).toEqual(ids.slice(0, 999));
    expect(found[999]).toBeUndefined();
    expect(state.reads).toBe(2);
  });

  it('forget: the next lookup reads the store, even one that began before and ends after it', async () => {
    const { store, inner, state } = observedStore();
    await inner.putDevice(wall('wall-0000000a').device);
    const cache = createPrincipalCache(store, { ttlMs: 60_000 });
    await cache.device('wall-0000000a');
    await inner.revokeDevice('wall-0000000a', 5);
    expect((await cache.device('wall-0000000a'))?.revokedAt).toBeUndefined();
    cache.forget('device', 'wall-0000000a');
    expect((await cache.device('wall-0000000a'))?.revokedAt).toBe(5);

    // A read in flight when the change is forgotten: its caller gets its answer, nobody after it does.
    await inner.putUser({
      username: 'wang',
      name: '王',
      role: 'officer',
      scope: DISTRICT,
      passwordHash: 'x',
      createdAt: 0,
    });
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    const early = cache.user('wang');
    await new Promise((r) => setImmediate(r));
    state.gate = undefined;
    await inner.putUser({ ...(await inner.getUser('wang'))!, disabled: true });
    cache.forget('user', 'wang');
    const late = cache.user('wang');
    open();
    expect((await early)?.disabled).toBeUndefined();
    expect((await late)?.disabled).toBe(true);
    expect((await cache.user('wang'))?.disabled).toBe(true);
  });

  it('keeps no answer of a principal the store does not know: created later, it is found at once', async () => {
    const { store, inner } = observedStore();
    const cache = createPrincipalCache(store, { ttlMs: 60_000 });
    expect(await cache.device('wall-0000000b')).toBeUndefined();
    await inner.putDevice(wall('wall-0000000b').device);
    expect((await cache.device('wall-0000000b'))?.id).toBe('wall-0000000b');
  });

  it('while the store fails: a principal seen lately is served, an unknown or forgotten one gets the error', async () => {
    const { store, inner, state } = observedStore();
    await inner.putDevice(wall('wall-0000000a').device);
    await inner.putDevice(wall('wall-0000000c').device);
    const time = clock();
    const cache = createPrincipalCache(store, { ttlMs: 5000, keepOnOutageMs: 60_000, now: time.now });
    await cache.device('wall-0000000a');
    await cache.device('wall-0000000c');
    state.down = true;
    // Within the TTL the store is not even asked.
    expect((await cache.device('wall-0000000a'))?.id).toBe('wall-0000000a');
    // Past it, the read fails and the copy still answers, for the outage allowance.
    time.advance(30_000);
    expect((await cache.device('wall-0000000a'))?.id).toBe('wall-0000000a');
    await expect(cache.device('wall-0000000b')).rejects.toThrow('ECONNREFUSED');
    cache.forget('device', 'wall-0000000c');
    await expect(cache.device('wall-0000000c')).rejects.toThrow('ECONNREFUSED');
    time.advance(35_000);
    await expect(cache.device('wall-0000000a')).rejects.toThrow('ECONNREFUSED');
    // Back: read again and kept again.
    state.down = false;
    expect((await cache.device('wall-0000000a'))?.id).toBe('wall-0000000a');
  });

  it('holds at most maxEntries, dropping the least recently read', async () => {
    const { store, inner, state } = observedStore();
    for (const id of ['wall-0000000a', 'wall-0000000b', 'wall-0000000c']) await inner.putDevice(wall(id).device);
    const cache = createPrincipalCache(store, { ttlMs: 60_000, maxEntries: 2 });
    await cache.device('wall-0000000a');
    await cache.device('wall-0000000b');
    await cache.device('wall-0000000a');
    await cache.device('wall-0000000c');
    state.reads = 0;
    await cache.device('wall-0000000a');
    await cache.device('wall-0000000c');
    expect(state.reads).toBe(0);
    await cache.device('wall-0000000b');
    expect(state.reads).toBe(1);
  });

  it('TTL 0 asks the store every time', async () => {
    const { store, inner, state } = observedStore();
    await inner.putDevice(wall('wall-0000000a').device);
    const cache = createPrincipalCache(store, { ttlMs: 0 });
    await cache.device('wall-0000000a');
    await cache.device('wall-0000000a');
    expect(state.reads).toBe(2);
  });
});

describe('the authenticator through the cache', () => {
  const options = { secret: 'x'.repeat(32), sessionTtlMs: 3600_000, principalCacheMs: 60_000 };

  it('1,000 handshakes of one wall read the store once; a revoke through its store is refused at once', async () => {
    const { store, inner, state } = observedStore();
    const { device, token } = wall('wall-0000000a');
    await inner.putDevice(device);
    const auth = createAuthenticator({ ...options, users: store });
    const principals = await Promise.all(Array.from({ length: 1000 }, () => auth.fromHandshake({}, { token })));
    expect(principals.every((p) => p?.id === 'wall-0000000a')).toBe(true);
    expect(state.reads).toBe(1);
    await auth.users.revokeDevice('wall-0000000a', 5);
    expect(await auth.fromHandshake({}, { token })).toBeNull();
  });

  it('a wrong token for a cached device is still refused', async () => {
    const { store, inner } = observedStore();
    const { device, token } = wall('wall-0000000a');
    await inner.putDevice(device);
    const auth = createAuthenticator({ ...options, users: store });
    expect(await auth.fromHandshake({}, { token })).not.toBeNull();
    const forged = newDeviceToken('wall-0000000a');
    expect(await auth.fromHandshake({}, { token: forged })).toBeNull();
  });
});
