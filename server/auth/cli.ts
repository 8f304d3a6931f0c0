// npm run users -- <command>: users and wall/feed device tokens in the store the server's configuration names
// (STORE: the SQLite file, or PostgreSQL on a cluster), for the first set-up and for when the admin page is out of
// reach. Same rules as the admin API (accounts.ts).
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from '../config';
import { loadGeo } from '../geo/load';
import { openPostgresUserStore } from '../store/users-postgres';
import { openSqliteUserStore } from '../store/users-sqlite';
import { createAccounts, type AccountResult } from './accounts';
import { generatePassword } from './password';
import { DEVICE_ROLES, USER_ROLES, type DeviceRole, type UserRole, type UserStore } from './types';

export const USAGE = `npm run users -- <command>

  add <username> --role admin|officer|leader --scope <scope> [--name 张三] [--password …]
                      a new user; without --password one is generated and printed once
  list                the users
  passwd <username> [--password …]
                      a new password (generated and printed when not given)
  disable <username>  refuses their login and ends their open sessions
  enable <username>   lets them log in again
  device <name> --role wall|feed --scope <scope>
                      a new device token, printed once, with the wall's set-up URL
  devices             the devices, revoked ones included
  revoke <id>         a device is refused from its next request on

  <scope>: district:110112, town:<id>, or a town's name (张家湾镇). A leader's scope is a town.
  The store is the server's: STORE=sqlite (default) uses DATABASE_PATH (default var/opsmap.sqlite),
  STORE=postgres uses DATABASE_URL and DATABASE_SCHEMA; which one is said on stderr first.`;

const MIN_PASSWORD = 8;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

/** Where the users are, for the operator to read: never the connection string itself (it holds the password). */
export function describeUserStore(config: Config): string {
  if (config.store === 'postgres') {
    const url = new URL(config.databaseUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return `users in PostgreSQL ${url.hostname || 'localhost'}:${url.port || '5432'}/${database} schema ${config.databaseSchema}`;
  }
  if (config.store === 'memory') return 'users in memory (STORE=memory)';
  return `users in SQLite ${config.databasePath}`;
}

/** The user store the server with this configuration reads; a running server's STORE=memory cannot be reached. */
async function openUserStore(config: Config): Promise<UserStore> {
  switch (config.store) {
    case 'postgres':
      return openPostgresUserStore({ connectionString: config.databaseUrl, schema: config.databaseSchema });
    case 'sqlite':
      return openSqliteUserStore(config.databasePath);
    case 'memory':
      throw new UsageError(
        'STORE=memory keeps users inside the running server only, so there is nothing here to change: use the admin API, or STORE=sqlite / STORE=postgres',
      );
  }
}

function need<T>(r: AccountResult<T>): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  if (value !== undefined && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}`);
}

function checkPassword(password: string | undefined): string | undefined {
  if (password !== undefined && password.length < MIN_PASSWORD)
    throw new UsageError(`a password needs at least ${MIN_PASSWORD} characters`);
  return password;
}

/** Runs one command; resolves to the exit code (0 ok, 1 refused, 2 usage). */
export async function runUsersCli(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        role: { type: 'string' },
        scope: { type: 'string' },
        name: { type: 'string' },
        password: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, arg] = positionals;
  if (values.help || !command) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }

  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err(e.message);
    return 2;
  }
  const where = describeUserStore(config);
  let users: UserStore;
  try {
    users = await openUserStore(config);
  } catch (e) {
    io.err(e instanceof UsageError ? e.message : `${where}: could not be opened: ${(e as Error).message}`);
    return e instanceof UsageError ? 2 : 1;
  }
  // Before anything else, so that an operator on the wrong store (changing nothing the nodes read) sees it at once.
  io.err(where);
  try {
    // Only scopes need the geography; loading it checks a town name or key against the real tree.
    const tree =
      command === 'add' || command === 'device' ? (await loadGeo(config.geoDir)).tree : { root: '', nodes: {} };
    const accounts = createAccounts(users, tree);
    const required = (what: string): string => {
      if (!arg) throw new UsageError(`${command} needs ${what}`);
      return arg;
    };
    switch (command) {
      case 'add': {
        const username = required('a username');
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(username)) throw new UsageError('a username is 1–64 letters, digits, _ . -');
        const role = oneOf<UserRole>('role', values.role, USER_ROLES);
        if (!values.scope) throw new UsageError('add needs --scope');
        const password = checkPassword(values.password);
        const { user, generatedPassword } = need(
          await accounts.addUser({
            username,
            role,
            scope: values.scope,
            ...(values.name ? { name: values.name } : {}),
            ...(password ? { password } : {}),
          }),
        );
        io.out(`added ${user.username} (${user.name}): ${user.role}, scope ${user.scope}`);
        if (generatedPassword) io.out(`password (shown once): ${generatedPassword}`);
        return 0;
      }
      case 'list': {
        for (const u of await users.listUsers()) {
          io.out([u.username, u.name, u.role, u.scope, u.disabled ? 'disabled' : 'active'].join('\t'));
        }
        return 0;
      }
      case 'passwd': {
        const username = required('a username');
        const given = checkPassword(values.password);
        const password = given ?? generatePassword();
        need(await accounts.updateUser(username, { password }));
        io.out(`password of ${username} changed`);
        if (!given) io.out(`new password (shown once): ${password}`);
        return 0;
      }
      case 'disable':
      case 'enable': {
        const username = required('a username');
        need(await accounts.updateUser(username, { disabled: command === 'disable' }));
        io.out(`${username} ${command}d`);
        return 0;
      }
      case 'device': {
        const name = required('a name');
        const role = oneOf<DeviceRole>('role', values.role, DEVICE_ROLES);
        if (!values.scope) throw new UsageError('device needs --scope');
        const { device, token } = need(await accounts.addDevice({ name, role, scope: values.scope }));
        io.out(`device ${device.id} (${device.name}): ${device.role}, scope ${device.scope}`);
        io.out(`token (shown once, keep it secret): ${token}`);
        if (role === 'wall')
          io.out(`set the wall up by opening once: http://<server>:${config.port}/wall?device=${token}`);
        else io.out(`send it as: Authorization: Bearer ${token}`);
        return 0;
      }
      case 'devices': {
        for (const d of await users.listDevices()) {
          const state = d.revokedAt !== undefined ? `revoked ${new Date(d.revokedAt).toISOString()}` : 'active';
          io.out([d.id, d.name, d.role, d.scope, state].join('\t'));
        }
        return 0;
      }
      case 'revoke': {
        const device = need(await accounts.revokeDevice(required('a device id')));
        io.out(`device ${device.id} (${device.name}) revoked`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n\n${USAGE}`);
      return 2;
    }
    io.err((e as Error).message);
    return 1;
  } finally {
    await users.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const code = await runUsersCli(process.argv.slice(2), {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    env: process.env,
  });
  process.exitCode = code;
}
