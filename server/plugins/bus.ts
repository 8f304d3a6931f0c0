// The bus: the ordered log every projection follows. In process (the store hands out the seqs) or NATS JetStream
// (BUS=nats: the stream orders the log of every node and this node's store archives it; a NATS or store outage
// fails appends with 503 and the bus catches up by itself when the service is back). docs/scaling.md.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { createInProcessBus } from '../bus/in-process';
import type { JetStreamBus } from '../bus/jetstream';
import type { EventBus } from '../bus/types';
import { isOwnSqliteLog } from './store';

declare module 'fastify' {
  interface FastifyInstance {
    bus: EventBus;
  }
}

export interface BusPluginOptions {
  config: Config;
}

/** How often the shared bus's connection and its archive are read into /readyz and the metrics. */
const CONNECTION_POLL_MS = 1000;
/** A follow error is logged once per this long while it lasts, not once per retry. */
const FOLLOW_ERROR_LOG_MS = 10_000;

const busPlugin: FastifyPluginAsync<BusPluginOptions> = async (app, { config }) => {
  const { store } = app;
  let followErrorLogged = 0;
  // The NATS client is imported only with BUS=nats: the embedded default starts without loading it.
  const nats: JetStreamBus | undefined =
    config.bus.kind === 'nats'
      ? await (
          await import('../bus/jetstream')
        ).createJetStreamBus({
          url: config.bus.natsUrl,
          stream: config.bus.stream,
          store,
          onFollowError: (error) => {
            if (Date.now() - followErrorLogged < FOLLOW_ERROR_LOG_MS) return;
            followErrorLogged = Date.now();
            app.log.warn({ err: error }, 'the event stream cannot be followed or archived now; retrying');
          },
        })
      : undefined;
  // A SQLite log the app opened commits on its writer thread in the order it is called, so the bus may start the
  // next group while one commits (ingest: docs/BENCHMARKS.md).
  const bus = nats ?? createInProcessBus(store, { pipeline: isOwnSqliteLog(store) ? 2 : 1 });
  if (nats) {
    const { shared } = app.readiness;
    shared.bus = nats.connected();
    const poll = setInterval(() => {
      shared.bus = nats.connected();
      app.metrics.busConnected.set(shared.bus ? 1 : 0);
      app.metrics.archiveLastSeq.set(nats.archived);
      app.metrics.archiveLease.set(nats.archiving() ? 1 : 0);
    }, CONNECTION_POLL_MS);
    poll.unref();
    app.addHook('onClose', async () => clearInterval(poll));
  }
  // After the projections have stopped following it (they close first: onClose runs in reverse order).
  app.addHook('onClose', async () => bus.close());
  app.decorate('bus', bus);
};

export default fp(busPlugin, { name: 'bus', fastify: '5.x', dependencies: ['ops', 'store'] });
