// The embedded EventStore: one SQLite file (better-sqlite3, WAL). better-sqlite3 is synchronous, so every
// method does its work on the calling tick and the Promise is only the seam's shape (PostgreSQL will need it),
// except appends and archives with `writer: 'thread'`: those run on a connection of their own in a worker
// thread (sqlite-writer.js), so that the event loop goes on while a batch is inserted and fsynced.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
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
  /**
   * Where appends and archives run. 'inline' (the default): on the calling thread, which waits for the commit's
   * fsync. 'thread': on a writer thread with a connection of its own (reads stay on this thread's connection,
   * WAL lets them run beside a write); each still resolves only once its transaction is durable, and they commit
   * in the order they were called, so a bus may start the next one before the last has resolved (in-process
   * bus, `pipeline`). Ignored for ':memory:', which no second connection can open.
   */
  writer?: 'inline' | 'thread';
  /**
   * The writer thread stopped on its own (it should not: a crash of the thread, not a failed transaction). Every
   * append in flight and after it is refused; an append in flight may have committed without anybody being
   * told, so the default throws outside (an uncaught exception: the process restarts and folds the log again).
   */
  onWriterExit?: (error: Error) => void;
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
const INSERT_AT_SQL = `
  INSERT INTO events (seq, event_key, kind, time_ms, received_at, town_id, grid_id, event, place)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;
const SEQ_OF_KEY_SQL = 'SELECT seq FROM events WHERE event_key = ?';
const KEY_AT_SEQ_SQL = 'SELECT event_key FROM events WHERE seq = ?';

/** INSERT_SQL's parameters for one event, the event key first (sqlite-writer.js relies on it). */
type InsertRow = [
  key: string,
  kind: string,
  timeMs: number | null,
  receivedAt: string,
  townId: string | null,
  gridId: string | null,
  event: string,
  place: string | null,
];

/** One event's row. */
function insertRow(event: LogEvent, receivedAt: string, place: Place | undefined): InsertRow {
  const time = Date.parse(event.time);
  return [
    eventKey(event),
    event.kind,
    Number.isNaN(time) ? null : time,
    receivedAt,
    place?.townId ?? null,
    place?.gridId ?? null,
    JSON.stringify(event),
    place === undefined ? null : JSON.stringify(place),
  ];
}

/**
 * The answers to an append from the seq of each row: positive, stored under it; negative, a duplicate of the
 * event stored under its opposite.
 */
function appendResults(items: AppendItem[], seqs: Float64Array): AppendResult[] {
  const results: AppendResult[] = new Array<AppendResult>(items.length);
  for (let i = 0; i < items.length; i++) {
    const seq = seqs[i]!;
    if (seq < 0) {
      results[i] = { status: 'duplicate', seq: -seq };
      continue;
    }
    const { event, receivedAt, place } = items[i]!;
    results[i] = {
      status: 'stored',
      stored: place === undefined ? { seq, receivedAt, event } : { seq, receivedAt, event, place },
    };
  }
  return results;
}

type EventRow = [seq: number, receivedAt: string, event: string, place: string | null];

/** Opens (creating the folder, the file and the schema when needed) the SQLite event log at `path`. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): EventStore {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });

  const db = new Database(path);
  // Every connection to the file (this one, the writer thread's) runs these.
  const pragmas = [
    `synchronous = ${(options.synchronous ?? DEFAULT_SYNCHRONOUS).toUpperCase()}`,
    `busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`,
  ];
  try {
    db.pragma('journal_mode = WAL');
    for (const pragma of pragmas) db.pragma(pragma);
    migrate(db, SQLITE_MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }

  const insert = db.prepare<unknown[]>(INSERT_SQL);
  const seqOfKey = db.prepare<[string], number>(SEQ_OF_KEY_SQL).pluck();
  const readRange = db
    .prepare<[number, number, number], EventRow>(
      'SELECT seq, received_at, event, place FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    )
    .raw();
  const insertAt = db.prepare<unknown[]>(INSERT_AT_SQL);
  const keyAtSeq = db.prepare<[number], string>(KEY_AT_SEQ_SQL).pluck();
  const maxSeq = db.prepare<[], number | null>('SELECT max(seq) FROM events').pluck();

  // The same two transactions as sqlite-writer.js runs on its thread.
  const appendRows = db.transaction((rows: InsertRow[]): Float64Array => {
    const seqs = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const info = insert.run(row);
      if (info.changes === 1) {
        seqs[i] = Number(info.lastInsertRowid);
        continue;
      }
      // Already in the log, or earlier in this batch (the transaction sees its own rows): the first one's seq.
      const seq = seqOfKey.get(row[0]);
      if (seq === undefined) throw new Error(`event key ${JSON.stringify(row[0])} conflicted but is not in the log`);
      seqs[i] = -seq;
    }
    return seqs;
  });

  const archiveRows = db.transaction((rows: [number, ...InsertRow][]): Uint8Array => {
    const held = new Uint8Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (insertAt.run(row).changes === 1) {
        held[i] = 1;
        continue;
      }
      // Not inserted: this seq is held already (another node archived it, or a replay), or the key is held
      // under another seq (a duplicate the bus let through), which every node leaves out alike.
      const atSeq = keyAtSeq.get(row[0]);
      if (atSeq === row[1]) held[i] = 1;
      else if (atSeq !== undefined)
        throw new Error(`seq ${row[0]} already holds another event; the log and the bus disagree`);
    }
    return held;
  });

  const thread =
    options.writer === 'thread' && !inMemory
      ? startWriterThread(path, pragmas, options.onWriterExit ?? rethrowLater)
      : undefined;
  // IMMEDIATE takes the write lock up front; a deferred transaction that upgrades later can fail with
  // SQLITE_BUSY halfway through the batch when another connection writes.
  const writeAppend = (rows: InsertRow[]): Float64Array | Promise<Float64Array> =>
    thread ? (thread.call('append', rows) as Promise<Float64Array>) : appendRows.immediate(rows);
  const writeArchive = (rows: [number, ...InsertRow][]): Uint8Array | Promise<Uint8Array> =>
    thread ? (thread.call('archive', rows) as Promise<Uint8Array>) : archiveRows.immediate(rows);

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
      const rows = items.map((item) => insertRow(item.event, item.receivedAt, item.place));
      return appendResults(items, await writeAppend(rows));
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
      const rows = events.map((e): [number, ...InsertRow] => [e.seq, ...insertRow(e.event, e.receivedAt, e.place)]);
      const held = await writeArchive(rows);
      return events.filter((_, i) => held[i] === 1);
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
      // Writes already asked for finish first (they were promised an answer).
      await thread?.close();
      db.close();
    },
  };
}

/** The default for a writer thread that stopped on its own: see SqliteStoreOptions.onWriterExit. */
const rethrowLater = (error: Error): void => {
  queueMicrotask(() => {
    throw error;
  });
};

interface WriterThread {
  /** Runs one transaction on the thread; resolves with its answer once it is committed. */
  call(op: 'append' | 'archive', rows: unknown[][]): Promise<Float64Array | Uint8Array>;
  /** Resolves once every call made so far is answered and the thread has closed its connection. */
  close(): Promise<void>;
}

/** Starts sqlite-writer.js on `path`; calls are answered in the order they were made. */
function startWriterThread(path: string, pragmas: string[], onExit: (error: Error) => void): WriterThread {
  const worker = new Worker(new URL('./sqlite-writer.js', import.meta.url), {
    workerData: {
      path,
      pragmas,
      sql: { insert: INSERT_SQL, seqOfKey: SEQ_OF_KEY_SQL, insertAt: INSERT_AT_SQL, keyAtSeq: KEY_AT_SEQ_SQL },
    },
  });
  // The thread keeps the process alive only while it owes an answer.
  worker.unref();
  const waiting: { resolve: (result: Float64Array | Uint8Array) => void; reject: (error: Error) => void }[] = [];
  let stopped: Error | undefined;
  let closing = false;
  let lastError: unknown;

  worker.on(
    'message',
    (message: { result?: Float64Array | Uint8Array; error?: { message: string; code?: string } }) => {
      const call = waiting.shift();
      if (waiting.length === 0) worker.unref();
      if (!call) return;
      if (message.error) {
        const error = new Error(message.error.message) as Error & { code?: string };
        if (message.error.code !== undefined) error.code = message.error.code;
        call.reject(error);
      } else call.resolve(message.result!);
    },
  );
  worker.on('error', (error) => {
    lastError = error;
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (code) => {
      const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
      stopped = new Error(`the SQLite writer thread stopped (exit code ${code})${cause}`);
      for (const call of waiting.splice(0)) call.reject(stopped);
      if (!closing) onExit(stopped);
      resolve();
    });
  });

  return {
    call(op, rows) {
      if (stopped) return Promise.reject(stopped);
      return new Promise((resolve, reject) => {
        // Posted before it is counted: a message that cannot be posted must not take the next call's answer.
        worker.postMessage({ op, rows });
        if (waiting.length === 0) worker.ref();
        waiting.push({ resolve, reject });
      });
    },
    async close() {
      if (closing) return exited;
      closing = true;
      if (!stopped) {
        worker.ref();
        // Posted after every call made so far, so the thread answers them before it closes.
        worker.postMessage({ op: 'close' });
      }
      return exited;
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
