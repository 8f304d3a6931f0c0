// "A 2xx means durable": a writer process is killed with SIGKILL mid-stream; every seq it had acknowledged
// (printed after append resolved, where the server would answer 2xx) must be in the file, gap-free.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteSynchronous } from '../../server/store/sqlite';
import { ROOT } from '../helpers/paths';
import { tempDir } from '../helpers/store';

const WRITER = path.join(ROOT, 'tests', 'helpers', 'store-writer.ts');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the writer until it has acknowledged `acks` batches, kills it, and answers the last acknowledged seq. */
function writeAndKill(
  file: string,
  batchSize: number,
  acks: number,
  synchronous: SqliteSynchronous,
  writer: Writer,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, String(batchSize), synchronous, writer], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastAck = 0;
    let count = 0;
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line);
        if (!m) continue;
        lastAck = Math.max(lastAck, Number(m[1]));
        if (++count === acks && !killed) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      // Lines already in the pipe when the kill landed were acknowledged too; 'close' comes after stdout ended.
      for (const line of pending.split('\n')) {
        const m = /^ack (\d+)$/.exec(line);
        if (m) lastAck = Math.max(lastAck, Number(m[1]));
      }
      if (signal !== 'SIGKILL') reject(new Error(`writer exited (${code}) before it was killed: ${stderr}`));
      else resolve(lastAck);
    });
  });
}

type Writer = 'inline' | 'thread';

// 'thread': appends on the store's writer thread, asked for two at a time, as the server runs them.
describe.each<[SqliteSynchronous, Writer]>([
  ['full', 'inline'],
  ['normal', 'inline'],
  ['full', 'thread'],
])('SQLite durability (synchronous=%s, writer %s)', (synchronous, writer) => {
  it('keeps every acknowledged event after kill -9, gap-free, and continues after it', async () => {
    const dir = tempDir('opsmap-durable-');
    dirs.push(dir);
    const file = path.join(dir, 'var', 'opsmap.sqlite');
    let acknowledged = 0;
    // Twice on the same file: the second writer starts on a log recovered from a killed one.
    for (let round = 0; round < 2; round++) {
      acknowledged = await writeAndKill(file, 500, 40 + round * 20, synchronous, writer);
      const store = openSqliteStore(file);
      try {
        const last = await store.lastSeq();
        expect(last).toBeGreaterThanOrEqual(acknowledged);
        let expected = 1;
        await store.scan(0, 5000, (batch) => {
          for (const e of batch) {
            if (e.seq !== expected) throw new Error(`gap: expected seq ${expected}, found ${e.seq}`);
            if (e.event.id !== `pos-${e.seq}`) throw new Error(`seq ${e.seq} holds ${e.event.id}`);
            expected++;
          }
        });
        expect(expected - 1).toBe(last);
      } finally {
        await store.close();
      }
    }
    expect(acknowledged).toBeGreaterThan(0);
  }, 60_000);
});
