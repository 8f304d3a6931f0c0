// The embedded EventStore: one SQLite file (better-sqlite3, WAL). better-sqlite3 is synchronous, so every
// method does its work on the calling tick and the Promise is only the seam's shape (PostgreSQL will need it).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { LogEvent, Place, StoredEvent } from '../contract/events';
import { sqliteKeyframes } from './keyframes-sqlite';
import { SQLITE_MIGRATIONS, type Migration } from './migrations/sqlite';
import { eventKey, type AppendItem, type AppendResult, type EventStore } from './types';

/** Where the embedded server keeps its log unless configured otherwise (relative to the working directory). */
export const DEFAULT_SQLITE_PATH = './var/opsmap.sqlite';

/**
 * 'full' (the default) fsyncs the WAL on every commit, so an acknowledged batch survives kill -9, an OS crash
 * and a power cut. 'normal' skips that fsync: with WAL a commit is still written to the file (the OS page
 * cache) before append resolves, so it survives kill -9 of the process, but the last commits can be lost if
 * the machine itself goes down.
 */
export type SqliteSynchronous = 'full' | 'normal';

export interface SqliteStoreOptions {
  synchronous?: SqliteSynchronous;
  /** How long a write waits for another connection's lock (a backup, the sqlite3 CLI) before failing. */
  busyTimeoutMs?: number;
}

// Why FULL by default: the promise is "a 2xx means durable". NORMAL already keeps that promise for kill -9,
// the case the tests exercise, but a command centre's laptop or small server can lose power, and an
// acknowledged ticket that vanishes then is exactly what the promise rules out. FULL costs one WAL fsync per
// append() call, not per event, and NORMAL pays for the same bytes at each checkpoint anyway: on the 2-core
// dev VM, bench.ts measured both at ~185k events/s with 1,000-event batches (medians of 5, within noise).
// Where a disk's fsync is slow (spinning disk, network volume) and the machine is on a UPS, 'normal' is the
// deliberate trade.
const DEFAULT_SYNCHRONOUS: SqliteSynchronous = 'full';

const INSERT_SQL = `
  INSERT INTO events (event_key, kind, time_ms, received_at, town_id, grid_id, event, place)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (event_key) DO NOTHING`;
// ON CONFLICT (event_key) rather than INSERT OR IGNORE: OR IGNORE would also swallow a NOT NULL or STRICT type
// violation, turning a bug into a "duplicate" that points at no row.

type EventRow = [seq: number, receivedAt: string, event: string, place: string | null];

/** Opens (creating the folder, the file and the schema when needed) the SQLite event log at `path`. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): EventStore {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });

  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${(options.synchronous ?? DEFAULT_SYNCHRONOUS).toUpperCase()}`);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    migrate(db, SQLITE_MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }

  const insert = db.prepare<unknown[]>(INSERT_SQL);
  const seqOfKey = db.prepare<[string], number>('SELECT seq FROM events WHERE event_key = ?').pluck();
  const readRange = db
    .prepare<[number, number, number], EventRow>(
      'SELECT seq, received_at, event, place FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    )
    .raw();
  const insertAt = db.prepare<unknown[]>(`
    INSERT INTO events (seq, event_key, kind, time_ms, received_at, town_id, grid_id, event, place)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING`);
  const keyAtSeq = db.prepare<[number], string>('SELECT event_key FROM events WHERE seq = ?').pluck();
  const maxSeq = db.prepare<[], number | null>('SELECT max(seq) FROM events').pluck();

  const appendAll = db.transaction((items: AppendItem[]): AppendResult[] => {
    const results: AppendResult[] = new Array<AppendResult>(items.length);
    for (let i = 0; i < items.length; i++) {
      const { event, receivedAt, place } = items[i]!;
      const key = eventKey(event);
      const time = Date.parse(event.time);
      const info = insert.run(
        key,
        event.kind,
        Number.isNaN(time) ? null : time,
        receivedAt,
        place?.townId ?? null,
        place?.gridId ?? null,
        JSON.stringify(event),
        place === undefined ? null : JSON.stringify(place),
      );
      if (info.changes === 1) {
        const seq = Number(info.lastInsertRowid);
        results[i] = {
          status: 'stored',
          stored: place === undefined ? { seq, receivedAt, event } : { seq, receivedAt, event, place },
        };
      } else {
        // Already in the log, or earlier in this batch (the transaction sees its own rows): the first one's seq.
        const seq = seqOfKey.get(key);
        if (seq === undefined) throw new Error(`event key ${JSON.stringify(key)} conflicted but is not in the log`);
        results[i] = { status: 'duplicate', seq };
      }
    }
    return results;
  });

  const archiveAll = db.transaction((events: StoredEvent[]): StoredEvent[] => {
    const held: StoredEvent[] = [];
    for (const stored of events) {
      const { event, place } = stored;
      const key = eventKey(event);
      const time = Date.parse(event.time);
      const info = insertAt.run(
        stored.seq,
        key,
        event.kind,
        Number.isNaN(time) ? null : time,
        stored.receivedAt,
        place?.townId ?? null,
        place?.gridId ?? null,
        JSON.stringify(event),
        place === undefined ? null : JSON.stringify(place),
      );
      if (info.changes === 1) {
        held.push(stored);
        continue;
      }
      // Not inserted: this seq is held already (another node archived it, or a replay), or the key is held
      // under another seq (a duplicate the bus let through), which every node leaves out alike.
      const atSeq = keyAtSeq.get(stored.seq);
      if (atSeq === key) held.push(stored);
      else if (atSeq !== undefined)
        throw new Error(`seq ${stored.seq} already holds another event; the log and the bus disagree`);
    }
    return held;
  });

  let open = true;
  const assertOpen = (): void => {
    if (!open) throw new Error('the event store is closed');
  };
  const lastSeqNow = (): number => maxSeq.get() ?? 0;
  const readNow = (afterSeq: number, untilSeq: number, limit: number): StoredEvent[] => {
    if (!(limit >= 1)) return [];
    // SQLite's LIMIT takes an integer; Infinity ("all of it") would be bound as a REAL and refused.
    return readRange.all(afterSeq, untilSeq, Math.min(Math.floor(limit), Number.MAX_SAFE_INTEGER)).map(toStored);
  };

  return {
    keyframes: sqliteKeyframes(db),
    async append(items) {
      assertOpen();
      if (items.length === 0) return [];
      // IMMEDIATE takes the write lock up front; a deferred transaction that upgrades later can fail with
      // SQLITE_BUSY halfway through the batch when another connection writes.
      return appendAll.immediate(items);
    },

    async read(afterSeq, limit) {
      assertOpen();
      return readNow(afterSeq, Number.MAX_SAFE_INTEGER, limit);
    },

    async scan(afterSeq, batchSize, onBatch) {
      assertOpen();
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
      // Keyset pages on the primary key, one query per batch: memory stays at one batch, and no statement is
      // left open while onBatch awaits (better-sqlite3 refuses writes on a connection with an open iterator).
      // The end is fixed at the call so that a scan under steady ingest terminates; whoever needs what came
      // later subscribes from the last seq it saw.
      const end = lastSeqNow();
      let cursor = afterSeq;
      while (cursor < end) {
        assertOpen();
        const batch = readNow(cursor, end, batchSize);
        if (batch.length === 0) return;
        await onBatch(batch);
        cursor = batch[batch.length - 1]!.seq;
      }
    },

    async lastSeq() {
      assertOpen();
      return lastSeqNow();
    },

    async archive(events) {
      assertOpen();
      if (events.length === 0) return [];
      return archiveAll.immediate(events);
    },

    async seqsOfKeys(keys) {
      assertOpen();
      const found = new Map<string, number>();
      for (const key of keys) {
        const seq = seqOfKey.get(key);
        if (seq !== undefined) found.set(key, seq);
      }
      return found;
    },

    async close() {
      if (!open) return;
      open = false;
      db.close();
    },
  };
}

function toStored(row: EventRow): StoredEvent {
  const [seq, receivedAt, event, place] = row;
  const stored: StoredEvent = { seq, receivedAt, event: JSON.parse(event) as LogEvent };
  if (place !== null) stored.place = JSON.parse(place) as Place;
  return stored;
}

/** Applies the migrations newer than the file's version, each in its own transaction, in order. */
function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const current = db.prepare<[], number | null>('SELECT max(version) FROM schema_migrations').pluck();
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const found = current.get() ?? 0;
  if (found > latest) {
    // A newer build wrote this file; writing to it with an older schema could corrupt what that build expects.
    throw new Error(
      `event store schema version ${found} is newer than this build knows (${latest}); upgrade the server`,
    );
  }
  for (const m of migrations) {
    // The version is re-read inside the IMMEDIATE transaction so two processes opening a fresh file at once
    // cannot both apply the same migration.
    db.transaction(() => {
      if ((current.get() ?? 0) >= m.version) return;
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }).immediate();
  }
}
