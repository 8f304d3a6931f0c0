// The store's figure for the lead's benchmark (tests/bench/run.ts): SQLite append throughput with the
// production settings (WAL, synchronous FULL), 200k events in 1,000-event batches, on a temp file. The figure
// includes what append does per event (JSON.stringify, key, time parse, insert, results) and the commit fsyncs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { OpsEvent } from '../../server/contract/events';
import { openSqliteStore, type SqliteStoreOptions } from '../../server/store/sqlite';
import type { AppendItem } from '../../server/store/types';

const EVENTS = 200_000;
const BATCH = 1_000;
/** Appended first, untimed, so the JIT has compiled the append path before the clock starts. */
const WARMUP_EVENTS = 20_000;

/** A ranger position, the most frequent event at scale; built before timing so only append is measured. */
function position(i: number): AppendItem {
  const event: OpsEvent = {
    id: `bench-${i}`,
    kind: 'patrol.position',
    time: '2026-07-20T14:30:00+08:00',
    source: 'osmand',
    rangerId: `R${i % 500}`,
    patrolId: `P${i % 120}`,
    location: { lon: 116.65 + (i % 1000) * 1e-5, lat: 39.9 + (i % 777) * 1e-5 },
    speed: 1.4,
    accuracy: 5,
    battery: 77,
  };
  return { event, receivedAt: '2026-07-20T06:30:00.123Z', place: { townId: '110112004', gridId: `g-${i % 400}` } };
}

export async function benchStoreAppend(options: SqliteStoreOptions = {}): Promise<{ rowsPerSecond: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-bench-store-'));
  const store = openSqliteStore(path.join(dir, 'opsmap.sqlite'), options);
  try {
    const batchesFrom = (first: number, count: number): AppendItem[][] => {
      const batches: AppendItem[][] = [];
      for (let i = first; i < first + count; i += BATCH)
        batches.push(Array.from({ length: BATCH }, (_, j) => position(i + j)));
      return batches;
    };
    for (const batch of batchesFrom(0, WARMUP_EVENTS)) await store.append(batch);
    const timed = batchesFrom(WARMUP_EVENTS, EVENTS);
    const start = performance.now();
    for (const batch of timed) await store.append(batch);
    const seconds = (performance.now() - start) / 1000;
    return { rowsPerSecond: Math.round(EVENTS / seconds) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
