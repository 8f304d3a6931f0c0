// Liveness and readiness (GET /healthz, GET /readyz) and the Prometheus metrics (GET /metrics): what an orchestrator
// and a monitoring system ask, without a login and without any area, object or person in the answer.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Gateway } from '../gateway/gateway';
import type { Notifier } from '../notify/notifier';
import { NotifyReadiness, notifyReadiness } from '../notify/routes';
import { doc, PUBLIC } from '../openapi/spec';
import type { Metrics } from '../ops/metrics';
import type { Readiness as ReadinessChecks } from '../plugins/ops';

const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), Type.Boolean()),
  /**
   * Services every node shares (the bus): reported, but they never make this node unready. When NATS is down it
   * is down for every node; a proxy that took them all out would darken every wall, although each node still
   * holds the live state and answers reads. Ingest answers 503 meanwhile.
   */
  shared: Type.Optional(Type.Record(Type.String(), Type.Boolean())),
  /** Notification channels (NOTIFY_CONFIG): reported, never making the node unready (a dead robot is not ours). */
  notify: Type.Optional(NotifyReadiness),
});

export const healthRoutes: FastifyPluginAsyncTypebox<{
  readiness: ReadinessChecks;
  notifier: Notifier | undefined;
}> = async (app, { readiness: { checks, shared }, notifier }) => {
  app.get(
    '/healthz',
    {
      schema: {
        ...doc('operations', 'Liveness: the process answers', PUBLIC),
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        ...doc(
          'operations',
          'Readiness: geography loaded and the log folded (503 until then, and while closing)',
          PUBLIC,
        ),
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const ready = Object.values(checks).every(Boolean);
      const body = {
        status: ready ? ('ready' as const) : ('not_ready' as const),
        checks: { ...checks },
        ...(notifier ? { notify: notifyReadiness(notifier) } : {}),
      };
      return reply
        .code(ready ? 200 : 503)
        .send(Object.keys(shared).length > 0 ? { ...body, shared: { ...shared } } : body);
    },
  );
};

export const metricsRoutes: FastifyPluginAsyncTypebox<{ metrics: Metrics; gateway: Gateway }> = async (
  app,
  { metrics, gateway },
) => {
  app.get(
    '/metrics',
    {
      schema: {
        ...doc('operations', 'Prometheus metrics', PUBLIC, 'Counts and latencies only: no area, object or person.'),
        response: {
          200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String() } } },
        },
      },
    },
    async (_request, reply) => {
      metrics.sockets.set(gateway.metrics().sockets);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
};
