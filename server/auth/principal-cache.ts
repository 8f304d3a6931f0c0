// The users and devices this node has read lately, for a few seconds (PRINCIPAL_CACHE_S). A reconnect storm (every
// wall and desk of a node at once, after a restart or a proxy failover) then asks the user store once per
// principal, not once per socket: concurrent lookups of one principal share one read, and its answer serves
// every request and handshake of that principal until it is older than the TTL. The lookups of different
// principals that arrive in the same turn of the event loop are one query (getUsers / getDevices), so even a storm
// of as many principals as sockets holds a handful of the pool's connections, not one per socket.
//
// Revocation stays immediate: a change to a user or a device (disable, password, revoke) makes this node forget
// its copy (`forget`, called by the authenticator's store on its own writes and by the cross-node event for
// another node's), and a read that was in flight when it forgot is not kept.
//
// When the store cannot answer, a principal read within the last KEEP_ON_OUTAGE_MS is still served (a failover
// of PostgreSQL does not log anyone out); a principal not known here gets the store's error (the HTTP layer
// answers 503 with Retry-After, a handshake `internal` with "retry"). A forgotten principal is never served
// from a stale copy.
//
// Hand-written rather than lru-cache: its fetch() rejects every caller of a read that a delete() aborts, and it
// has no bound on how stale a copy served during an outage may be; both are the point here.
import { performance } from 'node:perf_hooks';
import type { PrincipalKind } from '../contract/auth';
import type { DeviceRecord, UserRecord, UserStore } from './types';

/** How long a principal seen before an outage of the user store keeps being served while it lasts. */
export const KEEP_ON_OUTAGE_MS = 60_000;
/** Far more than a district's users and devices; bounds what a flood of well-formed unknown ids could hold. */
const DEFAULT_MAX_ENTRIES = 10_000;
/** Ids in one batched read at most (one `= ANY($1)` query). */
const BATCH_MAX = 500;

export interface PrincipalCacheOptions {
  /** How long a record read from the store answers without asking again; 0: every lookup asks the store. */
  ttlMs: number;
  /** Past its TTL, how much longer a record is served while the store fails. Default KEEP_ON_OUTAGE_MS. */
  keepOnOutageMs?: number;
  /** Most records kept; the least recently read goes first. */
  maxEntries?: number;
  /** Monotonic milliseconds; tests pass their own. */
  now?: () => number;
}

export interface PrincipalCache {
  user(username: string): Promise<UserRecord | undefined>;
  device(id: string): Promise<DeviceRecord | undefined>;
  /** Drops what this node knows of the principal, and any read of it in flight: the next lookup asks the store. */
  forget(kind: PrincipalKind, id: string): void;
}

interface Entry<T> {
  value: T;
  /** When the read that gave it started: the store's state is at least that recent. */
  readAt: number;
}

/**
 * One read per turn of the event loop: the ids asked for until then go to `loadMany` together, in chunks of
 * BATCH_MAX. Each caller gets its own record, or undefined when the store has none, or the read's error.
 */
function batched<T>(
  loadMany: (ids: readonly string[]) => Promise<T[]>,
  idOf: (record: T) => string,
): (id: string) => Promise<T | undefined> {
  let waiting: { id: string; resolve: (value: T | undefined) => void; reject: (error: unknown) => void }[] = [];
  const flush = (): void => {
    const all = waiting;
    waiting = [];
    for (let i = 0; i < all.length; i += BATCH_MAX) {
      const chunk = all.slice(i, i + BATCH_MAX);
      loadMany(chunk.map((w) => w.id)).then(
        (records) => {
          const byId = new Map(records.map((r) => [idOf(r), r]));
          for (const w of chunk) w.resolve(byId.get(w.id));
        },
        (error: unknown) => {
          for (const w of chunk) w.reject(error);
        },
      );
    }
  };
  return (id) =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ id, resolve, reject });
    });
}

interface Lookup<T> {
  get(id: string): Promise<T | undefined>;
  forget(id: string): void;
}

function lookup<T>(
  load: (id: string) => Promise<T | undefined>,
  { ttlMs, keepOnOutageMs, maxEntries, now }: Required<PrincipalCacheOptions>,
): Lookup<T> {
  const entries = new Map<string, Entry<T>>();
  const reads = new Map<string, Promise<T | undefined>>();

  const remember = (id: string, entry: Entry<T>): void => {
    // Map order is insertion order: re-inserting moves the id to the end, so the first key is the least recent.
    entries.delete(id);
    entries.set(id, entry);
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
  };

  const read = (id: string): Promise<T | undefined> => {
    const inFlight = reads.get(id);
    if (inFlight) return inFlight;
    const readAt = now();
    const current: Promise<T | undefined> = load(id).then(
      (value) => {
        // Forgotten meanwhile: the caller that started it gets the answer, but nobody after it.
        if (reads.get(id) !== current) return value;
        reads.delete(id);
        if (value === undefined) entries.delete(id);
        else remember(id, { value, readAt });
        return value;
      },
      (error: unknown) => {
        if (reads.get(id) === current) reads.delete(id);
        throw error;
      },
    );
    reads.set(id, current);
    return current;
  };

  return {
    async get(id) {
      const known = entries.get(id);
      if (known && now() - known.readAt < ttlMs) {
        remember(id, known);
        return known.value;
      }
      try {
        return await read(id);
      } catch (error) {
        const stale = entries.get(id);
        if (stale && now() - stale.readAt < ttlMs + keepOnOutageMs) return stale.value;
        throw error;
      }
    },
    forget(id) {
      entries.delete(id);
      reads.delete(id);
    },
  };
}

export function createPrincipalCache(users: UserStore, options: PrincipalCacheOptions): PrincipalCache {
  if (!(options.ttlMs > 0)) {
    return {
      user: (username) => users.getUser(username),
      device: (id) => users.getDevice(id),
      forget: () => {},
    };
  }
  const settings: Required<PrincipalCacheOptions> = {
    ttlMs: options.ttlMs,
    keepOnOutageMs: options.keepOnOutageMs ?? KEEP_ON_OUTAGE_MS,
    maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
    now: options.now ?? (() => performance.now()),
  };
  const userLookup = lookup(
    batched(
      (usernames) => users.getUsers(usernames),
      (u) => u.username,
    ),
    settings,
  );
  const deviceLookup = lookup(
    batched(
      (ids) => users.getDevices(ids),
      (d) => d.id,
    ),
    settings,
  );
  return {
    user: (username) => userLookup.get(username),
    device: (id) => deviceLookup.get(id),
    forget: (kind, id) => (kind === 'user' ? userLookup.forget(id) : deviceLookup.forget(id)),
  };
}
