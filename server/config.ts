// One typed configuration, read from the environment once, at the edge of the process.
// The defaults are the embedded mode: one process on one machine, geography from data/geo.
import type { DeviceEntry } from './ingest/osmand';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { kpiWeightsValid, type KpiWeights, type UrgencyDeadlines } from './contract/config-defaults';
import { loadAlertRules, parseNearDeadlineFraction, parseTicketDeadlines, RuleConfigError } from './config-rules';
import type { AlertRuleOptions } from './rules/options';
import { loadNotifyConfig, NotifyConfigError, type NotifyConfig } from './notify/config';
import {
  DEFAULT_TREATED_TOWNS,
  DEFAULT_ZERO_COMPLAINT_SINCE,
  parseTreatedTowns,
  parseZeroComplaintSince,
  type ConceptSpecs,
} from './reports/treatment';
import { fileURLToPath } from 'node:url';

/** Repository root (server/..): relative paths in the config resolve against it, not the cwd. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** json: one JSON object a line (for a collector); pretty: readable lines; auto: pretty on a terminal, else json. */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
export const NODE_ENVS = ['production', 'development', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const STORES = ['sqlite', 'memory', 'postgres'] as const;
export type StoreKind = (typeof STORES)[number];
export const BUSES = ['in-process', 'nats'] as const;
export type BusKind = (typeof BUSES)[number];
export const SCENARIOS = ['normal', 'rainstorm', 'fire-season', 'turnaround'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Config {
  /** TCP port of the HTTP server; 0 picks a free port (tests). */
  port: number;
  host: string;
  /** Absolute path of the folder holding the area layers (LAYER_FILES). */
  geoDir: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  nodeEnv: NodeEnv;
  store: StoreKind;
  /** Absolute path of the SQLite file (STORE=sqlite). */
  databasePath: string;
  /** PostgreSQL connection string (STORE=postgres). */
  databaseUrl: string;
  /** PostgreSQL schema the store's tables live in (STORE=postgres). */
  databaseSchema: string;
  /** The ordered event log every node folds: in process (one node) or NATS JetStream (any number). */
  bus: { kind: BusKind; natsUrl: string; stream: string };
  /** This node's name in logs, metrics and the Socket.IO adapter (defaults to host:port). */
  nodeName: string;
  /** Redis for the Socket.IO adapter between nodes (cross-node socket commands); empty: none. */
  redisUrl: string;
  simulator: {
    on: boolean;
    scenario: ScenarioName;
    seed: number;
    backfillHours: number;
    /** Server seconds per real second (1: real time; above 1: a time-lapse for demos and benchmarks). */
    speed: number;
  };
  /** How far an event's time may lie in the future (device clock skew), ms. */
  maxFutureSkewMs: number;
  /** Delta coalescing window of the Socket.IO gateway, ms. */
  flushMs: number;
  /** Keyframes of the projection host (live/host.ts); off: every start folds the whole log. */
  keyframes: {
    on: boolean;
    everyEvents: number;
    everyMs: number;
    keepPeriodic: number;
    keepDays: number;
    historyHours: number;
  };
  kpiWeights: KpiWeights;
  /** OsmAnd device id → ranger id; undefined: device ids are ranger ids. */
  osmandDevices: ReadonlyMap<string, DeviceEntry> | undefined;
  /** Respond / resolve clocks per urgency for tickets that bring no deadlines of their own. */
  ticketDeadlines: UrgencyDeadlines;
  /** Share of the resolve window after which an open ticket is near its deadline. */
  nearDeadlineFraction: number;
  /** Local hour (Asia/Shanghai, 0–23) at which yesterday's daily briefs are computed ahead. */
  briefHour: number;
  /** Thresholds of the alert rules (rules/options.ts defaults, ALERT_RULES overrides). */
  alertRules: AlertRuleOptions;
  /** 治理类 towns and 零诉求 streak starts as written; the app resolves them against the geography. */
  concepts: ConceptSpecs;
  auth: AuthConfig;
  /** MQTT ingest (ingest/mqtt.ts); url empty: off. */
  mqtt: { url: string; topicPrefix: string };
  /** Channels alerts are told to (notify/); undefined: none. */
  notify: NotifyConfig | undefined;
  /** Where people open the dashboard (links in notifications); empty: messages carry no link. */
  publicUrl: string;
}

export interface AuthConfig {
  /** HMAC key of sessions and CSRF tokens; undefined: kept in var/auth-secret (sqlite) or random per process (memory). */
  secret: string | undefined;
  sessionTtlMs: number;
  /** How long a node uses a user or device record it read before asking the store again; 0: every time. */
  principalCacheMs: number;
  /** Adds Secure to the session cookie (behind HTTPS). */
  cookieSecure: boolean;
  /** Origins allowed to read the API cross-origin; empty: none (same-origin needs none). */
  corsOrigins: readonly string[];
  /** Login and device set-up attempts per minute per client IP. */
  loginRateLimit: number;
  /** Password of the demo admin created when the user store is empty. */
  adminPassword: string;
}

export interface ConfigVar {
  name: string;
  default: string;
  description: string;
}

/** Every environment variable the server reads; the README's configuration table is this list. */
export const CONFIG_VARS: readonly ConfigVar[] = [
  { name: 'PORT', default: '8080', description: 'HTTP port (0–65535; 0 picks a free port).' },
  { name: 'HOST', default: '0.0.0.0', description: 'Interface to listen on; 127.0.0.1 keeps it local.' },
  {
    name: 'GEO_DIR',
    default: 'data/geo',
    description: 'Folder with the WGS84 GeoJSON area layers; a relative path is taken from the repository root.',
  },
  { name: 'LOG_LEVEL', default: 'info', description: `Log level: ${LOG_LEVELS.join(', ')}.` },
  {
    name: 'LOG_FORMAT',
    default: 'auto',
    description:
      'Log lines: json (one object a line, for a log collector), pretty (readable), or auto: pretty when stdout is a terminal, json otherwise.',
  },
  { name: 'NODE_ENV', default: 'production', description: `Run mode: ${NODE_ENVS.join(', ')}.` },
  {
    name: 'STORE',
    default: 'sqlite',
    description: 'Event log store: sqlite (durable file) or memory (lost on exit; tests, demos).',
  },
  {
    name: 'DATABASE_PATH',
    default: 'var/opsmap.sqlite',
    description: 'SQLite file of the event log (STORE=sqlite); relative to the repository root.',
  },
  {
    name: 'DATABASE_URL',
    default: '',
    description: 'PostgreSQL connection string for STORE=postgres, e.g. postgres://opsmap@db.internal:5432/opsmap.',
  },
  {
    name: 'DATABASE_SCHEMA',
    default: 'public',
    description: 'PostgreSQL schema of the event log, users and devices (STORE=postgres); created when missing.',
  },
  {
    name: 'BUS',
    default: 'in-process',
    description:
      'The ordered event log every node folds: in-process (one node) or nats (NATS JetStream: several nodes, any of them takes ingest; see docs/scaling.md).',
  },
  {
    name: 'NATS_URL',
    default: 'nats://127.0.0.1:4222',
    description: 'NATS server(s) for BUS=nats, comma-separated for a cluster.',
  },
  {
    name: 'NATS_STREAM',
    default: 'OPSMAP',
    description: 'JetStream stream of the event log (BUS=nats); every node of one deployment names the same one.',
  },
  { name: 'NODE_NAME', default: '', description: "This node's name in logs and /metrics; empty: host name and port." },
  {
    name: 'REDIS_URL',
    default: '',
    description:
      'Redis for the Socket.IO streams adapter between nodes (BUS=nats): a revoked wall is cut off on every node at once. Empty: each node on its own.',
  },
  {
    name: 'SIMULATOR',
    default: 'on',
    description: 'on / off: the built-in scenario simulator feeding the server in process.',
  },
  { name: 'SIM_SCENARIO', default: 'normal', description: `Simulator scenario: ${SCENARIOS.join(', ')}.` },
  { name: 'SIM_SEED', default: '1', description: 'Simulator seed (same seed, same events).' },
  {
    name: 'SIM_BACKFILL_HOURS',
    default: '744',
    description:
      'On a first start with an empty log, the simulator first replays this many past hours at full speed (0–1488), so the month view has a month behind it at once; only yesterday and today in full detail (older days: every ticket, patrols without their GPS track, hourly gauge readings).',
  },
  {
    name: 'SIM_SPEED',
    default: '1',
    description:
      'Time-lapse (1–100, with SIMULATOR=on): the server clock, and with it the simulator, runs this many seconds per real second; 1 is real time. For demos and benchmarks only: real devices would look late.',
  },
  {
    name: 'MAX_FUTURE_SKEW_S',
    default: '300',
    description: 'Events timed further than this in the future are rejected (device clock skew).',
  },
  { name: 'FLUSH_MS', default: '150', description: 'Socket.IO delta coalescing window in ms (100–250).' },
  {
    name: 'KEYFRAMES',
    default: 'on',
    description:
      'on / off: keep keyframes of the folded state in the store, so that a start, a replay and a past brief fold only the log after the nearest one.',
  },
  {
    name: 'KEYFRAME_EVERY_EVENTS',
    default: '200000',
    description: 'A keyframe after this many events folded since the last one (and one at each local midnight).',
  },
  {
    name: 'KEYFRAME_EVERY_MINUTES',
    default: '10',
    description: 'A keyframe this many minutes after the last one when anything was folded since.',
  },
  {
    name: 'KEYFRAME_KEEP_DAYS',
    default: '35',
    description:
      'Midnight and hour keyframes are kept this many days (replay and briefs start from them); periodic ones: the newest 2.',
  },
  {
    name: 'KEYFRAME_HISTORY_HOURS',
    default: '4',
    description:
      'A keyframe at every local clock boundary this many hours apart (1, 2, 3, 4, 6, 8, 12 or 24 = midnight only), kept KEYFRAME_KEEP_DAYS: a replay folds at most this long a stretch of the log.',
  },
  {
    name: 'KPI_WEIGHTS',
    default: '0.2,0.4,0.4',
    description:
      'Composite-score weights of 响应率, 解决率, 满意率 (response, resolution, satisfaction); must sum to 1.',
  },
  {
    name: 'OSMAND_DEVICES',
    default: '',
    description:
      'JSON file mapping OsmAnd / Traccar device ids to ranger ids (or to { "ranger": id, "speed": "knots" | "ms" }); empty: the device id is the ranger id.',
  },
  {
    name: 'TICKET_DEADLINES',
    default: 'urgent=2h/24h,normal=24h/7d,low=48h/15d',
    description:
      'Respond / resolve deadlines per urgency for tickets without their own (units m, h, d; an urgency left out keeps its default; see docs/KPIS.md).',
  },
  {
    name: 'NEAR_DEADLINE_FRACTION',
    default: '0.8',
    description: 'A ticket is near its deadline once this share of its resolve window has passed (between 0 and 1).',
  },
  {
    name: 'BRIEF_HOUR',
    default: '7',
    description:
      "Local hour (Asia/Shanghai, 0–23) at which yesterday's daily briefs of the district and every town are computed and kept in memory; before it (or for other days) a brief is computed when asked.",
  },
  {
    name: 'TREATED_TOWNS',
    default: DEFAULT_TREATED_TOWNS,
    description:
      'The city’s list of towns under treatment (治理类): comma-separated <town name or code>@<YYYY-MM-DD the town entered the list>; highlighted in the rankings and the landing with their 三升四降 pair (docs/KPIS.md); none: no town.',
  },
  {
    name: 'ZERO_COMPLAINT_SINCE',
    default: DEFAULT_ZERO_COMPLAINT_SINCE,
    description:
      'Where a village’s 零诉求 streak began before the log did: comma-separated <village name or committee code>@<YYYY-MM-DD, or Nmo: N months before the log’s first day>; counted while the log has no ticket of the village before today (docs/KPIS.md); none: no village.',
  },
  {
    name: 'ALERT_RULES',
    default: '',
    description:
      'Alert rule thresholds: a JSON file (relative to the repository root) or inline JSON overriding the defaults rule by rule; empty: the defaults (see docs/ALERTS.md).',
  },
  {
    name: 'AUTH_SECRET',
    default: '',
    description:
      'Key that signs sessions and CSRF tokens (at least 32 characters); empty: a random key created once in auth-secret beside DATABASE_PATH (mode 0600), or a new one per process with STORE=memory.',
  },
  {
    name: 'SESSION_TTL_H',
    default: '12',
    description: 'How long a login lasts, in hours (wall devices: until revoked).',
  },
  {
    name: 'PRINCIPAL_CACHE_S',
    default: '5',
    description:
      'Seconds a node reuses a user or device record it read for a request or socket handshake (0–300; 0: the store is asked every time), so a reconnect storm reads each principal once. A disable or revoke made through any node is still refused at once on every node (REDIS_URL); one made with npm run users reaches running nodes within this time. While the user store is down, principals seen in the last minute are still served.',
  },
  {
    name: 'COOKIE_SECURE',
    default: 'false',
    description: 'true: the session cookie is sent over HTTPS only (set it when served behind TLS).',
  },
  {
    name: 'CORS_ORIGINS',
    default: '',
    description:
      'Comma-separated origins allowed to call the API from another origin; empty: none (the dashboard is same-origin).',
  },
  {
    name: 'LOGIN_RATE_LIMIT',
    default: '10',
    description: 'Login and wall set-up attempts per minute per client IP; more get 429.',
  },
  {
    name: 'ADMIN_PASSWORD',
    default: 'opsmap-admin',
    description:
      'Password of the demo admin `admin`, created only when there are no users yet; change it with `npm run users -- passwd admin`.',
  },
  {
    name: 'MQTT_URL',
    default: '',
    description:
      'MQTT broker to take sensor and tracker events from (mqtt:// or mqtts://, credentials in the URL); empty: MQTT ingest off (see docs/INGEST.md).',
  },
  {
    name: 'MQTT_TOPIC_PREFIX',
    default: 'opsmap',
    description:
      'First level(s) of the MQTT ingest topics: <prefix>/events, <prefix>/checkpoints/<id>/readings, <prefix>/devices/<id>/positions, <prefix>/dead-letter.',
  },
  {
    name: 'NOTIFY_CONFIG',
    default: '',
    description:
      'Notification channels (WeCom and DingTalk robots, signed webhooks, an SMS gateway) that alerts are sent to, routed by area: a JSON file (relative to the repository root) or inline JSON; "env:NAME" in a url or secret reads that variable; empty: none (see docs/ALERTS.md).',
  },
  {
    name: 'PUBLIC_URL',
    default: '',
    description:
      'Where people open the dashboard, e.g. https://ops.example.org: notifications link back to the alert there; empty: messages carry no link.',
  },
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function mqttConfig(env: Env): Config['mqtt'] {
  const url = read(env, 'MQTT_URL');
  let scheme: string | undefined;
  try {
    scheme = url === '' ? undefined : new URL(url).protocol;
  } catch {
    scheme = 'invalid';
  }
  if (scheme !== undefined && scheme !== 'mqtt:' && scheme !== 'mqtts:') {
    throw new ConfigError(
      `MQTT_URL=${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//…@'))} is not valid: expected an mqtt:// or mqtts:// URL, e.g. mqtt://127.0.0.1:1883`,
    );
  }
  const topicPrefix = read(env, 'MQTT_TOPIC_PREFIX');
  // Wildcards or empty levels would subscribe to other people's topics, or to none.
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(topicPrefix)) {
    throw new ConfigError(
      `MQTT_TOPIC_PREFIX=${JSON.stringify(topicPrefix)} is not valid: expected topic levels of letters, digits, _ . - separated by /, e.g. opsmap`,
    );
  }
  return { url, topicPrefix };
}

/** Runs one of config-rules.ts's parsers, reporting its error as a ConfigError. */
function ruleConfig<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RuleConfigError) throw new ConfigError(e.message);
    throw e;
  }
}

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value !== undefined && value !== '') return value;
  const spec = CONFIG_VARS.find((v) => v.name === name);
  if (!spec) throw new Error(`config: unknown variable ${name}`);
  return spec.default;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(`${name}=${JSON.stringify(value)} is not valid: expected one of ${allowed.join(', ')}`);
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`PORT=${JSON.stringify(value)} is not valid: expected an integer from 0 to 65535`);
  }
  return Number(value);
}

/** Hours between history keyframes: a divisor of 24, so that the boundaries fall on every local midnight. */
function historyHours(value: string): number {
  const hours = number('KEYFRAME_HISTORY_HOURS', value, 1, 24);
  if (!Number.isInteger(hours) || 24 % hours !== 0)
    throw new ConfigError(
      `KEYFRAME_HISTORY_HOURS=${JSON.stringify(value)} is not valid: expected a divisor of 24 (1, 2, 3, 4, 6, 8, 12 or 24)`,
    );
  return hours;
}

function number(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigError(`${name}=${JSON.stringify(value)} is not valid: expected a number from ${min} to ${max}`);
  }
  return n;
}

function kpiWeights(value: string): KpiWeights {
  const parts = value.split(',').map((p) => Number(p.trim()));
  const weights = { response: parts[0]!, resolution: parts[1]!, satisfaction: parts[2]! };
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0 || p > 1) || !kpiWeightsValid(weights)) {
    throw new ConfigError(
      `KPI_WEIGHTS=${JSON.stringify(value)} is not valid: expected three weights from 0 to 1 summing to 1, e.g. 0.2,0.4,0.4`,
    );
  }
  return weights;
}

function devices(value: string): ReadonlyMap<string, DeviceEntry> | undefined {
  if (value === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path.resolve(PROJECT_ROOT, value), 'utf8'));
  } catch (e) {
    throw new ConfigError(
      `OSMAND_DEVICES=${JSON.stringify(value)}: cannot read a JSON object from it (${(e as Error).message})`,
    );
  }
  const bad = () =>
    new ConfigError(
      `OSMAND_DEVICES=${JSON.stringify(value)}: expected a JSON object of device id → ranger id, or → ` +
        '{ "ranger": "<ranger id>", "speed": "knots" | "ms" }',
    );
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw bad();
  const out = new Map<string, DeviceEntry>();
  for (const [device, v] of Object.entries(json as Record<string, unknown>)) {
    if (typeof v === 'string') out.set(device.trim(), { rangerId: v });
    else if (v && typeof v === 'object' && typeof (v as { ranger?: unknown }).ranger === 'string') {
      const { ranger, speed } = v as { ranger: string; speed?: unknown };
      if (speed !== undefined && speed !== 'knots' && speed !== 'ms') throw bad();
      out.set(device.trim(), { rangerId: ranger, ...(speed ? { speed } : {}) });
    } else throw bad();
  }
  return out;
}

function briefHour(value: string): number {
  if (!/^\d{1,2}$/.test(value) || Number(value) > 23) {
    throw new ConfigError(
      `BRIEF_HOUR=${JSON.stringify(value)} is not valid: expected a whole hour from 0 to 23, e.g. 7`,
    );
  }
  return Number(value);
}

function bool(name: string, value: string): boolean {
  return oneOf(name, value.toLowerCase(), ['true', 'false'] as const) === 'true';
}

function origins(value: string): string[] {
  const list = value
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const o of list) {
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== o) {
      throw new ConfigError(
        `CORS_ORIGINS: ${JSON.stringify(o)} is not an origin (scheme://host[:port], no path), e.g. https://ops.example.org`,
      );
    }
  }
  return list;
}

function authConfig(env: Env): AuthConfig {
  const secret = read(env, 'AUTH_SECRET');
  if (secret !== '' && Buffer.byteLength(secret) < 32)
    throw new ConfigError('AUTH_SECRET is too short: use at least 32 random characters');
  return {
    secret: secret === '' ? undefined : secret,
    sessionTtlMs: number('SESSION_TTL_H', read(env, 'SESSION_TTL_H'), 0.01, 24 * 30) * 3600 * 1000,
    principalCacheMs: number('PRINCIPAL_CACHE_S', read(env, 'PRINCIPAL_CACHE_S'), 0, 300) * 1000,
    cookieSecure: bool('COOKIE_SECURE', read(env, 'COOKIE_SECURE')),
    corsOrigins: origins(read(env, 'CORS_ORIGINS')),
    loginRateLimit: Math.floor(number('LOGIN_RATE_LIMIT', read(env, 'LOGIN_RATE_LIMIT'), 1, 10_000)),
    adminPassword: read(env, 'ADMIN_PASSWORD'),
  };
}

const url = (name: string, value: string, schemes: readonly string[]): string => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !schemes.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(`${name}=${JSON.stringify(value)} is not valid: expected a ${schemes.join(' or ')}:// URL`);
  }
  return value;
};

function distributed(env: Env): Pick<Config, 'databaseUrl' | 'databaseSchema' | 'bus' | 'nodeName' | 'redisUrl'> {
  const store = read(env, 'STORE').toLowerCase();
  const databaseUrl = read(env, 'DATABASE_URL');
  if (store === 'postgres' && databaseUrl === '') {
    throw new ConfigError('STORE=postgres needs DATABASE_URL, e.g. postgres://opsmap@127.0.0.1:5432/opsmap');
  }
  const schema = read(env, 'DATABASE_SCHEMA');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new ConfigError(
      `DATABASE_SCHEMA=${JSON.stringify(schema)} is not valid: expected lower-case letters, digits and _ (a PostgreSQL name)`,
    );
  }
  const stream = read(env, 'NATS_STREAM');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    throw new ConfigError(
      `NATS_STREAM=${JSON.stringify(stream)} is not valid: expected letters, digits, _ and - (a JetStream stream name)`,
    );
  }
  const natsUrls = read(env, 'NATS_URL');
  for (const u of natsUrls.split(',')) url('NATS_URL', u.trim(), ['nats', 'tls']);
  const redisUrl = read(env, 'REDIS_URL');
  const bus = oneOf('BUS', read(env, 'BUS').toLowerCase(), BUSES);
  // Every node must check every other node's sessions and CSRF tokens; a key made up per node would log people
  // out whenever the proxy sends them to another node.
  if (bus === 'nats' && read(env, 'AUTH_SECRET') === '') {
    throw new ConfigError(
      'BUS=nats needs AUTH_SECRET (the same 32+ character key on every node), so that a session made on one node is valid on all',
    );
  }
  return {
    databaseUrl: databaseUrl === '' ? '' : url('DATABASE_URL', databaseUrl, ['postgres', 'postgresql']),
    databaseSchema: schema,
    bus: { kind: bus, natsUrl: natsUrls, stream },
    nodeName: read(env, 'NODE_NAME'),
    redisUrl: redisUrl === '' ? '' : url('REDIS_URL', redisUrl, ['redis', 'rediss']),
  };
}

function notifyConfig(env: Env): NotifyConfig | undefined {
  try {
    return loadNotifyConfig(env.NOTIFY_CONFIG?.trim() ?? '', PROJECT_ROOT, env);
  } catch (e) {
    if (e instanceof NotifyConfigError) throw new ConfigError(e.message);
    throw e;
  }
}

function publicUrl(value: string): string {
  if (value === '') return '';
  return url('PUBLIC_URL', value, ['http', 'https']).replace(/\/+$/, '');
}

/** An empty variable reads as its default, so a list that may be emptied says so with `none`. */
const noneIsEmpty = (value: string): string => (value.toLowerCase() === 'none' ? '' : value);

function conceptSpecs(env: Env): ConceptSpecs {
  try {
    return {
      treatedTowns: parseTreatedTowns(noneIsEmpty(read(env, 'TREATED_TOWNS'))),
      zeroComplaintSince: parseZeroComplaintSince(noneIsEmpty(read(env, 'ZERO_COMPLAINT_SINCE'))),
    };
  } catch (e) {
    if (e instanceof RangeError) throw new ConfigError(e.message);
    throw e;
  }
}

/** Reads and validates the configuration; throws ConfigError with the variable's name on a bad value. */
export function loadConfig(env: Env = process.env): Config {
  const geoDir = read(env, 'GEO_DIR');
  const sim = oneOf('SIMULATOR', read(env, 'SIMULATOR').toLowerCase(), ['on', 'off'] as const);
  return {
    store: oneOf('STORE', read(env, 'STORE').toLowerCase(), STORES),
    databasePath: path.resolve(PROJECT_ROOT, read(env, 'DATABASE_PATH')),
    ...distributed(env),
    simulator: {
      on: sim === 'on',
      scenario: oneOf('SIM_SCENARIO', read(env, 'SIM_SCENARIO'), SCENARIOS),
      seed: number('SIM_SEED', read(env, 'SIM_SEED'), 0, 2 ** 31),
      backfillHours: number('SIM_BACKFILL_HOURS', read(env, 'SIM_BACKFILL_HOURS'), 0, 24 * 62),
      speed: number('SIM_SPEED', read(env, 'SIM_SPEED'), 1, 100),
    },
    maxFutureSkewMs: number('MAX_FUTURE_SKEW_S', read(env, 'MAX_FUTURE_SKEW_S'), 0, 86_400) * 1000,
    flushMs: number('FLUSH_MS', read(env, 'FLUSH_MS'), 20, 5000),
    keyframes: {
      on: oneOf('KEYFRAMES', read(env, 'KEYFRAMES').toLowerCase(), ['on', 'off'] as const) === 'on',
      everyEvents: number('KEYFRAME_EVERY_EVENTS', read(env, 'KEYFRAME_EVERY_EVENTS'), 1, 1e9),
      everyMs: number('KEYFRAME_EVERY_MINUTES', read(env, 'KEYFRAME_EVERY_MINUTES'), 0.01, 1440) * 60_000,
      keepPeriodic: 2,
      keepDays: number('KEYFRAME_KEEP_DAYS', read(env, 'KEYFRAME_KEEP_DAYS'), 1, 400),
      historyHours: historyHours(read(env, 'KEYFRAME_HISTORY_HOURS')),
    },
    kpiWeights: kpiWeights(read(env, 'KPI_WEIGHTS')),
    osmandDevices: devices(env.OSMAND_DEVICES?.trim() ?? ''),
    ticketDeadlines: ruleConfig(() => parseTicketDeadlines(read(env, 'TICKET_DEADLINES'))),
    nearDeadlineFraction: ruleConfig(() => parseNearDeadlineFraction(read(env, 'NEAR_DEADLINE_FRACTION'))),
    briefHour: briefHour(read(env, 'BRIEF_HOUR')),
    alertRules: ruleConfig(() => loadAlertRules(env.ALERT_RULES?.trim() ?? '', PROJECT_ROOT)),
    concepts: conceptSpecs(env),
    auth: authConfig(env),
    mqtt: mqttConfig(env),
    notify: notifyConfig(env),
    publicUrl: publicUrl(read(env, 'PUBLIC_URL')),
    port: parsePort(read(env, 'PORT')),
    host: read(env, 'HOST'),
    geoDir: path.resolve(PROJECT_ROOT, geoDir),
    logLevel: oneOf('LOG_LEVEL', read(env, 'LOG_LEVEL').toLowerCase(), LOG_LEVELS),
    logFormat: oneOf('LOG_FORMAT', read(env, 'LOG_FORMAT').toLowerCase(), LOG_FORMATS),
    nodeEnv: oneOf('NODE_ENV', read(env, 'NODE_ENV').toLowerCase(), NODE_ENVS),
  };
}
