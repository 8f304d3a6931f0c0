// The SQLite store's writer thread (sqlite.ts, `writer: 'thread'`): a connection of its own that runs the
// appends' and archives' transactions, so that the inserts, the commit and its fsync never hold the event loop.
// Plain JavaScript because it runs as a worker thread, which tsx does not reach on Node 20; what it runs (the
// statements, the pragmas) comes from sqlite.ts in workerData, so the schema is known in one place only.
//
// Requests are answered one at a time, in the order they came: a transaction commits (durably, with the
// connection's synchronous setting) before its answer is posted, and the next one starts after it, so the
// appends commit in the order they were asked for.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, pragmas, sql } = workerData;
const db = new Database(path);
for (const pragma of pragmas) db.pragma(pragma);
const insert = db.prepare(sql.insert);
const seqOfKey = db.prepare(sql.seqOfKey).pluck();
const insertAt = db.prepare(sql.insertAt);
const keyAtSeq = db.prepare(sql.keyAtSeq).pluck();

/**
 * rows: one array of insert parameters per event, the event key first. Answers one number per row: the new
 * seq when stored, minus the first one's seq when the key was already in the log (or earlier in the batch).
 */
const append = db.transaction((rows) => {
  const seqs = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const info = insert.run(row);
    if (info.changes === 1) {
      seqs[i] = Number(info.lastInsertRowid);
      continue;
    }
    const seq = seqOfKey.get(row[0]);
    if (seq === undefined) throw new Error(`event key ${JSON.stringify(row[0])} conflicted but is not in the log`);
    seqs[i] = -seq;
  }
  return seqs;
});

/** rows: the seq, then the event key, then the rest of the insert. Answers 1 per row the log holds under its seq. */
const archive = db.transaction((rows) => {
  const held = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (insertAt.run(row).changes === 1) {
      held[i] = 1;
      continue;
    }
    const atSeq = keyAtSeq.get(row[0]);
    if (atSeq === row[1]) held[i] = 1;
    else if (atSeq !== undefined)
      throw new Error(`seq ${row[0]} already holds another event; the log and the bus disagree`);
  }
  return held;
});

parentPort.on('message', (request) => {
  if (request.op === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    // IMMEDIATE takes the write lock up front (see sqlite.ts).
    const result = request.op === 'append' ? append.immediate(request.rows) : archive.immediate(request.rows);
    parentPort.postMessage({ result }, [result.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: { message: error?.message ?? String(error), code: error?.code } });
  }
});
