// Child process of the durability test (tests/integration/store-durability.test.ts): appends batches to the
// SQLite file given as argv[2] as fast as it can and prints "ack <lastSeq>" after each append resolves, i.e.
// at the moment the server would answer 2xx. The test kills it with SIGKILL mid-stream; it exits by itself
// only after a cap, so a test that failed to kill it leaves no runaway process.
import { openSqliteStore, type SqliteSynchronous } from '../../server/store/sqlite';
import { items } from './store';

const file = process.argv[2];
const batchSize = Number(process.argv[3] ?? 500);
const synchronous = (process.argv[4] ?? 'full') as SqliteSynchronous;
const MAX_EVENTS = 5_000_000;
if (!file) throw new Error('usage: store-writer.ts <file> [batchSize] [full|normal]');

const store = openSqliteStore(file, { synchronous });
let next = (await store.lastSeq()) + 1;
process.stdout.write('ready\n');
while (next < MAX_EVENTS) {
  const results = await store.append(items(next, batchSize));
  const last = results[results.length - 1];
  if (last?.status !== 'stored') throw new Error(`expected stored, got ${JSON.stringify(last)}`);
  // process.stdout to a pipe is synchronous on Linux: once written, the parent can read it after the kill.
  process.stdout.write(`ack ${last.stored.seq}\n`);
  next += batchSize;
}
await store.close();
