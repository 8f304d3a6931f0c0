// What only the SQLite store promises beyond the contract: its file, its settings, its migrations.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SQLITE_MIGRATIONS } from '../../server/store/migrations/sqlite';
import { openSqliteStore } from '../../server/store/sqlite';
import { items, tempDir } from '../helpers/store';

const dirs: string[] = [];
const freshFile = (): string => {
  const dir = tempDir('opsmap-sqlite-');
  dirs.push(dir);
  return path.join(dir, 'a', 'b', 'opsmap.sqlite');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SQLite event store', () => {
  it('creates the parent folders and the file, in WAL mode with FULL sync by default', async () => {
    const file = freshFile();
    const store = openSqliteStore(file);
    expect(existsSync(file)).toBe(true);
    await store.append(items(0, 3));
    await store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(3);
    db.close();
  });

  it('applies the numbered migrations once and records them', async () => {
    expect(SQLITE_MIGRATIONS.map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((_, i) => i + 1));
    const file = freshFile();
    await openSqliteStore(file).close();
    await openSqliteStore(file).close(); // the second open finds nothing to do
    const db = new Database(file, { readonly: true });
    const applied = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(applied).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    db.close();
  });

  it.each(['inline', 'thread'] as const)(
    'keeps the history columns: kind, UTC time, town and grid (writer %s)',
    async (writer) => {
      const file = freshFile();
      const store = openSqliteStore(file, { writer });
      await store.append(items(1, 1)); // has a place (1 % 3 !== 0)
      await store.close();
      const db = new Database(file, { readonly: true });
      const row = db.prepare('SELECT kind, time_ms, received_at, town_id, grid_id FROM events').get();
      expect(row).toEqual({
        kind: 'patrol.position',
        time_ms: Date.parse('2026-07-20T06:00:01Z'),
        received_at: '2026-07-20T06:00:01.250Z',
        town_id: 't1',
        grid_id: 'g1',
      });
      db.close();
    },
  );

  it('refuses a file written by a newer schema rather than writing to it', async () => {
    const file = freshFile();
    await openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      SQLITE_MIGRATIONS.length + 1,
      'future',
      'x',
    );
    db.close();
    expect(() => openSqliteStore(file)).toThrow(/newer than this build/);
  });

  it('honours synchronous: normal when asked', async () => {
    const file = freshFile();
    const store = openSqliteStore(file, { synchronous: 'normal' });
    await store.append(items(0, 2));
    expect(await store.lastSeq()).toBe(2);
    await store.close();
  });

  it('rolls back the whole batch when one item cannot be stored', async () => {
    const file = freshFile();
    const store = openSqliteStore(file);
    await store.append(items(0, 2));
    const bad = items(2, 3);
    // A BigInt cannot be JSON-serialised: the third item fails after two were inserted in the transaction.
    (bad[2]!.event as unknown as { meta: unknown }).meta = { n: 1n };
    await expect(store.append(bad)).rejects.toThrow();
    expect(await store.lastSeq()).toBe(2);
    const results = await store.append(items(2, 2));
    expect(results.map((r) => (r.status === 'stored' ? r.stored.seq : -1))).toEqual([3, 4]);
    await store.close();
  });
});

describe('SQLite event store, writer thread', () => {
  it('answers an append only once it is committed: not while another connection holds the write lock', async () => {
    const file = freshFile();
    const store = openSqliteStore(file, { writer: 'thread' });
    await store.append(items(0, 1));
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    let answered = false;
    const append = store.append(items(1, 2)).then((r) => {
      answered = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    expect(other.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
    other.exec('COMMIT');
    expect((await append).map((r) => (r.status === 'stored' ? r.stored.seq : -1))).toEqual([2, 3]);
    expect(other.prepare('SELECT count(*) FROM events').pluck().get()).toBe(3);
    other.close();
    await store.close();
  });

  it('fails an append the lock keeps out past the busy timeout, storing nothing of it, and goes on after', async () => {
    const file = freshFile();
    const store = openSqliteStore(file, { writer: 'thread', busyTimeoutMs: 50 });
    const other = new Database(file);
    other.exec('BEGIN IMMEDIATE');
    await expect(store.append(items(0, 3))).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('COMMIT');
    other.close();
    expect(await store.lastSeq()).toBe(0);
    const results = await store.append(items(0, 3));
    expect(results.map((r) => (r.status === 'stored' ? r.stored.seq : -1))).toEqual([1, 2, 3]);
    await store.close();
  });

  it('commits appends in the order they were called, with duplicates answered across them', async () => {
    const file = freshFile();
    const store = openSqliteStore(file, { writer: 'thread' });
    // None awaited before the next is asked for, as the pipelined bus does.
    const answers = [
      store.append(items(0, 5)),
      store.append(items(5, 5)),
      store.append(items(3, 4)),
      store.append(items(10, 1)),
    ];
    const seqs = (await Promise.all(answers)).map((rs) =>
      rs.map((r) => (r.status === 'stored' ? r.stored.seq : -r.seq)),
    );
    // Duplicates of the earlier calls' events answer those events' seqs (negative here).
    expect(seqs).toEqual([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [-4, -5, -6, -7], [11]]);
    await store.close();
    // Closed only once every call made before close was answered; reopened, the log is whole.
    const again = openSqliteStore(file, { writer: 'thread' });
    expect(await again.lastSeq()).toBe(11);
    await again.close();
  });

  it('close answers the appends asked for before it', async () => {
    const file = freshFile();
    const store = openSqliteStore(file, { writer: 'thread' });
    const pending = store.append(items(0, 100));
    await store.close();
    expect((await pending).length).toBe(100);
    await expect(store.append(items(100, 1))).rejects.toThrow('closed');
  });
});
