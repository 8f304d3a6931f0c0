// Operations: the readiness checks /readyz reports and the Prometheus metrics. First in the list, so that every
// later plugin can report itself ready, and so that closing turns the node unready before anything stops.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { createFanoutLatency, type FanoutLatency } from '../ops/fanout-latency';
import { createMetrics, type Metrics } from '../ops/metrics';

export interface Readiness {
  /** Each turns true when its service is usable (geo, store); /readyz is ready when all are. */
  checks: Record<string, boolean>;
  /** Services every node shares (the bus): reported, never making this node unready (routes/health.ts). */
  shared: Record<string, boolean>;
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness;
    metrics: Metrics;
    /** Arrival to delta taken for the clients: the fold notes arrivals, the gateway settles them. */
    fanoutLatency: FanoutLatency;
  }
}

export interface OpsPluginOptions {
  now: () => number;
}

const ops: FastifyPluginAsync<OpsPluginOptions> = async (app, { now }) => {
  const readiness: Readiness = { checks: { geo: false, store: false }, shared: {} };
  app.addHook('preClose', async () => {
    for (const key of Object.keys(readiness.checks)) readiness.checks[key] = false;
  });
  app.decorate('readiness', readiness);
  const metrics = createMetrics();
  app.decorate('metrics', metrics);
  app.decorate('fanoutLatency', createFanoutLatency(metrics.fanoutSeconds, now));
};

export default fp(ops, { name: 'ops', fastify: '5.x' });
