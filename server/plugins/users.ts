// Users and devices, and the authenticator that turns a cookie or a token into a principal (auth/). The user
// store is the same kind as the event log's (SQLite: the log's file, a connection of its own); the demo admin is
// made here when there is none.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { AreaKey } from '../contract/areas';
import type { Config } from '../config';
import { createAuthenticator, type Authenticator } from '../auth/authenticator';
import { ensureDemoAdmin } from '../auth/bootstrap';
import { resolveSecret, secretFileFor } from '../auth/secret';
import type { UserStore } from '../auth/types';
import { createMemoryUserStore } from '../store/users-memory';
import { openSqliteUserStore } from '../store/users-sqlite';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who a request or a socket is (sessions, device tokens); its `users` is the user store. */
    auth: Authenticator;
  }
}

export interface UsersPluginOptions {
  config: Config;
  /** The user store; defaults to the one config.store names. */
  users?: UserStore;
  /** Real time: sessions and accounts live by it even during a time-lapse (a browser expires a cookie by its own clock). */
  wallClock: () => number;
}

const usersPlugin: FastifyPluginAsync<UsersPluginOptions> = async (app, { config, users: given, wallClock }) => {
  const sqlite = !given && config.store === 'sqlite';
  // PostgreSQL's user store (and its driver) is imported only when configured, as in plugins/store.ts.
  const users =
    given ??
    (sqlite
      ? openSqliteUserStore(config.databasePath)
      : config.store === 'postgres'
        ? await (
            await import('../store/users-postgres')
          ).openPostgresUserStore({ connectionString: config.databaseUrl, schema: config.databaseSchema })
        : createMemoryUserStore());
  app.addHook('onClose', async () => users.close());
  const auth = createAuthenticator({
    users,
    secret: resolveSecret(config.auth.secret, sqlite ? secretFileFor(config.databasePath) : undefined),
    sessionTtlMs: config.auth.sessionTtlMs,
    principalCacheMs: config.auth.principalCacheMs,
    now: wallClock,
  });
  await ensureDemoAdmin(users, {
    password: config.auth.adminPassword,
    scope: app.geo.tree.root as AreaKey,
    now: wallClock,
    log: app.log,
  });
  app.decorate('auth', auth);
};

export default fp(usersPlugin, { name: 'users', fastify: '5.x', dependencies: ['geo'] });
