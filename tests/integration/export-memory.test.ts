// A large export streams: 1,000,000 events in the log, exported through the real route and the real fold, and
// the heap stays flat while well over 100 MB of CSV go out. The log is a synthetic EventStore whose scan()
// makes each batch when asked (the export code cannot tell: it sees only the EventStore interface); the
// reply is read from a real socket and counted, never kept, so the test process holds no rows either.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { DEFAULT_KPI_WEIGHTS, DEFAULT_URGENCY_DEADLINES } from '../../server/contract/config-defaults';
import type { StoredEvent } from '../../server/contract/events';
import { ApiError } from '../../server/contract/errors';
import { loadGeo } from '../../server/geo/load';
import { exportRoutes } from '../../server/routes/export';
// The request's `principal` (a Fastify declaration merged by the auth guard).
import type {} from '../../server/auth/guard';
import type { EventStore } from '../../server/store/types';
import { principals } from '../helpers/auth';

const EVENTS = 1_000_000;
/** Four events per ticket: created, in progress, closed, rated. */
const TICKETS = EVENTS / 4;
/** Tickets open at once: a block is created, then worked, then closed, then rated. */
const BLOCK = 1000;
const START = Date.parse('2025-07-01T00:00:00+08:00');
const STEP_MS = 1000;
// About 300 bytes of UTF-8 per title, so the rows weigh what real addresses and descriptions do.
const TITLE = '小区东门外人行道上共享单车乱停乱放堵塞盲道，居民多次反映无人处理，希望尽快清理并设置停放区域'.repeat(2);

function eventAt(seq: number): StoredEvent {
  const i = seq - 1;
  const block = Math.floor(i / (4 * BLOCK));
  const within = i % (4 * BLOCK);
  const stage = Math.floor(within / BLOCK);
  const n = block * BLOCK + (within % BLOCK);
  const ticketId = `T-${n}`;
  const time = new Date(START + i * STEP_MS).toISOString();
  const base = { id: `e-${seq}`, source: 'hotline_12345' as const, time, ticketId };
  const receivedAt = time;
  switch (stage) {
    case 0:
      return {
        seq,
        receivedAt,
        place: { townId: '110112105' },
        event: {
          ...base,
          kind: 'ticket.created',
          category: 'e_bike',
          urgency: 'normal',
          channel: 'hotline_12345',
          title: `${TITLE}${n}`,
          location: { lon: 116.7 + (n % 100) / 1e4, lat: 39.85 },
        },
      } as StoredEvent;
    case 1:
      return {
        seq,
        receivedAt,
        event: { ...base, kind: 'ticket.updated', status: 'in_progress', assignee: '张三' },
      } as StoredEvent;
    case 2:
      return { seq, receivedAt, event: { ...base, kind: 'ticket.closed', resolved: n % 3 !== 0 } } as StoredEvent;
    default:
      return { seq, receivedAt, event: { ...base, kind: 'ticket.rated', satisfied: n % 5 !== 0 } } as StoredEvent;
  }
}

const syntheticStore: Pick<EventStore, 'scan'> = {
  async scan(afterSeq, batchSize, onBatch) {
    for (let next = afterSeq + 1; next <= EVENTS; next += batchSize) {
      const batch: StoredEvent[] = [];
      for (let s = next; s < next + batchSize && s <= EVENTS; s++) batch.push(eventAt(s));
      await onBatch(batch);
    }
  },
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  const geo = await loadGeo(path.join(PROJECT_ROOT, 'data', 'geo'));
  app = Fastify();
  // The app registers the one error schema the routes refer to (server/app.ts); a bare instance must too.
  app.addSchema(ApiError);
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    req.principal = principals.admin;
  });
  await app.register(exportRoutes, {
    geo,
    live: { tickets: () => ({ total: 0, items: [] }) },
    store: syntheticStore,
    now: () => START + 30 * 86_400_000,
    kpiWeights: DEFAULT_KPI_WEIGHTS,
    deadlines: DEFAULT_URGENCY_DEADLINES,
    nearDeadlineFraction: 0.8,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await app?.close();
});

it('streams 1 M events of tickets to CSV with a flat heap', { timeout: 120_000 }, async () => {
  const before = heap();
  let peak = before;
  let bytes = 0;
  let records = 0;
  let first: Buffer | undefined;
  let chunks = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = request({ port, path: '/api/v1/export/tickets.csv?from=2025-07-01', host: '127.0.0.1' }, (res) => {
      expect(res.statusCode).toBe(200);
      res.on('data', (chunk: Buffer) => {
        first ??= chunk.subarray(0, 3);
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) records++;
        // A full collection every 200 chunks (about 12 MB of CSV): the live heap, not garbage waiting for one.
        if (++chunks % 200 === 0) peak = Math.max(peak, heap());
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
  peak = Math.max(peak, heap());
  const seconds = (performance.now() - started) / 1000;
  const growthMb = (peak - before) / 2 ** 20;
  console.log(
    `export of ${EVENTS} events: ${(bytes / 2 ** 20).toFixed(0)} MB of CSV, ${records - 1} rows in ${seconds.toFixed(1)} s; heap ${(before / 2 ** 20).toFixed(0)} MB before, peak growth ${growthMb.toFixed(1)} MB`,
  );
  expect([...first!]).toEqual([0xef, 0xbb, 0xbf]);
  expect(records - 1).toBe(TICKETS);
  expect(bytes).toBeGreaterThan(100 * 2 ** 20);
  // Holding the rows would take more than the CSV itself (> 100 MB); a stream holds a block of open tickets.
  expect(growthMb).toBeLessThan(64);
});
