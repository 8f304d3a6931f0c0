// npm run sim -- --target URL: the scenario simulator as a separate process that posts through the public
// ingest API (POST /api/v1/events), exactly as an outside producer would; --dry-run prints NDJSON instead.
// Options and defaults: cli-args.ts (or --help).
import { once } from 'node:events';
import { loadConfig } from '../config';
import type { OpsEvent } from '../contract/events';
import { loadGeo } from '../geo/load';
import { isoBeijing } from './clock';
import { SECOND_MS } from '../contract/time';
import { CliError, parseCliArgs, USAGE, type CliOptions } from './cli-args';
import { runSimulator } from './driver';
import { createSimulator, type Simulator } from './engine';

interface Totals {
  sent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: (
    | { status: 'accepted' | 'duplicate'; seq: number }
    | { status: 'rejected'; errors: { path: string; message: string }[] }
  )[];
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isAnswer(v: unknown): v is IngestAnswer {
  const a = v as Partial<IngestAnswer> | null;
  return (
    typeof a === 'object' &&
    a !== null &&
    typeof a.accepted === 'number' &&
    typeof a.rejected === 'number' &&
    Array.isArray(a.results)
  );
}

/**
 * One POST with retries. Retrying is safe because (source, id) is the idempotency key: a batch that did
 * arrive before the connection broke comes back as duplicates. A 4xx other than 429 is a bug in what we
 * send, so it stops the run instead of being retried.
 */
async function post(
  url: string,
  token: string | null,
  events: OpsEvent[],
  totals: Totals,
  samples: string[],
): Promise<void> {
  const body = JSON.stringify(events);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  for (let attempt = 1; ; attempt++) {
    let status = 0;
    let text: string;
    try {
      const res = await fetch(url, { method: 'POST', headers, body });
      status = res.status;
      text = await res.text();
    } catch (e) {
      text = (e as Error).message;
    }
    if (status === 200 || status === 207) {
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        answer = null;
      }
      if (!isAnswer(answer))
        throw new Error(`${url} answered ${status} with an unexpected body: ${text.slice(0, 200)}`);
      totals.sent += events.length;
      totals.accepted += answer.accepted;
      totals.duplicates += answer.duplicates;
      totals.rejected += answer.rejected;
      answer.results.forEach((r, i) => {
        if (r.status !== 'rejected' || samples.length >= 5) return;
        const e = events[i];
        const why = r.errors.map((x) => `${x.path} ${x.message}`).join('; ');
        samples.push(`${e?.kind ?? '?'} ${e?.id ?? '?'}: ${why}`);
        log(`rejected ${e?.kind ?? '?'} ${e?.id ?? '?'}: ${why}`);
      });
      return;
    }
    if (status === 401 || status === 403) {
      throw new Error(
        `${url} answered ${status}: ${token ? 'the token is not a valid feed token (revoked, or not a feed device)' : 'give a feed device token with --token or OPSMAP_TOKEN'}`,
      );
    }
    if (status >= 400 && status < 500 && status !== 429) {
      throw new Error(`${url} answered ${status}: ${text.slice(0, 500)}`);
    }
    if (attempt >= 6)
      throw new Error(`${url} failed ${attempt} times, last: ${status || 'no answer'} ${text.slice(0, 200)}`);
    const wait = 500 * 2 ** (attempt - 1);
    log(`POST failed (${status || text}); retrying in ${wait / 1000} s`);
    await sleep(wait);
  }
}

function progress(sim: Simulator, totals: Totals, began: number): string {
  const rate = totals.sent / Math.max(0.001, (Date.now() - began) / 1000);
  return `sim ${isoBeijing(sim.now).slice(0, 19).replace('T', ' ')} · sent ${totals.sent} · accepted ${totals.accepted} · duplicates ${totals.duplicates} · rejected ${totals.rejected} · ${rate.toFixed(0)} events/s`;
}

async function dryRun(sim: Simulator, o: CliOptions): Promise<void> {
  const out = process.stdout;
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  out.on('error', (e: NodeJS.ErrnoException) => {
    // `… | head` closes the pipe early: that is the reader being done, not a failure.
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const write = async (events: OpsEvent[]): Promise<void> => {
    if (events.length === 0) return;
    if (!out.write(events.map((e) => JSON.stringify(e)).join('\n') + '\n')) await once(out, 'drain');
  };
  let written = 0;
  if (o.rate !== undefined) {
    const total = Math.round(o.rate * (o.durationS || 60));
    while (!stop && written < total) {
      const events = sim.take(Math.min(o.batch, total - written));
      if (events.length === 0) break;
      await write(events);
      written += events.length;
    }
  } else {
    const end = sim.start + o.speed * (o.durationS || 600) * SECOND_MS;
    for (let t = sim.start; !stop && t < end;) {
      t = Math.min(end, t + 3600 * SECOND_MS);
      const events = sim.next(t);
      await write(events);
      written += events.length;
    }
  }
  log(
    `dry run: ${written} events, simulated ${isoBeijing(sim.start)} → ${isoBeijing(sim.now)}; per kind ${JSON.stringify(sim.counts())}`,
  );
}

async function main(): Promise<number> {
  let o: CliOptions;
  try {
    o = parseCliArgs(process.argv.slice(2), Date.now(), process.env);
  } catch (e) {
    if (e instanceof CliError) {
      log(`npm run sim: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    log(USAGE);
    return 0;
  }
  const geo = await loadGeo(loadConfig().geoDir);
  const sim = createSimulator({
    geo,
    scenario: o.scenario,
    seed: o.seed,
    start: o.start,
    speed: o.speed,
    ...(o.runId ? { runId: o.runId } : {}),
    tune: {
      tickets: { enabled: o.only.tickets, ...(o.perDay !== undefined ? { perDay: o.perDay } : {}) },
      flood: { enabled: o.only.flood },
      patrols: { enabled: o.only.patrols },
    },
  });
  log(`scenario ${o.scenario}, seed ${String(o.seed)}, run ${sim.runId}, simulated start ${isoBeijing(sim.start)}`);
  if (o.dryRun) {
    await dryRun(sim, o);
    return 0;
  }

  const url = `${o.target}/api/v1/events`;
  const totals: Totals = { sent: 0, accepted: 0, duplicates: 0, rejected: 0 };
  const samples: string[] = [];
  const began = Date.now();
  log(
    o.rate !== undefined
      ? `posting ~${o.rate} events/s to ${url}`
      : `posting to ${url} at ${o.speed}× for ${o.durationS ? `${o.durationS} s` : 'ever (Ctrl-C stops)'}`,
  );
  if (o.rate === undefined && o.durationS === 0 && o.speed > 1 && !o.allowFuture) {
    log('note: with --duration 0 the simulated clock stops at the present, so the run goes on at real time');
  }
  const driver = runSimulator({
    simulator: sim,
    sink: (events) => post(url, o.token, events, totals, samples),
    speed: o.speed,
    tickMs: o.tickMs,
    maxBatch: o.batch,
    ...(o.rate !== undefined ? { rate: o.rate } : {}),
    ...(o.allowFuture ? {} : { notAfter: () => Date.now() }),
  });
  const report = setInterval(() => log(progress(sim, totals, began)), 5000);
  let interrupted = false;
  // Ctrl-C, or a process manager's SIGTERM: finish the batch in flight, report, exit 0.
  const interrupt = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log('stopping (Ctrl-C again to quit at once)…');
    void driver.stop();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const timer = o.durationS > 0 ? setTimeout(() => void driver.stop(), o.durationS * 1000) : null;
  let failed: unknown = null;
  try {
    await driver.done;
  } catch (e) {
    failed = e;
  }
  clearInterval(report);
  if (timer) clearTimeout(timer);
  log(progress(sim, totals, began));
  log(`done${interrupted ? ' (interrupted)' : ''}: ${JSON.stringify(sim.counts())}`);
  if (failed) {
    log(`error: ${(failed as Error).message}`);
    return 1;
  }
  // Rejections mean the simulator produced something the server refuses: worth a failing exit code.
  return totals.rejected > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    log(`npm run sim: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
