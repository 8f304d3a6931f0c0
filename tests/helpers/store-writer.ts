// Child process of the durability test (tests/integration/store-durability.test.ts): appends batches to the
// SQLite file given as argv[2] as fast as it can and prints "ack <lastSeq>" after each append resolves, i.e.
// at the moment the server would answer 2xx. The test kills it with SIGKILL mid-stream; it exits by itself
// only after a cap, so a test that failed to kill it leaves no runaway process.
import { openSqliteStore, type SqliteSynchronous } from '../../server/store/sqlite';
import type { AppendResult } from '../../server/store/types';
import { items } from './store';

const file = process.argv[2];
const batchSize = Number(process.argv[3] ?? 500);
const synchronous = (process.argv[4] ?? 'full') as SqliteSynchronous;
// 'thread': the store's writer thread, with the next append asked for before the last one has answered, as the
// server's pipelined bus does.
const writer = (process.argv[5] ?? 'inline') as 'inline' | 'thread';
const MAX_EVENTS = 5_000_000;
if (!file) throw new Error('usage: store-writer.ts <file> [batchSize] [full|normal] [inline|thread]');

const store = openSqliteStore(file, { synchronous, writer });
let next = (await store.lastSeq()) + 1;
process.stdout.write('ready\n');
const inFlight: Promise<AppendResult[]>[] = [];
while (next < MAX_EVENTS) {
  inFlight.push(store.append(items(next, batchSize)));
  next += batchSize;
  if (writer === 'thread' && inFlight.length < 2) continue;
  const results = await inFlight.shift()!;
  const last = results[results.length - 1];
  if (last?.status !== 'stored') throw new Error(`expected stored, got ${JSON.stringify(last)}`);
  // process.stdout to a pipe is synchronous on Linux: once written, the parent can read it after the kill.
  process.stdout.write(`ack ${last.stored.seq}\n`);
}
await Promise.all(inFlight);
await store.close();
