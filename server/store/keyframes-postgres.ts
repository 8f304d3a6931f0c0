// Keyframes in PostgreSQL (table `keyframes`, migration 3), shared by every node of a cluster: a node may start
// from a keyframe another node wrote. One INSERT is one transaction, so a killed writer leaves the others whole.
import type pg from 'pg';
import { quoteIdent } from './postgres';
import type { KeyframeStore, StoredKeyframe } from './types';

interface Row {
  seq: string;
  kind: StoredKeyframe['kind'];
  taken_ms: string;
  envelope_ms: string;
  format: number;
  version: string;
  checksum: string;
  body: Buffer;
}

const NO_BOUND = Number.MAX_SAFE_INTEGER;

export function postgresKeyframes(pool: pg.Pool, schema: string): KeyframeStore {
  const table = `${quoteIdent(schema)}.keyframes`;
  return {
    async save(k) {
      await pool.query(
        `INSERT INTO ${table} (seq, kind, taken_ms, envelope_ms, format, version, checksum, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (seq) DO UPDATE SET kind = EXCLUDED.kind, taken_ms = EXCLUDED.taken_ms,
           envelope_ms = EXCLUDED.envelope_ms, format = EXCLUDED.format, version = EXCLUDED.version,
           checksum = EXCLUDED.checksum, body = EXCLUDED.body`,
        [
          k.seq,
          k.kind,
          Math.round(k.takenMs),
          Math.round(k.envelopeMs),
          k.format,
          k.version,
          k.checksum,
          Buffer.from(k.body.buffer, k.body.byteOffset, k.body.byteLength),
        ],
      );
    },
    async latest(bounds = {}) {
      const { rows } = await pool.query<Row>(
        `SELECT seq, kind, taken_ms, envelope_ms, format, version, checksum, body FROM ${table}
         WHERE seq <= $1 AND taken_ms <= $2 AND envelope_ms <= $3 ORDER BY seq DESC LIMIT 1`,
        [
          Math.floor(bounds.maxSeq ?? NO_BOUND),
          Math.floor(bounds.maxTakenMs ?? NO_BOUND),
          Math.floor(bounds.maxEnvelopeMs ?? NO_BOUND),
        ],
      );
      const r = rows[0];
      if (!r) return undefined;
      return {
        seq: Number(r.seq),
        kind: r.kind,
        takenMs: Number(r.taken_ms),
        envelopeMs: Number(r.envelope_ms),
        format: r.format,
        version: r.version,
        checksum: r.checksum,
        body: r.body,
      };
    },
    async prune({ keepPeriodic, historySinceMs }) {
      await pool.query(
        `DELETE FROM ${table} WHERE (kind = 'periodic' AND seq NOT IN
           (SELECT seq FROM ${table} WHERE kind = 'periodic' ORDER BY seq DESC LIMIT $1))
           OR (kind <> 'periodic' AND taken_ms < $2)`,
        [Math.max(0, Math.floor(keepPeriodic)), Math.floor(historySinceMs)],
      );
    },
  };
}
