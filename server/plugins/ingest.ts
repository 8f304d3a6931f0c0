// Ingest: the acceptor every source goes through (validate, coordinates to WGS84, time check, locate, append;
// ingest/accept.ts), the MQTT subscriber (MQTT_URL) and the embedded simulator (SIMULATOR). The HTTP sources
// are routes (routes/ingest.ts, routes/open311.ts). Last before the routes: the rule engine starts here, once
// the past is in.
import { hostname } from 'node:os';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { createAcceptor, type Acceptor } from '../ingest/accept';
import { defaultClientId, startMqttIngest, type MqttIngest } from '../ingest/mqtt';
import { startEmbeddedSimulator, type EmbeddedSim } from '../sim/embedded';
import { isOwnSqliteLog } from './store';

export interface Ingest {
  accept: Acceptor;
  /** The MQTT subscriber, once the app is ready, when MQTT_URL is set (ingest/mqtt.ts). */
  mqtt?: MqttIngest;
  /** The embedded simulator, once the server listens, when SIMULATOR is on (sim/). */
  simulator?: EmbeddedSim;
  /** Whether the past is in: true without a simulator, else once its backfill (or resume) is ingested. */
  backfilled(): boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    ingest: Ingest;
  }
}

export interface IngestPluginOptions {
  config: Config;
  now: () => number;
}

const ingestPlugin: FastifyPluginAsync<IngestPluginOptions> = async (app, { config, now }) => {
  const { geo, locator, bus, store, metrics, projections } = app;
  let backfilled = !config.simulator.on;
  const ingest: Ingest = {
    accept: createAcceptor({ geo, locator, bus, maxFutureSkewMs: config.maxFutureSkewMs, now }),
    backfilled: () => backfilled,
  };
  const { rules } = projections;
  // What changed while the server was down (deadlines passed, silences) is decided once, now; with the simulator
  // on, once its backfill (or resume) has replayed the past hours at full speed, so that the rules judge the
  // state it leaves, as after a restart, instead of raising and resolving every past alert on the way.
  if (!config.simulator.on) rules.start();

  // At ready, not at registration: a build that fails further down leaves no broker connection behind.
  if (config.mqtt.url !== '') {
    app.addHook('onReady', async () => {
      // On a cluster every node subscribes as one shared group, each with a session of its own (NODE_NAME).
      const cluster = config.bus.kind === 'nats';
      ingest.mqtt = await startMqttIngest({
        url: config.mqtt.url,
        topicPrefix: config.mqtt.topicPrefix,
        accept: ingest.accept,
        metrics,
        log: app.log,
        ...(cluster
          ? {
              shareGroup: `opsmap-${config.bus.stream}`,
              clientId: defaultClientId(`${config.mqtt.topicPrefix}-${config.nodeName || hostname()}`),
            }
          : {}),
      });
    });
  }

  // Once the server listens, so that the simulator's backfill never delays the readiness checks.
  if (config.simulator.on) {
    const started = () => {
      backfilled = true;
      rules.start();
    };
    app.addHook('onListen', async () => {
      const simulator = startEmbeddedSimulator({
        geo,
        accept: ingest.accept,
        scenario: config.simulator.scenario,
        seed: config.simulator.seed,
        backfillHours: config.simulator.backfillHours,
        ...(isOwnSqliteLog(store) ? { stateFile: `${config.databasePath}.sim.json` } : {}),
        emptyLog: projections.startedEmpty,
        now,
        log: app.log,
      });
      ingest.simulator = simulator;
      void simulator.ready.then(started, (error: unknown) => {
        app.log.warn({ err: error }, 'simulator backfill failed; the alert rules start anyway');
        started();
      });
    });
  }

  // First to close: a message being stored finishes (or stays unacknowledged for the broker to redeliver) before
  // the fold, the bus and the store close after it.
  app.addHook('onClose', async () => {
    await ingest.simulator?.stop();
    await ingest.mqtt?.close();
  });
  app.decorate('ingest', ingest);
};

export default fp(ingestPlugin, {
  name: 'ingest',
  fastify: '5.x',
  dependencies: ['ops', 'geo', 'store', 'bus', 'projections'],
});
