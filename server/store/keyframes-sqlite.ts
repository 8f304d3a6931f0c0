// Keyframes in the SQLite event log's file (table `keyframes`, migration 2). better-sqlite3 is synchronous:
// a write is one statement, hence one transaction, so a process killed during it leaves the older rows whole.
import type Database from 'better-sqlite3';
import type { KeyframeStore, StoredKeyframe } from './types';

type Row = [
  seq: number,
  kind: StoredKeyframe['kind'],
  takenMs: number,
  envelopeMs: number,
  format: number,
  version: string,
  checksum: string,
  body: Buffer,
];

const NO_BOUND = Number.MAX_SAFE_INTEGER;

export function sqliteKeyframes(db: Database.Database): KeyframeStore {
  const insert = db.prepare<unknown[]>(
    `INSERT OR REPLACE INTO keyframes (seq, kind, taken_ms, envelope_ms, format, version, checksum, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const newest = db
    .prepare<[number, number, number], Row>(
      `SELECT seq, kind, taken_ms, envelope_ms, format, version, checksum, body FROM keyframes
       WHERE seq <= ? AND taken_ms <= ? AND envelope_ms <= ? ORDER BY seq DESC LIMIT 1`,
    )
    .raw();
  const prunePeriodic = db.prepare<[number]>(
    `DELETE FROM keyframes WHERE kind = 'periodic' AND seq NOT IN
       (SELECT seq FROM keyframes WHERE kind = 'periodic' ORDER BY seq DESC LIMIT ?)`,
  );
  const pruneHistory = db.prepare<[number]>(`DELETE FROM keyframes WHERE kind <> 'periodic' AND taken_ms < ?`);
  const prune = db.transaction((keep: number, since: number) => {
    prunePeriodic.run(keep);
    pruneHistory.run(since);
  });
  return {
    async save(k) {
      insert.run(
        k.seq,
        k.kind,
        Math.round(k.takenMs),
        Math.round(k.envelopeMs),
        k.format,
        k.version,
        k.checksum,
        Buffer.from(k.body.buffer, k.body.byteOffset, k.body.byteLength),
      );
    },
    async latest(bounds = {}) {
      const row = newest.get(
        Math.floor(bounds.maxSeq ?? NO_BOUND),
        Math.floor(bounds.maxTakenMs ?? NO_BOUND),
        Math.floor(bounds.maxEnvelopeMs ?? NO_BOUND),
      );
      if (!row) return undefined;
      const [seq, kind, takenMs, envelopeMs, format, version, checksum, body] = row;
      return { seq, kind, takenMs, envelopeMs, format, version, checksum, body };
    },
    async prune({ keepPeriodic, historySinceMs }) {
      prune(Math.max(0, Math.floor(keepPeriodic)), Math.floor(historySinceMs));
    },
  };
}
