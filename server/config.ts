// One typed configuration, read from the environment once, at the edge of the process.
// The defaults are the embedded mode: one process on one machine, geography from data/geo.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (server/..): relative paths in the config resolve against it, not the cwd. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['production', 'development', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export interface Config {
  /** TCP port of the HTTP server; 0 picks a free port (tests). */
  port: number;
  host: string;
  /** Absolute path of the folder holding the area layers (LAYER_FILES). */
  geoDir: string;
  logLevel: LogLevel;
  nodeEnv: NodeEnv;
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
  { name: 'NODE_ENV', default: 'production', description: `Run mode: ${NODE_ENVS.join(', ')}.` },
];

export class ConfigError extends Error {
  override name = 'ConfigError';
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

/** Reads and validates the configuration; throws ConfigError with the variable's name on a bad value. */
export function loadConfig(env: Env = process.env): Config {
  const geoDir = read(env, 'GEO_DIR');
  return {
    port: parsePort(read(env, 'PORT')),
    host: read(env, 'HOST'),
    geoDir: path.resolve(PROJECT_ROOT, geoDir),
    logLevel: oneOf('LOG_LEVEL', read(env, 'LOG_LEVEL').toLowerCase(), LOG_LEVELS),
    nodeEnv: oneOf('NODE_ENV', read(env, 'NODE_ENV').toLowerCase(), NODE_ENVS),
  };
}
