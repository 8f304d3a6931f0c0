// Command-line options of `npm run sim`, parsed and checked apart from the CLI itself so tests can call it.
import { parseArgs } from 'node:util';
import { parseTime } from './clock';
import { DEMAND_TOTAL_PER_DAY } from './demand';
import { isScenarioName, SCENARIO_NAMES, type ScenarioName } from './scenarios';
import { WEEK_MS } from '../contract/time';

export const USAGE = `npm run sim -- --target http://localhost:8080 --token <feed token> [options]

Posts simulated events to POST {target}/api/v1/events in batches, at --speed simulated seconds per real second.

  --target URL        server to post to (required unless --dry-run)
  --token TOKEN       a feed device token, sent as Authorization: Bearer (default: the OPSMAP_TOKEN
                      environment variable). Make one with:
                      npm run users -- device sim --role feed --scope district:110112
  --scenario NAME     ${SCENARIO_NAMES.join(' | ')} (default normal)
  --seed N            random seed; the same seed, start and run id give the same events (default 1)
  --speed X           simulated seconds per real second (default 60)
  --duration S        real seconds to run; 0 runs until Ctrl-C (default 600)
  --batch N           events per POST at most (default 500)
  --tick MS           real milliseconds between ticks (default 1000)
  --start ISO         simulated start (default: speed × duration before now, so the run ends at the present:
                      the server rejects events from its future)
  --run-id ID         prefix of every id (default scenario-seed-start). Ids are the idempotency key: the
                      same run id, seed and start replay as duplicates; never reuse one with other options
  --per-day N         district tickets per day, shared among the towns by their demand figures
                      (default ${DEMAND_TOTAL_PER_DAY}, the demand table's total: 玉桥 50/day)
  --only LIST         comma list of tickets, flood, patrols (default all three)
  --rate N            load generator: N events per real second, any mix, whatever simulated time that takes
                      (--speed is ignored; default start a week back, never past now)
  --allow-future      let the simulated clock run past now (a server that accepts future events)
  --dry-run           print NDJSON to stdout instead of posting, as fast as it can be made (a load-generator
                      input): speed × duration simulated seconds, or rate × duration events with --rate
  --help              this text`;

export interface CliOptions {
  target: string | null;
  /** Feed device token sent as a Bearer token; null: none (the server answers 401). */
  token: string | null;
  scenario: ScenarioName;
  seed: number | string;
  speed: number;
  durationS: number;
  batch: number;
  tickMs: number;
  start: number;
  runId: string | undefined;
  perDay: number | undefined;
  only: { tickets: boolean; flood: boolean; patrols: boolean };
  rate: number | undefined;
  allowFuture: boolean;
  dryRun: boolean;
  help: boolean;
}

export class CliError extends Error {
  override name = 'CliError';
}

function positive(name: string, value: string | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0))
    throw new CliError(
      `--${name} ${JSON.stringify(value)}: expected a ${allowZero ? 'non-negative' : 'positive'} number`,
    );
  return n;
}

/** `env`: where OPSMAP_TOKEN is read when --token is not given (the CLI passes process.env). */
export function parseCliArgs(
  argv: string[],
  nowMs: number,
  env: Readonly<Record<string, string | undefined>> = {},
): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        token: { type: 'string' },
        scenario: { type: 'string' },
        seed: { type: 'string' },
        speed: { type: 'string' },
        duration: { type: 'string' },
        batch: { type: 'string' },
        tick: { type: 'string' },
        start: { type: 'string' },
        'run-id': { type: 'string' },
        'per-day': { type: 'string' },
        only: { type: 'string' },
        rate: { type: 'string' },
        'allow-future': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const v = parsed.values;
  const help = v.help === true;
  const dryRun = v['dry-run'] === true;
  const scenario = v.scenario ?? 'normal';
  if (!isScenarioName(scenario))
    throw new CliError(`--scenario ${JSON.stringify(scenario)}: expected one of ${SCENARIO_NAMES.join(', ')}`);
  const target = v.target ?? null;
  if (!help && !dryRun && !target) throw new CliError('--target is required (or --dry-run to print events instead)');
  if (target) {
    try {
      const u = new URL(target);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new CliError(`--target ${JSON.stringify(target)}: expected an http(s) URL such as http://localhost:8080`);
    }
  }
  const seedText = v.seed ?? '1';
  const seed = /^-?\d+$/.test(seedText) ? Number(seedText) : seedText;
  const speed = positive('speed', v.speed, 60);
  const durationS = positive('duration', v.duration, 600, true);
  const rate = v.rate === undefined ? undefined : positive('rate', v.rate, 1);
  const batch = Math.floor(positive('batch', v.batch, 500));
  const tickMs = positive('tick', v.tick, 1000);
  const perDay = v['per-day'] === undefined ? undefined : positive('per-day', v['per-day'], DEMAND_TOTAL_PER_DAY, true);
  let only = { tickets: true, flood: true, patrols: true };
  if (v.only !== undefined) {
    const parts = v.only
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = parts.filter((s) => s !== 'tickets' && s !== 'flood' && s !== 'patrols');
    if (bad.length > 0 || parts.length === 0)
      throw new CliError(`--only ${JSON.stringify(v.only)}: expected a comma list of tickets, flood, patrols`);
    only = { tickets: parts.includes('tickets'), flood: parts.includes('flood'), patrols: parts.includes('patrols') };
  }
  let start: number;
  if (v.start !== undefined) {
    try {
      start = parseTime(v.start);
    } catch (e) {
      throw new CliError(`--start: ${(e as Error).message}`);
    }
  } else if (rate !== undefined) start = nowMs - WEEK_MS;
  else start = nowMs - speed * durationS * 1000;
  // A token on the command line shows in `ps`; the environment variable does not.
  const token = v.token || env.OPSMAP_TOKEN || null;
  return {
    target: target ? target.replace(/\/+$/, '') : null,
    token,
    scenario,
    seed,
    speed,
    durationS,
    batch,
    tickMs,
    start,
    runId: v['run-id'],
    perDay,
    only,
    rate,
    allowFuture: v['allow-future'] === true,
    dryRun,
    help,
  };
}
