// Shared by the store and bus suites: the list of EventStore implementations under contract, and valid events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { OpsEvent, Place } from '../../server/contract/events';
import { createMemoryStore } from '../../server/store/memory';
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

export const memoryHarness: StoreFactory = () => ({
  open: async () => createMemoryStore(),
  dispose: async () => {},
});

/** [name, factory, durable]: a durable log outlives close() and is also tested across a reopen. */
export const STORE_IMPLEMENTATIONS: [name: string, factory: StoreFactory, durable: boolean][] = [
  ['sqlite', sqliteHarness, true],
  ['memory', memoryHarness, false],
  // ['postgres', postgresHarness, true], — once server/store/postgres.ts exists (CI has PostgreSQL).
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
