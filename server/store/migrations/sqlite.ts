// Numbered schema migrations of the SQLite event log. Kept inline (not .sql files) so that they travel with the
// code through any build or bundle without a runtime file lookup. Append only: a released migration is never
// edited, because files already migrated by it would silently differ from new ones.

export interface Migration {
  /** 1, 2, 3 … without gaps; schema_migrations records the highest one applied. */
  version: number;
  name: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events',
    // seq is the rowid alias: SQLite gives a new row max(rowid) + 1, and the log never deletes, so seqs are
    // gap-free without AUTOINCREMENT's extra sqlite_sequence write. event_key is UNIQUE because it is the
    // idempotency key (eventKey(): source NUL id). time_ms is the event time as epoch milliseconds: the ISO text
    // carries different offsets (+08:00, Z) and would not sort. town_id / grid_id are copied out of place for
    // history queries; their indexes come with the queries that need them, since every index slows append.
    // STRICT makes a wrong bind type an error instead of a silently coerced value.
    sql: `
      CREATE TABLE events (
        seq         INTEGER PRIMARY KEY,
        event_key   TEXT    NOT NULL UNIQUE,
        kind        TEXT    NOT NULL,
        time_ms     INTEGER,
        received_at TEXT    NOT NULL,
        town_id     TEXT,
        grid_id     TEXT,
        event       TEXT    NOT NULL,
        place       TEXT
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'keyframes',
    // One row per keyframe of the projection host (live/keyframes.ts); the body is opaque here. A row is written
    // in one transaction, so a kill -9 during a write leaves the older rows whole.
    sql: `
      CREATE TABLE keyframes (
        seq         INTEGER PRIMARY KEY,
        kind        TEXT    NOT NULL CHECK (kind IN ('midnight', 'periodic')),
        taken_ms    INTEGER NOT NULL,
        envelope_ms INTEGER NOT NULL,
        format      INTEGER NOT NULL,
        version     TEXT    NOT NULL,
        checksum    TEXT    NOT NULL,
        body        BLOB    NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'keyframes of the hours',
    // A third kind, 'hour': taken at a local clock boundary every KEYFRAME_HISTORY_HOURS and kept like the midnight
    // ones, so that a replay folds hours instead of up to a day. SQLite cannot change a CHECK in place: the table
    // is rebuilt, rows and all, in the migration's transaction.
    sql: `
      CREATE TABLE keyframes_v3 (
        seq         INTEGER PRIMARY KEY,
        kind        TEXT    NOT NULL CHECK (kind IN ('midnight', 'hour', 'periodic')),
        taken_ms    INTEGER NOT NULL,
        envelope_ms INTEGER NOT NULL,
        format      INTEGER NOT NULL,
        version     TEXT    NOT NULL,
        checksum    TEXT    NOT NULL,
        body        BLOB    NOT NULL
      ) STRICT;
      INSERT INTO keyframes_v3 SELECT seq, kind, taken_ms, envelope_ms, format, version, checksum, body FROM keyframes;
      DROP TABLE keyframes;
      ALTER TABLE keyframes_v3 RENAME TO keyframes;
    `,
  },
];
