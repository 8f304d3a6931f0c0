// Shared by the store and bus suites: the list of EventStore implementations under contract, and valid events.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { OpsEvent, Place } from '../../server/contract/events';
import { createMemoryStore } from '../../server/store/memory';
import { openPostgresStore, quoteIdent } from '../../server/store/postgres';
import { openSqliteStore } from '../../server/store/sqlite';
import type { AppendItem, EventStore } from '../../server/store/types';

/** One implementation under test. A new one (PostgreSQL) is one more entry in STORE_IMPLEMENTATIONS. */
export interface StoreHarness {
  /** Opens a store on a fresh, empty log. */
  open(): Promise<EventStore>;
  /** Opens the same log again after the first store was closed; absent when the log does not outlive close(). */
  reopen?: () => Promise<EventStore>;
  /** Removes whatever the harness created (files, schemas). */
  dispose(): Promise<void>;
}

export type StoreFactory = () => StoreHarness;

export const tempDir = (prefix: string): string => mkdtempSync(path.join(tmpdir(), prefix));

export const sqliteHarness: StoreFactory = () => {
  const dir = tempDir('opsmap-store-');
  // A nested folder, so every test also checks that the store creates its parent folder.
  const file = path.join(dir, 'var', 'opsmap.sqlite');
  return {
    open: async () => openSqliteStore(file),
    reopen: async () => openSqliteStore(file),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

/** The same file store with its appends and archives on the writer thread (what the server runs). */
export const sqliteThreadHarness: StoreFactory = () => {
  const dir = tempDir('opsmap-store-');
  const file = path.join(dir, 'var', 'opsmap.sqlite');
  return {
    open: async () => openSqliteStore(file, { writer: 'thread' }),
    reopen: async () => openSqliteStore(file, { writer: 'thread' }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
};

export const memoryHarness: StoreFactory = () => ({
  open: async () => createMemoryStore(),
  dispose: async () => {},
});

/** The PostgreSQL the postgres tests use (trust auth on the test machines and in CI). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function probePostgres(connectionString: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why PostgreSQL cannot be used, or undefined when it answered. */
export const POSTGRES_PROBLEM = await probePostgres(TEST_DATABASE_URL);
/**
 * Whether the postgres cases are registered. Under CI=true they always are, so a missing PostgreSQL fails
 * them instead of passing the suite unnoticed; a developer without one gets them skipped, and told so.
 */
export const RUN_POSTGRES = POSTGRES_PROBLEM === undefined || process.env.CI === 'true';
if (!RUN_POSTGRES) {
  console.warn(
    `PostgreSQL at ${TEST_DATABASE_URL} did not answer (${POSTGRES_PROBLEM}): the postgres store tests are skipped. ` +
      'Start one, or point TEST_DATABASE_URL at one; under CI=true this is a failure.',
  );
}

const assertPostgres = (): void => {
  if (POSTGRES_PROBLEM !== undefined)
    throw new Error(`PostgreSQL at ${TEST_DATABASE_URL} did not answer: ${POSTGRES_PROBLEM}`);
};

/** A schema name no other test (or test run) uses. */
export const randomSchema = (): string => `opsmap_test_${randomBytes(6).toString('hex')}`;

export async function dropSchema(schema: string): Promise<void> {
  if (POSTGRES_PROBLEM !== undefined) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

/** Each harness gets its own schema; reopen is a new store on the same one. */
export const postgresHarness: StoreFactory = () => {
  const schema = randomSchema();
  const open = async (): Promise<EventStore> => {
    assertPostgres();
    return openPostgresStore({ connectionString: TEST_DATABASE_URL, schema });
  };
  return { open, reopen: open, dispose: () => dropSchema(schema) };
};

/** [name, factory, durable]: a durable log outlives close() and is also tested across a reopen. */
export const STORE_IMPLEMENTATIONS: [name: string, factory: StoreFactory, durable: boolean][] = [
  ['sqlite', sqliteHarness, true],
  ['sqlite, writer thread', sqliteThreadHarness, true],
  ['memory', memoryHarness, false],
  ...(RUN_POSTGRES ? [['postgres', postgresHarness, true] as [string, StoreFactory, boolean]] : []),
];

const BASE_TIME = Date.parse('2026-07-20T06:00:00Z');
/** ISO time with Beijing's offset, as producers send it. */
export function beijingTime(ms: number): string {
  const local = new Date(ms + 8 * 3600_000).toISOString().slice(0, 19);
  return `${local}+08:00`;
}

/** A valid event; `i` makes the id (and so the event key) unique within a source. */
export function positionEvent(i: number, source: 'ranger_app' | 'osmand' = 'ranger_app'): OpsEvent {
  return {
    id: `pos-${i}`,
    kind: 'patrol.position',
    time: beijingTime(BASE_TIME + i * 1000),
    source,
    rangerId: `R${i % 37}`,
    patrolId: `P${i % 11}`,
    location: { lon: 116.65 + (i % 1000) * 1e-5, lat: 39.9 + (i % 777) * 1e-5 },
    speed: 1.4,
    battery: 80,
  };
}

export function ticketEvent(i: number): OpsEvent {
  return {
    id: `tk-${i}`,
    kind: 'ticket.created',
    time: beijingTime(BASE_TIME + i * 1000),
    source: 'hotline_12345',
    ticketId: `T${i}`,
    category: 'e_bike',
    urgency: 'normal',
    channel: 'hotline_12345',
    title: '楼道内电动车充电',
    location: { lon: 116.68, lat: 39.89 },
    meta: { serviceCode: 'EB-01', attempt: 1, callback: true, note: null },
  };
}

export const PLACE: Place = { townId: '110112004', gridId: 'g-12-34', propertyId: 'pd-7', forestId: 'fc-2' };
export const RECEIVED_AT = '2026-07-20T06:00:01.250Z';

/** Items with events start … start + n - 1; every third one has no place (outside every layer). */
export function items(start: number, n: number, make: (i: number) => OpsEvent = positionEvent): AppendItem[] {
  const out: AppendItem[] = [];
  for (let i = start; i < start + n; i++) {
    const item: AppendItem = { event: make(i), receivedAt: RECEIVED_AT };
    if (i % 3 !== 0) item.place = { townId: `t${i % 10}`, gridId: `g${i % 100}` };
    out.push(item);
  }
  return out;
}
