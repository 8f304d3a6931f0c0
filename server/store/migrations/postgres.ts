// Numbered schema migrations of the PostgreSQL store (event log, users, devices), one list for all tables of
// a schema because they share one schema_migrations table. Inline for the same reason as the SQLite ones, and
// append only: a released migration is never edited. The SQL names no schema: the runner (postgres.ts) sets
// search_path to the configured schema for the migration's transaction.
import type { Migration } from './sqlite';

export type { Migration };

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events',
    // seq is given by append (max + 1 under a table lock), not by a sequence: a sequence hands out numbers to
    // transactions that later roll back, and the log promises no gaps. event_key holds eventKey() with NUL
    // escaped (postgres.ts, pgKey()): PostgreSQL text cannot hold a NUL character. event is the JSON text as
    // JSON.stringify wrote it, not jsonb: jsonb refuses \u0000 in strings and renormalises the document, and
    // the log returns exactly what it was given. received_at is text for the same reason (the producer's
    // offset survives). Indexes beyond the two keys come with the queries that need them.
    sql: `
      CREATE TABLE events (
        seq         BIGINT PRIMARY KEY,
        event_key   TEXT   NOT NULL UNIQUE,
        kind        TEXT   NOT NULL,
        time_ms     BIGINT,
        received_at TEXT   NOT NULL,
        town_id     TEXT,
        grid_id     TEXT,
        event       TEXT   NOT NULL,
        place       TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'users and devices',
    // The same tables as users-sqlite.ts; epoch milliseconds in BIGINT, as the records carry them.
    sql: `
      CREATE TABLE users (
        username      TEXT    PRIMARY KEY,
        name          TEXT    NOT NULL,
        role          TEXT    NOT NULL CHECK (role IN ('admin', 'officer', 'leader')),
        scope         TEXT    NOT NULL,
        password_hash TEXT    NOT NULL,
        created_at    BIGINT  NOT NULL,
        disabled      BOOLEAN NOT NULL DEFAULT false
      );
      CREATE TABLE devices (
        id         TEXT   PRIMARY KEY,
        name       TEXT   NOT NULL,
        role       TEXT   NOT NULL CHECK (role IN ('wall', 'feed')),
        scope      TEXT   NOT NULL,
        token_hash TEXT   NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT
      );
    `,
  },
  {
    version: 3,
    name: 'keyframes',
    // As in SQLite (migrations/sqlite.ts, version 2): one row per keyframe, the body opaque bytes.
    sql: `
      CREATE TABLE keyframes (
        seq         BIGINT PRIMARY KEY,
        kind        TEXT   NOT NULL CHECK (kind IN ('midnight', 'periodic')),
        taken_ms    BIGINT NOT NULL,
        envelope_ms BIGINT NOT NULL,
        format      INTEGER NOT NULL,
        version     TEXT   NOT NULL,
        checksum    TEXT   NOT NULL,
        body        BYTEA  NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'keyframes of the hours',
    // As in SQLite (migrations/sqlite.ts, version 3): the kind 'hour', a keyframe at a local clock boundary.
    sql: `
      ALTER TABLE keyframes DROP CONSTRAINT keyframes_kind_check;
      ALTER TABLE keyframes ADD CONSTRAINT keyframes_kind_check CHECK (kind IN ('midnight', 'hour', 'periodic'));
    `,
  },
];
