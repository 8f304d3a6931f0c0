// The EventStore on PostgreSQL, for several nodes sharing one log. Same contract as the SQLite store, checked
// by the same suite (tests/integration/store-contract.test.ts). Every write is one transaction that takes the
// events table's lock first: that is what keeps seqs gap-free across nodes. The price is one writer at a time,
// so a batch costs four round trips whatever its size (BEGIN with the lock, one look-up, one insert, COMMIT),
// and throughput comes from batching: 18k-38k events/s with 1,000-event batches, 10k-19k with 100, against a
// local PostgreSQL 15 on the shared 2-core dev VM (noisy; not a bench.ts figure).
import pg from 'pg';
import type { LogEvent, Place, StoredEvent } from '../contract/events';
import { postgresKeyframes } from './keyframes-postgres';
import { POSTGRES_MIGRATIONS, type Migration } from './migrations/postgres';
import { eventKey, type AppendItem, type AppendResult, type EventStore } from './types';

export interface PostgresOptions {
  connectionString: string;
  /** Where the tables live; created when missing. Default 'public'. */
  schema?: string;
  /** Most connections this store holds at once. Default 10. */
  poolSize?: number;
}

// Outages: a request must get its 503 while a producer still waits, not after a TCP timeout, so connecting
// and every query have a bound; the pool then opens fresh connections on the next call, so recovery needs
// no restart. The server-side statement_timeout also frees the table lock if this process stalls mid-batch.
const CONNECT_TIMEOUT_MS = 2000;
const QUERY_TIMEOUT_MS = 5000;
// A node that vanishes inside a transaction (network cut, no FIN) would otherwise hold the table lock until
// the server's TCP keepalive gives up.
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;
// Migrations and the wait for another node's migrations may take longer than a request may.
const MIGRATION_TIMEOUT_MS = 10 * 60_000;

/** An identifier as SQL text, whatever it contains. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * eventKey() joins source and id with NUL, and PostgreSQL text cannot hold NUL. Escaping backslash first keeps
 * the mapping one-to-one, so two keys never share a row.
 */
// eslint-disable-next-line no-control-regex -- NUL is the one character PostgreSQL's text type refuses: escaped on purpose.
export const pgKey = (key: string): string => key.replace(/[\\\u0000]/g, (c) => (c === '\\' ? '\\\\' : '\\0'));

/** pgKey() undone: the event key the row was written for. */
export const fromPgKey = (stored: string): string =>
  stored.replace(/\\([\\0])/g, (_m, c: string) => (c === '0' ? '\u0000' : '\\'));

type QueryWithTimeout = pg.QueryConfig & { query_timeout: number };
const long = (text: string, values?: unknown[]): QueryWithTimeout => ({
  text,
  values: values ?? [],
  query_timeout: MIGRATION_TIMEOUT_MS,
});

/** A pool with the outage bounds; neither an idle nor a busy connection's error can become an uncaught exception. */
export function createPostgresPool(options: PostgresOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: Math.max(1, Math.floor(options.poolSize ?? 10)),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    query_timeout: QUERY_TIMEOUT_MS,
    statement_timeout: QUERY_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    keepAlive: true,
  });
  // The pool emits an idle client's error here; without a listener Node throws it. The failed client is
  // already out of the pool, and the next call connects anew, so there is nothing more to do.
  pool.on('error', () => {});
  // A client checked out for a transaction has no pool listener; its error also fails the query in flight,
  // which is where the caller hears of it.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/**
 * Runs fn inside BEGIN … COMMIT on one connection and resolves only after COMMIT. On any failure the
 * connection is destroyed rather than returned, which rolls the transaction back on the server and keeps a
 * connection in an unknown state out of the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let result: T;
  try {
    await client.query(begin);
    result = await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    client.release(err instanceof Error ? err : true);
    throw err;
  }
  client.release();
  return result;
}

/**
 * Creates the schema when missing and applies the migrations newer than its version, each in its own
 * transaction, under a session advisory lock keyed by the schema: two nodes starting at once on an empty
 * database take turns, and the second finds the work done.
 */
export async function migratePostgres(
  pool: pg.Pool,
  schema: string,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<void> {
  const s = quoteIdent(schema);
  const latest = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const client = await pool.connect();
  try {
    await client.query(long('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`opsmap.migrate:${schema}`]));
    // Only when missing: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database, which a
    // deployment's role may lack for a schema its DBA made.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version    INTEGER     PRIMARY KEY,
      name       TEXT        NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const found = Number(
      (await client.query<{ v: number }>(`SELECT coalesce(max(version), 0) AS v FROM ${s}.schema_migrations`)).rows[0]!
        .v,
    );
    if (found > latest) {
      // A newer build wrote this schema; writing to it with an older one could corrupt what that build expects.
      throw new Error(
        `store schema ${schema} is at version ${found}, newer than this build knows (${latest}); upgrade the server`,
      );
    }
    for (const m of migrations) {
      if (m.version <= found) continue;
      await client.query('BEGIN');
      await client.query(`SET LOCAL search_path TO ${s}`);
      await client.query(`SET LOCAL statement_timeout = ${MIGRATION_TIMEOUT_MS}`);
      await client.query(long(m.sql));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      await client.query('COMMIT');
    }
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`opsmap.migrate:${schema}`]);
  } catch (err) {
    // Ending the session rolls back a half-applied migration and releases the advisory lock with it.
    client.release(err instanceof Error ? err : true);
    throw err;
  }
  client.release();
}

/** A pool on a migrated schema, or a rejection (PostgreSQL unreachable, schema too new); shared with users-postgres.ts. */
export async function openPostgresPool(options: PostgresOptions): Promise<{ pool: pg.Pool; schema: string }> {
  const schema = options.schema ?? 'public';
  const pool = createPostgresPool(options);
  try {
    await migratePostgres(pool, schema);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return { pool, schema };
}

interface EncodedRow {
  key: string;
  kind: string;
  timeMs: number | null;
  receivedAt: string;
  townId: string | null;
  gridId: string | null;
  event: string;
  place: string | null;
}

interface EventRow {
  seq: string;
  received_at: string;
  event: string;
  place: string | null;
}

// Encoding the whole batch before the transaction lets a value JSON cannot hold fail the batch without a
// round trip, as in the memory store.
function encode(event: LogEvent, receivedAt: string, place: Place | undefined): EncodedRow {
  const time = Date.parse(event.time);
  return {
    key: pgKey(eventKey(event)),
    kind: event.kind,
    timeMs: Number.isNaN(time) ? null : time,
    receivedAt,
    townId: place?.townId ?? null,
    gridId: place?.gridId ?? null,
    event: JSON.stringify(event),
    place: place === undefined ? null : JSON.stringify(place),
  };
}

function toStored(row: EventRow): StoredEvent {
  const stored: StoredEvent = {
    seq: Number(row.seq),
    receivedAt: row.received_at,
    event: JSON.parse(row.event) as LogEvent,
  };
  if (row.place !== null) stored.place = JSON.parse(row.place) as Place;
  return stored;
}

/** A seq bound as bigint: seqs are whole and positive, so flooring and clamping keep `seq > x` the same. */
const seqBound = (x: number): number => Math.min(Math.max(Math.floor(x), 0), Number.MAX_SAFE_INTEGER);

/** Opens (creating the schema and tables when needed) the event log in `options.schema`. */
export async function openPostgresStore(options: PostgresOptions): Promise<EventStore> {
  const { pool, schema } = await openPostgresPool(options);
  const events = `${quoteIdent(schema)}.events`;

  // The rows as one JSON document of one object per row: one parameter whatever the batch size (a VALUES list
  // would hit the 65,535-parameter limit at ~7,000 rows), and JSON.stringify escapes the event texts natively,
  // where arrays per column went through pg's array-literal escaping in JavaScript, a regex pass per value:
  // measured, half of the archiving node's CPU for the archive. A JSON string comes back from json_to_recordset
  // exactly as it went in, \u0000 escapes included (the event text holds NUL as \u0000, which the outer document
  // carries as \\u0000, never as a NUL escape PostgreSQL would refuse).
  const INSERT_ROWS = `
    INSERT INTO ${events} (seq, event_key, kind, time_ms, received_at, town_id, grid_id, event, place)
    SELECT seq, event_key, kind, time_ms, received_at, town_id, grid_id, event, place
    FROM json_to_recordset($1::json) AS r(seq bigint, event_key text, kind text, time_ms bigint, received_at text,
      town_id text, grid_id text, event text, place text)`;
  // EXCLUSIVE blocks every other writer (appends and archives on any node) and no reader. Sent with BEGIN as
  // one simple query, to save a round trip per batch.
  const BEGIN_LOCKED = `BEGIN; LOCK TABLE ${events} IN EXCLUSIVE MODE`;

  const insertRows = (
    client: pg.PoolClient,
    rows: { seq: number; row: EncodedRow }[],
    suffix = '',
  ): Promise<pg.QueryResult> =>
    client.query(INSERT_ROWS + suffix, [
      JSON.stringify(
        rows.map(({ seq, row }) => ({
          seq,
          event_key: row.key,
          kind: row.kind,
          time_ms: row.timeMs,
          received_at: row.receivedAt,
          town_id: row.townId,
          grid_id: row.gridId,
          event: row.event,
          place: row.place,
        })),
      ),
    ]);

  let open = true;
  /** The connection that holds the archive lease's advisory lock, while this node holds it. */
  let leaseClient: pg.PoolClient | undefined;
  const assertOpen = (): void => {
    if (!open) throw new Error('the event store is closed');
  };

  const lastSeqNow = async (): Promise<number> =>
    Number((await pool.query<{ seq: string }>(`SELECT coalesce(max(seq), 0) AS seq FROM ${events}`)).rows[0]!.seq);

  const readNow = async (afterSeq: number, untilSeq: number, limit: number): Promise<StoredEvent[]> => {
    if (!(limit >= 1) || Number.isNaN(afterSeq)) return [];
    const { rows } = await pool.query<EventRow>(
      `SELECT seq, received_at, event, place FROM ${events} WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
      // LIMIT NULL is no limit: read(after, Infinity) is "all of it".
      [seqBound(afterSeq), seqBound(untilSeq), limit === Infinity ? null : Math.floor(limit)],
    );
    return rows.map(toStored);
  };

  return {
    keyframes: postgresKeyframes(pool, schema),
    async append(items: AppendItem[]): Promise<AppendResult[]> {
      assertOpen();
      if (items.length === 0) return [];
      const rows = items.map(({ event, receivedAt, place }) => encode(event, receivedAt, place));
      const keys = [...new Set(rows.map((r) => r.key))];
      return inTransaction(
        pool,
        async (client) => {
          // Read under the lock: READ COMMITTED gives each statement a fresh snapshot, so this sees every batch
          // committed by whoever held the lock before.
          const found = await client.query<{ event_key: string | null; seq: string }>(
            `SELECT NULL AS event_key, coalesce(max(seq), 0) AS seq FROM ${events}
           UNION ALL
           SELECT event_key, seq FROM ${events} WHERE event_key = ANY($1::text[])`,
            [keys],
          );
          const seqByKey = new Map<string, number>();
          let last = 0;
          for (const r of found.rows) {
            if (r.event_key === null) last = Number(r.seq);
            else seqByKey.set(r.event_key, Number(r.seq));
          }
          const fresh: { seq: number; row: EncodedRow }[] = [];
          const results: AppendResult[] = items.map(({ event, receivedAt, place }, i) => {
            const row = rows[i]!;
            const first = seqByKey.get(row.key);
            if (first !== undefined) return { status: 'duplicate', seq: first };
            const seq = ++last;
            seqByKey.set(row.key, seq);
            fresh.push({ seq, row });
            return {
              status: 'stored',
              stored: place === undefined ? { seq, receivedAt, event } : { seq, receivedAt, event, place },
            };
          });
          if (fresh.length > 0) await insertRows(client, fresh);
          return results;
        },
        BEGIN_LOCKED,
      );
    },

    async read(afterSeq, limit) {
      assertOpen();
      return readNow(afterSeq, Number.MAX_SAFE_INTEGER, limit);
    },

    async scan(afterSeq, batchSize, onBatch) {
      assertOpen();
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
      // Keyset pages on the primary key, one query per page, no cursor held open while onBatch awaits. The end
      // is fixed at the call so that a scan under steady ingest terminates.
      const end = await lastSeqNow();
      let cursor = afterSeq;
      while (cursor < end) {
        assertOpen();
        const batch = await readNow(cursor, end, batchSize);
        if (batch.length === 0) return;
        await onBatch(batch);
        cursor = batch[batch.length - 1]!.seq;
      }
    },

    async lastSeq() {
      assertOpen();
      return lastSeqNow();
    },

    async archive(stored) {
      assertOpen();
      if (stored.length === 0) return [];
      const rows = stored.map(({ event, receivedAt, place }) => encode(event, receivedAt, place));
      return inTransaction(
        pool,
        async (client) => {
          const found = await client.query<{ seq: string; event_key: string }>(
            `SELECT seq, event_key FROM ${events} WHERE seq = ANY($1::bigint[]) OR event_key = ANY($2::text[])`,
            [[...new Set(stored.map((s) => s.seq))], [...new Set(rows.map((r) => r.key))]],
          );
          const keyBySeq = new Map<number, string>();
          const seqByKey = new Map<string, number>();
          for (const r of found.rows) {
            keyBySeq.set(Number(r.seq), r.event_key);
            seqByKey.set(r.event_key, Number(r.seq));
          }
          // The same decisions, in the same order, as the SQLite store's row-by-row ON CONFLICT DO NOTHING, made
          // on what the lock guarantees is the whole truth, then written in one statement.
          const held: StoredEvent[] = [];
          const fresh: { seq: number; row: EncodedRow }[] = [];
          stored.forEach((s, i) => {
            const row = rows[i]!;
            const atSeq = keyBySeq.get(s.seq);
            if (atSeq !== undefined) {
              if (atSeq !== row.key)
                throw new Error(`seq ${s.seq} already holds another event; the log and the bus disagree`);
              held.push(s);
              return;
            }
            // The key is held under another seq: a duplicate the bus let through, left out on every node alike.
            if (seqByKey.has(row.key)) return;
            keyBySeq.set(s.seq, row.key);
            seqByKey.set(row.key, s.seq);
            fresh.push({ seq: s.seq, row });
            held.push(s);
          });
          if (fresh.length > 0) {
            const inserted = await insertRows(client, fresh, ' ON CONFLICT DO NOTHING');
            // Only a writer that skips the lock can make this differ; reporting rows as held that are not would
            // make this node fold events the log does not have.
            if (inserted.rowCount !== fresh.length)
              throw new Error('archive: rows appeared under the table lock; a writer is not taking it');
          }
          return held;
        },
        BEGIN_LOCKED,
      );
    },

    async seqsOfKeys(keys) {
      assertOpen();
      const found = new Map<string, number>();
      if (keys.length === 0) return found;
      const byPgKey = new Map<string, string>();
      for (const key of keys) byPgKey.set(pgKey(key), key);
      const { rows } = await pool.query<{ event_key: string; seq: string }>(
        `SELECT event_key, seq FROM ${events} WHERE event_key = ANY($1::text[])`,
        [[...byPgKey.keys()]],
      );
      for (const r of rows) found.set(byPgKey.get(r.event_key)!, Number(r.seq));
      return found;
    },

    async scanKeys(afterSeq, batchSize, onBatch) {
      assertOpen();
      let cursor = seqBound(afterSeq);
      for (;;) {
        const { rows } = await pool.query<{ seq: string; event_key: string }>(
          `SELECT seq, event_key FROM ${events} WHERE seq > $1 ORDER BY seq LIMIT $2`,
          [cursor, batchSize],
        );
        if (rows.length === 0) return;
        cursor = Number(rows[rows.length - 1]!.seq);
        onBatch(
          rows.map((r) => fromPgKey(r.event_key)),
          cursor,
        );
        if (rows.length < batchSize) return;
      }
    },

    async archiveLease() {
      assertOpen();
      if (leaseClient) return true;
      const client = await pool.connect();
      try {
        const { rows } = await client.query<{ held: boolean }>(
          'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held',
          [`opsmap.archive:${schema}`],
        );
        if (!rows[0]!.held) {
          client.release();
          return false;
        }
      } catch (err) {
        client.release(err instanceof Error ? err : true);
        throw err;
      }
      // A session lock: it lasts as long as this connection, which stays out of the pool; PostgreSQL frees it when
      // the connection ends (the process killed, the network cut), and another node takes it on its next try.
      leaseClient = client;
      const lapse = (): void => {
        if (leaseClient !== client) return;
        leaseClient = undefined;
        client.release(true);
      };
      client.on('error', lapse);
      client.on('end', lapse);
      return true;
    },

    async close() {
      if (!open) return;
      open = false;
      if (leaseClient) {
        leaseClient.release(true);
        leaseClient = undefined;
      }
      await pool.end();
    },
  };
}
