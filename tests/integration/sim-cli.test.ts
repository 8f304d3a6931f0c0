// `npm run sim` as a process: a short real run posting to a stand-in for the ingest endpoint, Ctrl-C, a replay,
// a refused token, and --dry-run's NDJSON. Its options are in tests/unit/sim-cli.test.ts.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent } from '../../server/contract/events';
import { ROOT } from '../helpers/paths';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The feed token the stand-in endpoint accepts, as the real server accepts a feed device's token. */
const TOKEN = 'feed-0000000b.stand-in-secret';

function cli(
  args: string[],
  opts: { interruptOn?: Promise<unknown>; env?: Record<string, string> } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const { OPSMAP_TOKEN: _ignored, ...inherited } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/sim/cli.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...inherited, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Ctrl-C once the run is under way: its handlers are set by the time it posts.
    void opts.interruptOn?.then(() => child.kill('SIGINT'));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI against a stand-in ingest endpoint', () => {
  let server: Server;
  let target: string;
  const received: unknown[] = [];
  const seen = new Set<string>();
  /** Told of every batch the stand-in has answered. */
  let onAnswered: (() => void) | null = null;

  beforeAll(async () => {
    // Answers as the real endpoint does: 200 with per-item results, duplicates by (source, id).
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/api/v1/events') {
          res.statusCode = 404;
          return res.end();
        }
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.statusCode = 401;
          return res.end(JSON.stringify({ statusCode: 401, code: 'unauthenticated', message: 'log in first' }));
        }
        const items = JSON.parse(body) as { source: string; id: string }[];
        const results = items.map((item) => {
          received.push(item);
          const v = validateEvent(item);
          if (!v.ok) return { status: 'rejected', errors: v.errors };
          const key = `${item.source}|${item.id}`;
          if (seen.has(key)) return { status: 'duplicate', seq: 1 };
          seen.add(key);
          return { status: 'accepted', seq: seen.size };
        });
        const count = (s: string) => results.filter((r) => r.status === s).length;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            accepted: count('accepted'),
            duplicates: count('duplicate'),
            rejected: count('rejected'),
            results,
          }),
        );
        onAnswered?.();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('posts valid events in batches for --duration seconds and exits 0', async () => {
    received.length = 0;
    const out = await cli([
      '--target',
      target,
      '--token',
      TOKEN,
      '--speed',
      '1200',
      '--duration',
      '2',
      '--batch',
      '100',
      '--tick',
      '200',
      '--only',
      'tickets,flood',
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(received.length).toBeGreaterThan(50);
    expect(received.every((e) => validateEvent(e).ok)).toBe(true);
    expect(out.stderr).toMatch(/rejected 0/);
    // The run ends at the present: nothing from the future.
    expect(received.every((e) => Date.parse((e as { time: string }).time) <= Date.now())).toBe(true);
  });

  it('stops cleanly on Ctrl-C, reporting what it sent', async () => {
    // No end of its own (--duration 0); an hour back at 3600× it posts within its first ticks, and is
    // interrupted as soon as the stand-in has answered a batch. The token from the environment this time.
    const answered = new Promise<void>((resolve) => (onAnswered = resolve));
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const out = await cli(
      ['--target', target, '--speed', '3600', '--start', start, '--duration', '0', '--tick', '100'],
      {
        interruptOn: answered,
        env: { OPSMAP_TOKEN: TOKEN },
      },
    ).finally(() => (onAnswered = null));
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/done \(interrupted\)/);
    expect(tally(out.stderr).sent).toBeGreaterThan(0);
  });

  it('replays a run id as duplicates', async () => {
    const args = [
      '--target',
      target,
      '--token',
      TOKEN,
      '--speed',
      '3600',
      '--duration',
      '1',
      '--tick',
      '200',
      '--only',
      'flood',
      '--run-id',
      'replay-1',
      '--start',
      '2025-07-20T06:00:00+08:00',
    ];
    const first = await cli(args);
    expect(first.code, first.stderr).toBe(0);
    const second = await cli(args);
    expect(second.code, second.stderr).toBe(0);
    // A run is deterministic in simulated time, but how far one second of wall time takes it depends on the
    // machine's load: the second run is a prefix or an extension of the first. Everything the first run sent
    // comes back as a duplicate; only events past the first run's end are new.
    const a = tally(first.stderr);
    const b = tally(second.stderr);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.duplicates).toBe(Math.min(a.sent, b.sent));
    expect(b.accepted).toBe(Math.max(0, b.sent - a.sent));
  });

  it('stops at once with a clear message when the server refuses it: no token, or a wrong one', async () => {
    const without = await cli([
      '--target',
      target,
      '--speed',
      '1200',
      '--duration',
      '2',
      '--tick',
      '200',
      '--only',
      'flood',
    ]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/answered 401: give a feed device token with --token or OPSMAP_TOKEN/);
    const wrong = await cli([
      '--target',
      target,
      '--token',
      'feed-0000000b.wrong',
      '--speed',
      '1200',
      '--duration',
      '2',
      '--tick',
      '200',
      '--only',
      'flood',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/answered 401: the token is not a valid feed token/);
    // The token itself is never printed.
    expect(wrong.stderr).not.toContain('feed-0000000b.wrong');
  });
});

describe('--dry-run', () => {
  it('prints NDJSON of valid events, as fast as it can', async () => {
    const out = await cli([
      '--dry-run',
      '--scenario',
      'rainstorm',
      '--speed',
      '3600',
      '--duration',
      '2',
      '--start',
      '2025-07-20T06:00:00+08:00',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1000);
    const events = lines.map((l) => JSON.parse(l) as { time: string });
    expect(events.every((e) => validateEvent(e).ok)).toBe(true);
    expect(Date.parse(events[events.length - 1]!.time)).toBeLessThanOrEqual(Date.parse('2025-07-20T08:00:00+08:00'));
  });
});

/** The last progress line's counters: `sent N · accepted N · duplicates N`. */
function tally(stderr: string): { sent: number; accepted: number; duplicates: number } {
  const lines = [...stderr.matchAll(/sent (\d+) · accepted (\d+) · duplicates (\d+)/g)];
  const last = lines[lines.length - 1];
  if (!last) throw new Error(`no progress line in:\n${stderr}`);
  return { sent: Number(last[1]), accepted: Number(last[2]), duplicates: Number(last[3]) };
}
