// The gateway: Socket.IO on the app's HTTP server (gateway/): a snapshot per scope, then coalesced deltas per
// room; the alerts to their rooms; history mode's replays over the same sockets (replay/); and, with REDIS_URL,
// the Socket.IO adapter between nodes, which carries only what is not in the log (a revoked device, a changed
// user: docs/scaling.md).
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { createAlertDelivery } from '../gateway/alerts';
import { attachGateway, type Gateway } from '../gateway/gateway';
import { attachPrincipalChanges, type PrincipalChanges } from '../gateway/principal-changes';
import type { LiveState } from '../live/types';
import { attachReplay } from '../replay/attach';

declare module 'fastify' {
  interface FastifyInstance {
    gateway: Gateway;
    /** A user or device changed through this node: every node forgets its cached copy (gateway/principal-changes.ts). */
    principalChanges: PrincipalChanges;
  }
}

export interface GatewayPluginOptions {
  config: Config;
  now: () => number;
}

const gatewayPlugin: FastifyPluginAsync<GatewayPluginOptions> = async (app, { config, now }) => {
  const { geo, store, auth, projections, fanoutLatency } = app;
  const { live } = projections;
  // The gateway is the only caller of takeChanges(); this view of the state times each batch's way out.
  const observed: LiveState = {
    get seq() {
      return live.seq;
    },
    apply: (events) => live.apply(events),
    advance: (t) => live.advance(t),
    aggregate: (key) => live.aggregate(key),
    snapshot: (scope) => live.snapshot(scope),
    takeChanges: () => {
      const changes = live.takeChanges();
      fanoutLatency.taken(changes.toSeq);
      return changes;
    },
    ticket: (id) => live.ticket(id),
    checkpoint: (id) => live.checkpoint(id),
    ranger: (id) => live.ranger(id),
    incident: (id) => live.incident(id),
    tickets: (query) => live.tickets(query),
    townOf: (kind, id) => live.townOf(kind, id),
    patrolVisited: (area) => live.patrolVisited(area),
  };
  // Every socket proves who it is at the handshake and may follow only the rooms of its scope (gateway/rooms.ts).
  const gateway = attachGateway({
    httpServer: app,
    live: observed,
    tree: geo.tree,
    flushMs: config.flushMs,
    logger: app.log,
    now,
    authenticate: ({ headers, auth: handshakeAuth }) => auth.fromHandshake(headers, handshakeAuth),
  });
  projections.onAlertChanges(createAlertDelivery(gateway.io, geo.tree));
  // History mode: replays of past windows over the same sockets, each from the nearest keyframe before its moment.
  const { keyframes } = projections;
  const replays = attachReplay({
    io: gateway.io,
    geo,
    store,
    live: projections.liveOptions,
    now,
    log: app.log,
    ...(keyframes
      ? { keyframes: { store: keyframes.store, version: keyframes.version, part: keyframes.livePart } }
      : {}),
  });
  app.addHook('preClose', async () => replays.close());
  // A revoked wall goes dark at once on every node, before the admin's answer.
  const principalChanges = attachPrincipalChanges({
    io: gateway.io,
    crossNode: config.redisUrl !== '',
    forget: auth.forget,
    cutOffDevice: (id) => gateway.cutOff((p) => p.kind === 'device' && p.id === id),
    log: app.log,
  });
  if (config.redisUrl !== '') {
    // Imported only with REDIS_URL set: most deployments run one node and never load them.
    const [{ Redis }, { createAdapter: createRedisStreamsAdapter }] = await Promise.all([
      import('ioredis'),
      import('@socket.io/redis-streams-adapter'),
    ]);
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    redis.on('error', (error: unknown) =>
      app.log.warn({ err: error }, 'Redis for the Socket.IO adapter is not available; retrying'),
    );
    gateway.io.adapter(createRedisStreamsAdapter(redis, { streamName: `opsmap:${config.bus.stream}:socket.io` }));
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  app.decorate('gateway', gateway);
  app.decorate('principalChanges', principalChanges);
};

export default fp(gatewayPlugin, {
  name: 'gateway',
  fastify: '5.x',
  dependencies: ['ops', 'geo', 'store', 'users', 'projections'],
});
