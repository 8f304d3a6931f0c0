// Ingest into the app's own SQLite log, as the server runs it: appends on the store's writer thread and a pipelined
// bus (docs/BENCHMARKS.md, ingest). A 2xx still means the batch is committed: held back while another connection
// holds the write lock, 503 with nothing stored when its transaction fails, and the fold has it when the answer
// comes (a read after the answer sees it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, principals } from '../helpers/auth';

let dir: string;
let file: string;
let app: App;
let feed: Record<string, string>;
/** A second connection to the log's file, as a backup or the sqlite3 CLI would hold one. */
let other: Database.Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsmap-ingest-thread-'));
  file = join(dir, 'log.sqlite');
  app = await testApp({ STORE: 'sqlite', DATABASE_PATH: file });
  feed = await bearerHeaders(app, principals.feed);
  other = new Database(file);
});
afterEach(async () => {
  if (other.inTransaction) other.exec('ROLLBACK');
  other.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (payload: unknown) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...feed, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
const rows = () =>
  other.prepare<[], { seq: number; event: string }>('SELECT seq, event FROM events ORDER BY seq').all();

describe('ingest over the writer thread', () => {
  it('answers a batch only once it is committed, and the fold has it by then', async () => {
    other.exec('BEGIN IMMEDIATE'); // the write lock: the writer thread waits for it (busy timeout 5 s)
    let answered = false;
    const answer = post([ticket('held-1'), ticket('held-2')]).then((res) => {
      answered = true;
      return res;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(answered).toBe(false);
    expect(rows()).toEqual([]);
    other.exec('COMMIT');
    const res = await answer;
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      { status: 'accepted', seq: 1 },
      { status: 'accepted', seq: 2 },
    ]);
    expect(rows().map((r) => r.seq)).toEqual([1, 2]);
    expect(app.services.live.seq).toBe(2);
    expect(app.services.live.ticket('T-held-2')).toBeDefined();
  });

  it('answers 503 for a batch whose transaction fails, storing none of it, and keeps the other batches', async () => {
    other.exec(`CREATE TRIGGER refuse BEFORE INSERT ON events WHEN instr(NEW.event, '"boom-1"') > 0
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    // Sent at once, so that they go into the store as one group and pipelined groups: the failing one must fail
    // only its own request.
    const [good, bad, alsoGood] = await Promise.all([
      post([ticket('g-1'), ticket('g-2')]),
      post([ticket('boom-1'), ticket('fine-but-same-batch')]),
      post([ticket('g-3')]),
    ]);
    expect(good.statusCode).toBe(200);
    expect(alsoGood.statusCode).toBe(200);
    expect(bad.statusCode).toBe(503);
    expect(bad.json().message).toMatch(/not acknowledged/);
    // The producers' events in the file (the rule engine may add alert events of its own), gap-free, and folded.
    const produced = () =>
      rows()
        .map((r) => JSON.parse(r.event) as { id: string; kind: string })
        .filter((e) => !e.kind.startsWith('alert.'))
        .map((e) => e.id)
        .sort();
    const gapFree = async () => {
      await app.services.rules.idle(); // its alert events, if it raised any, are in the log and folded
      const seqs = rows().map((r) => r.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(app.services.live.seq).toBe(seqs.length);
    };
    expect(produced()).toEqual(['g-1', 'g-2', 'g-3']);
    await gapFree();

    other.exec('DROP TRIGGER refuse');
    const retry = (await post([ticket('boom-1'), ticket('fine-but-same-batch'), ticket('g-3')])).json();
    expect(retry.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'accepted', 'duplicate']);
    expect(produced()).toEqual(['boom-1', 'fine-but-same-batch', 'g-1', 'g-2', 'g-3']);
    await gapFree();
  });
});
