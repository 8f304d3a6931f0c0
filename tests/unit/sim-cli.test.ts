// `npm run sim`: its options. The CLI as a process (a short real run against a stand-in for the ingest
// endpoint, Ctrl-C, --dry-run's NDJSON) is in tests/integration/sim-cli.test.ts.
import { describe, expect, it } from 'vitest';
import { CliError, parseCliArgs } from '../../server/sim/cli-args';

const NOW = Date.parse('2025-07-20T12:00:00+08:00');

describe('parseCliArgs', () => {
  it('has the documented defaults, and a start that ends the run at the present', () => {
    const o = parseCliArgs(['--target', 'http://localhost:8080/'], NOW);
    expect(o).toMatchObject({
      target: 'http://localhost:8080',
      scenario: 'normal',
      seed: 1,
      speed: 60,
      durationS: 600,
      batch: 500,
      dryRun: false,
    });
    expect(o.start).toBe(NOW - 60 * 600 * 1000);
    expect(o.only).toEqual({ tickets: true, flood: true, patrols: true });
  });

  it('reads every option', () => {
    const o = parseCliArgs(
      [
        '--dry-run',
        '--scenario',
        'rainstorm',
        '--seed',
        'abc',
        '--speed',
        '3600',
        '--duration',
        '0',
        '--batch',
        '50',
        '--start',
        '2025-07-20T06:00:00+08:00',
        '--run-id',
        'x1',
        '--per-day',
        '300',
        '--only',
        'tickets,flood',
        '--rate',
        '5000',
      ],
      NOW,
    );
    expect(o).toMatchObject({
      target: null,
      scenario: 'rainstorm',
      seed: 'abc',
      speed: 3600,
      durationS: 0,
      batch: 50,
      runId: 'x1',
      perDay: 300,
      rate: 5000,
      dryRun: true,
    });
    expect(o.start).toBe(Date.parse('2025-07-20T06:00:00+08:00'));
    expect(o.only).toEqual({ tickets: true, flood: true, patrols: false });
  });

  it('says what is wrong with a bad option', () => {
    const bad = (args: string[]) => () => parseCliArgs(args, NOW);
    expect(bad([])).toThrow(/--target is required/);
    expect(bad(['--dry-run', '--scenario', 'flood'])).toThrow(CliError);
    expect(bad(['--dry-run', '--speed', '-1'])).toThrow(/--speed/);
    expect(bad(['--target', 'localhost:8080'])).toThrow(/--target/);
    expect(bad(['--dry-run', '--only', 'forest'])).toThrow(/--only/);
    expect(bad(['--dry-run', '--start', 'yesterday'])).toThrow(/--start/);
    expect(bad(['--dry-run', '--frobnicate'])).toThrow(CliError);
  });

  it('takes the feed token from --token, else from OPSMAP_TOKEN', () => {
    expect(
      parseCliArgs(['--target', 'http://localhost:8080', '--token', 'feed-1.abc'], NOW, { OPSMAP_TOKEN: 'feed-2.def' })
        .token,
    ).toBe('feed-1.abc');
    expect(parseCliArgs(['--target', 'http://localhost:8080'], NOW, { OPSMAP_TOKEN: 'feed-2.def' }).token).toBe(
      'feed-2.def',
    );
    expect(parseCliArgs(['--target', 'http://localhost:8080'], NOW, {}).token).toBeNull();
  });
});
