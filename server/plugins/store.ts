// The event store: the durable log (SQLite WAL file, PostgreSQL, or memory; store/). A store the app opens on a
// SQLite file commits on its own writer thread; the bus may pipeline over it (plugins/bus.ts).
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { createMemoryStore } from '../store/memory';
import { openSqliteStore } from '../store/sqlite';
import type { EventStore } from '../store/types';

declare module 'fastify' {
  interface FastifyInstance {
    store: EventStore;
  }
}

export interface StorePluginOptions {
  config: Config;
  /** A store made by the caller (tests); defaults to the one config.store names. */
  store?: EventStore;
}

/** SQLite logs this app opened itself: their writer thread commits in call order, and they keep the simulator's state file beside them. */
const ownSqliteLogs = new WeakSet<EventStore>();
export const isOwnSqliteLog = (store: EventStore): boolean => ownSqliteLogs.has(store);

const storePlugin: FastifyPluginAsync<StorePluginOptions> = async (app, { config, store: given }) => {
  let store = given;
  if (!store) {
    if (config.store === 'memory') store = createMemoryStore();
    // PostgreSQL's driver is imported only when configured: the embedded default starts without loading it.
    else if (config.store === 'postgres')
      store = await (
        await import('../store/postgres')
      ).openPostgresStore({ connectionString: config.databaseUrl, schema: config.databaseSchema });
    else {
      store = openSqliteStore(config.databasePath, { writer: 'thread' });
      ownSqliteLogs.add(store);
    }
  }
  const opened = store;
  // Last to close (onClose runs in reverse order of registration): everything after it writes through it.
  app.addHook('onClose', async () => opened.close());
  app.decorate('store', opened);
};

export default fp(storePlugin, { name: 'store', fastify: '5.x', dependencies: ['ops'] });
