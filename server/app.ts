// The application factory: the process (main.ts) and the tests build the same app.
// Registration order is the reading order: external plugins, then application services, then routes.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AreaTree, LAYER_NAMES, type AreaKey, type LayerName } from './contract/areas';
import { ApiError, errorResponses } from './contract/errors';
import type { Config, LogFormat } from './config';
import pinoPretty, { type PrettyStream } from 'pino-pretty';
import { PROJECT_ROOT } from './config';
import { loadGeo, type Geo } from './geo/load';
import { servedLayer } from './geo/compact';
import { createLocator } from './geo/locate';
import { toWgs84 } from './geo/crs';
import { inScope } from './contract/auth';
import { createMemoryStore } from './store/memory';
import { openSqliteStore } from './store/sqlite';
import type { EventStore } from './store/types';
import { createInProcessBus } from './bus/in-process';
import { createJetStreamBus, type JetStreamBus } from './bus/jetstream';
import { createAdapter as createRedisStreamsAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { openPostgresStore } from './store/postgres';
import { openPostgresUserStore } from './store/users-postgres';
import type { EventBus } from './bus/types';
import { createLiveState } from './live/state';
import { createAreaTrends } from './live/area-trends';
import { createProjectionHost, projectionOf, type ProjectionHost } from './live/host';
import { keyframeVersion } from './live/keyframes';
import { createTicketTrend } from './live/trend';
import { createWeeklyTickets } from './live/weekly';
import { createSupervisionFold } from './live/supervision';
import { createPropertyScores } from './live/property-scores';
import { indexUnits } from './live/landing';
import { areaFigureRoutes } from './routes/area-figures';
import type { LiveState } from './live/types';
import { createAcceptor, type Acceptor } from './ingest/accept';
import { defaultClientId, startMqttIngest, type MqttIngest } from './ingest/mqtt';
import { hostname } from 'node:os';
import { attachGateway, type Gateway } from './gateway/gateway';
import { startEmbeddedSimulator, timeLapseClock, type EmbeddedSim } from './sim/embedded';
import { createMetrics, type Metrics } from './ops/metrics';
import { ingestRoutes } from './routes/ingest';
import { open311Routes } from './routes/open311';
import { createServiceRequestBook } from './live/service-requests';
import { serviceNameOf } from './ingest/open311-services';
import { createGazetteer } from './geo/gazetteer';
import { stateRoutes } from './routes/state';
import { logRoutes } from './routes/log';
import { trendRoutes } from './routes/trend';
import { trendsRoutes } from './routes/trends';
import { patrolRoutes } from './routes/patrol';
import { searchRoutes } from './routes/search';
import { createSearchIndex } from './live/search';
import { landingRoutes } from './routes/landing';
import { treatmentRoutes } from './routes/treatment';
import { resolveConcepts } from './live/treatment';
import { cacheJson, sendCachedJson, type CachedJson } from './routes/cached-json';
import { briefRoutes } from './routes/brief';
import { cachedSerializerFactory } from './routes/serializers';
import { createAuthenticator, type Authenticator } from './auth/authenticator';
import { attachPrincipalChanges } from './gateway/principal-changes';
import authPlugin from './auth/plugin';
import { ensureDemoAdmin } from './auth/bootstrap';
import { resolveSecret, secretFileFor } from './auth/secret';
import { LOG_REDACT_PATHS, redactUrl, requestSerializer } from './auth/redact';
import type { UserStore } from './auth/types';
import { createMemoryUserStore } from './store/users-memory';
import { openSqliteUserStore } from './store/users-sqlite';
import { createAccounts } from './auth/accounts';
import { authRoutes } from './routes/auth';
import { adminRoutes } from './routes/admin';
import { requireAbility } from './auth/guard';
import { createAlertBook, type AlertBook } from './rules/alerts';
import { createRuleEngine, type RuleEngine } from './rules/engine';
import { createAlertDelivery } from './gateway/alerts';
import { alertRoutes } from './routes/alerts';
import { ticketRoutes } from './routes/tickets';
import { exportRoutes } from './routes/export';
import { attachReplay } from './replay/attach';
import openapiPlugin from './openapi/plugin';
import { doc, PUBLIC, SESSION_OR_DEVICE } from './openapi/spec';
import { createNotifier, type Notifier } from './notify/notifier';
import { createNotifyMetrics } from './notify/metrics';
import { NotifyReadiness, notifyReadiness, notifyRoutes } from './notify/routes';

/** The running services, for the process and for tests that build the real app. */
export interface Services {
  geo: Geo;
  store: EventStore;
  bus: EventBus;
  live: LiveState;
  accept: Acceptor;
  gateway: Gateway;
  metrics: Metrics;
  /** Who a request or a socket is (sessions, device tokens); its `users` is the user store. */
  auth: Authenticator;
  /** The alerts, folded from the log (rules/alerts.ts). */
  alerts: AlertBook;
  /** The rule engine that raises, resolves and escalates them (rules/engine.ts). */
  rules: RuleEngine;
  simulator?: EmbeddedSim;
  /** The MQTT subscriber, when MQTT_URL is set (ingest/mqtt.ts). */
  mqtt?: MqttIngest;
  /** The notification channels, when NOTIFY_CONFIG is set (notify/). */
  notifier?: Notifier;
  /** The projection host: the one fold of the log, its keyframes (live/host.ts). */
  host: ProjectionHost;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the app is built from besides its config; tests replace parts of it. */
export interface AppDeps {
  /** Reads the area layers; defaults to the real loader. */
  loadGeo?: (dir: string) => Promise<Geo>;
  /** Folder of the built client (index.html, assets/); defaults to dist/client. */
  clientDir?: string;
  /** The event store; defaults to the one config.store names. */
  store?: EventStore;
  /** The clock (tests pin it); defaults to Date.now. */
  now?: () => number;
  /** The user store; defaults to the one config.store names (SQLite: the event log's file). */
  users?: UserStore;
  /** Where log lines go (tests read them); defaults to stdout. */
  logStream?: { write(line: string): void };
  /** Hears every route as it is added (the permission matrix test: a route without a row fails it). */
  onRoute?: (route: { method: string | string[]; url: string }) => void;
}

export const DEFAULT_CLIENT_DIR = path.join(PROJECT_ROOT, 'dist', 'client');

/** Whether log lines are written for a person (LOG_FORMAT; auto: when stdout is a terminal). */
export const prettyLogs = (format: LogFormat, isTTY = Boolean(process.stdout.isTTY)): boolean =>
  format === 'pretty' || (format === 'auto' && isTTY);

/**
 * Readable lines (time, level, message, then the fields), formatted in this thread: a terminal is read by one
 * person, and a worker thread for it would only add start-up time. Redaction has already run on the object.
 */
function prettyStream(): PrettyStream {
  return pinoPretty({
    colorize: Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    sync: true,
  });
}

/** Paths that belong to the server: an unknown one answers a JSON 404, never the client's index.html. */
const SERVER_PREFIXES = ['/api', '/geo', '/socket.io', '/healthz', '/readyz', '/metrics'];
/** How often the live state's clock moves (overdue tickets, lost signals, midnight). */
const CLOCK_TICK_MS = 1000;

/** Area layers change only with a deployment; clients revalidate with the ETag after this. Private: only logged-in readers get them. */
const AREA_CACHE_CONTROL = 'private, max-age=300';

// ---- shared schema pieces ----

const FeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      properties: Type.Record(Type.String(), Type.Unknown()),
      geometry: Type.Unknown(),
    }),
  ),
});

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

function notFound(message: string): ApiError {
  return { statusCode: 404, error: 'Not Found', message };
}

// ---- the factory ----

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
  // Per-request log lines only when debugging: trackers post one position per request, which would bury the
  // log (and its disk) in "request completed" lines on a busy day.
  const app: App = Fastify({
    // Never a cookie, an Authorization header, a password or a token in the log (docs/SECURITY.md).
    logger: {
      level: config.logLevel,
      redact: { paths: LOG_REDACT_PATHS, censor: '[Redacted]' },
      serializers: { req: requestSerializer },
      ...(deps.logStream ? { stream: deps.logStream } : prettyLogs(config.logFormat) ? { stream: prettyStream() } : {}),
    },
    // One serializer per distinct response schema, not per route and status (routes/serializers.ts).
    schemaController: { compilersFactory: { buildSerializer: cachedSerializerFactory() } },
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  // The one error shape (contract/errors.ts), registered once; routes refer to it, the document lists it once.
  app.addSchema(ApiError);

  // Each readiness check turns true when its service is usable; /readyz reports them.
  const checks: Record<string, boolean> = { geo: false, store: false };
  app.addHook('preClose', async () => {
    for (const key of Object.keys(checks)) checks[key] = false;
  });

  // SIM_SPEED: a time-lapse run moves the whole server clock (see timeLapseClock).
  const now = deps.now ?? timeLapseClock(config.simulator.on ? config.simulator.speed : 1);
  // Sessions, cookies and accounts live in real time even during a time-lapse: a browser expires its cookie by
  // its own clock, and a demo at SIM_SPEED=100 must not log everyone out after a few real minutes.
  const wallClock = deps.now ?? Date.now;

  // 1. external plugins, security first so that it covers every route and file: headers, CORS, cookies,
  // request.principal, CSRF. Users and devices: the same kind of store as the log (SQLite: the same file,
  // its own connection).
  const sqliteUsers = !deps.users && config.store === 'sqlite';
  const postgres = { connectionString: config.databaseUrl, schema: config.databaseSchema };
  const users =
    deps.users ??
    (sqliteUsers
      ? openSqliteUserStore(config.databasePath)
      : config.store === 'postgres'
        ? await openPostgresUserStore(postgres)
        : createMemoryUserStore());
  app.addHook('onClose', async () => users.close());
  const auth = createAuthenticator({
    users,
    secret: resolveSecret(config.auth.secret, sqliteUsers ? secretFileFor(config.databasePath) : undefined),
    sessionTtlMs: config.auth.sessionTtlMs,
    principalCacheMs: config.auth.principalCacheMs,
    now: wallClock,
  });
  await app.register(authPlugin, { auth, corsOrigins: config.auth.corsOrigins, https: config.auth.cookieSecure });
  // The OpenAPI document and its page: before every route, since it lists the routes added after it.
  await app.register(openapiPlugin);
  const clientDir = deps.clientDir ?? DEFAULT_CLIENT_DIR;
  const hasClient = existsSync(path.join(clientDir, 'index.html'));
  if (hasClient) {
    await app.register(fastifyStatic, {
      root: clientDir,
      cacheControl: false,
      // Vite names built assets by content hash, so they never change; index.html must always be fresh.
      setHeaders: (reply, filePath) => {
        const hashed = filePath.startsWith(path.join(clientDir, 'assets') + path.sep);
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    app.log.warn({ clientDir }, 'client not built: run `npm run build` (npm start builds it when needed)');
  }

  // 2. application services, in the order of the flow. A broken layer stops the start here.
  const metrics = createMetrics();
  const geo = await (deps.loadGeo ?? loadGeo)(config.geoDir);
  checks.geo = true;
  app.log.info({ dir: geo.dir, towns: geo.layers.towns.features.length }, 'geography loaded');
  const locator = createLocator(geo);
  const store =
    deps.store ??
    (config.store === 'memory'
      ? createMemoryStore()
      : config.store === 'postgres'
        ? await openPostgresStore(postgres)
        : openSqliteStore(config.databasePath, { writer: 'thread' }));
  // BUS=nats: the JetStream stream orders the log of every node and this node's store archives it; a NATS or
  // store outage fails appends (503) and the bus catches up by itself when the service is back.
  let followErrorLogged = 0;
  const natsBus: JetStreamBus | undefined =
    config.bus.kind === 'nats'
      ? await createJetStreamBus({
          url: config.bus.natsUrl,
          stream: config.bus.stream,
          store,
          onFollowError: (error) => {
            // One line every 10 s while it lasts, not one per retry.
            if (Date.now() - followErrorLogged < 10_000) return;
            followErrorLogged = Date.now();
            app.log.warn({ err: error }, 'the event stream cannot be followed or archived now; retrying');
          },
        })
      : undefined;
  // The SQLite store opened here commits on its writer thread in the order it is called, so the bus may start the
  // next group while one commits (ingest: docs/BENCHMARKS.md).
  const pipeline = !deps.store && config.store === 'sqlite' ? 2 : 1;
  const bus: EventBus = natsBus ?? createInProcessBus(store, { pipeline });
  const shared: Record<string, boolean> = {};
  if (natsBus) shared.bus = natsBus.connected();
  // State is a fold of the log: rebuild it from the store, then follow the bus from where the log ended.
  const liveOptions = {
    kpiWeights: config.kpiWeights,
    deadlines: config.ticketDeadlines,
    nearDeadlineFraction: config.nearDeadlineFraction,
  };
  // The area trends listen to this live state as it folds (live/observer.ts), so the log is folded once for
  // both; the app folds through the trends' apply / advance, which pass everything on to the live state.
  const trends = createAreaTrends(geo, liveOptions, now(), (observer) =>
    createLiveState(geo, liveOptions, now(), observer),
  );
  const live = trends.live;
  // Alerts are a fold of the same log; the rule engine rebuilds its memory from it and decides nothing until start().
  const alerts = createAlertBook();
  const rules = createRuleEngine({
    geo,
    book: alerts,
    append: (items) => bus.append(items),
    now,
    options: config.alertRules,
    tickets: live,
    onError: (error) =>
      app.log.warn({ err: error }, 'an alert event could not be appended; decided again on a later tick'),
  });
  // eslint-disable-next-line prefer-const -- assigned once the gateway exists, below; the fold may run before.
  let deliverAlerts: ((changed: ReturnType<AlertBook['apply']>) => void) | undefined;
  // Arrival time of recent events, to measure fan-out latency (accepted → delta taken for the clients).
  const arrivals: { seq: number; at: number }[] = [];
  // Every view of the log is a projection on one fold (live/host.ts): one scan at start, one bus subscription,
  // one clock, in this order; the routes below get read handles to them.
  // Keyframes (live/keyframes.ts) are bound to this code and to everything the folds read from the configuration.
  // A memory store's keyframes would die with its log: no start could use them.
  const keyframes =
    config.keyframes.on && store.keyframes && config.store !== 'memory'
      ? {
          ...config.keyframes,
          store: store.keyframes,
          version: keyframeVersion({
            live: liveOptions,
            rules: config.alertRules,
            areas: Object.keys(geo.tree.nodes),
            notify: config.notify ?? null,
          }),
          envelope: () => live.envelopeMs,
          log: app.log,
        }
      : undefined;
  const host = createProjectionHost({ store, bus, now, keyframes });
  // Its keyframe part holds { live, trends }: replays restore the live state from it.
  const LIVE_PROJECTION = 'live state and area trends';
  const ALERTS_PROJECTION = 'alert book';
  host.register({
    name: LIVE_PROJECTION,
    apply: (events) => trends.apply(events),
    advance: (t) => trends.advance(t),
    snapshot: () => ({ live: live.snapshotState(), trends: trends.snapshotState() }),
    restore: (data) => {
      const d = data as { live: unknown; trends: unknown };
      live.restoreState(d.live);
      trends.restoreState(d.trends);
    },
  });
  const ticketTrend = createTicketTrend(geo);
  host.register(projectionOf('hourly ticket trend', ticketTrend));
  const weekly = createWeeklyTickets(geo);
  host.register(projectionOf('weekly tickets', weekly));
  // 督办 counted per area and the monthly property scores: read on request, never on the socket.
  const SUPERVISION_PROJECTION = 'supervision counts';
  const supervision = createSupervisionFold(geo);
  host.register(projectionOf(SUPERVISION_PROJECTION, supervision));
  const propertyScores = createPropertyScores();
  host.register(projectionOf('property scores', propertyScores));
  host.register({
    name: ALERTS_PROJECTION,
    apply: (events, phase) => {
      const changed = alerts.apply(events);
      if (phase === 'live') deliverAlerts?.(changed);
    },
    advance: (t) => alerts.advance(t),
    snapshot: () => alerts.snapshotState(),
    restore: (data) => alerts.restoreState(data),
  });
  host.register({
    name: 'alert rules',
    apply: (events, phase) => (phase === 'rebuild' ? rules.rebuild(events) : rules.onBatch(events)),
    snapshot: () => rules.snapshotState(),
    restore: (data) => rules.restoreState(data),
  });
  // Tickets as Open311 service requests, for GeoReport clients reading them back (routes/open311.ts).
  const serviceRequests = createServiceRequestBook({
    tree: geo.tree,
    deadlines: config.ticketDeadlines,
    serviceName: serviceNameOf,
  });
  host.register({
    name: 'open311 service requests',
    apply: (events) => serviceRequests.apply(events),
    advance: (t) => serviceRequests.advance(t),
    snapshot: () => serviceRequests.snapshotState(),
    restore: (data) => serviceRequests.restoreState(data),
  });
  host.register({
    name: 'metrics',
    apply: (events, phase) => {
      metrics.logLastSeq.set(live.seq);
      if (phase === 'rebuild') return;
      arrivals.push({ seq: events[0]!.seq, at: now() });
      if (arrivals.length > 10_000) arrivals.splice(0, arrivals.length - 10_000);
    },
    // Counters of this process only: nothing to keep.
    snapshot: () => null,
    restore: () => {},
  });
  // Alerts told to WeCom, DingTalk, webhooks and SMS (notify/): after the alert book, which it reads.
  let notifier: Notifier | undefined;
  if (config.notify) {
    const n = createNotifier({
      config: config.notify,
      tree: geo.tree,
      book: alerts,
      append: (items) => bus.append(items),
      now,
      node: `${config.nodeName || hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      exclusive: config.bus.kind === 'in-process',
      publicUrl: config.publicUrl,
      log: app.log,
      meter: createNotifyMetrics(metrics.registry, () => n.health()),
    });
    host.register({
      name: 'notifications',
      apply: (events, phase) => (phase === 'rebuild' ? n.rebuild(events) : n.onBatch(events)),
      advance: () => n.tick(),
      snapshot: () => n.snapshotState(),
      restore: (data) => n.restoreState(data),
    });
    notifier = n;
  }
  if (notifier) app.addHook('preClose', async () => notifier.close());
  const rebuildStart = performance.now();
  await host.start();
  notifier?.start();
  const emptyLog = live.seq === 0;
  metrics.logLastSeq.set(live.seq);
  checks.store = true;
  app.log.info({ seq: live.seq, ms: Math.round(performance.now() - rebuildStart) }, 'live state rebuilt from the log');
  const accept = createAcceptor({ geo, locator, bus, maxFutureSkewMs: config.maxFutureSkewMs, now });
  const clock = setInterval(() => {
    if (natsBus) {
      shared.bus = natsBus.connected();
      metrics.busConnected.set(shared.bus ? 1 : 0);
      metrics.archiveLastSeq.set(natsBus.archived);
      metrics.archiveLease.set(natsBus.archiving() ? 1 : 0);
    }
    host.tick();
    rules.tick();
  }, CLOCK_TICK_MS);
  clock.unref();
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
      const t = now();
      while (arrivals.length > 0 && arrivals[0]!.seq <= changes.toSeq)
        metrics.fanoutSeconds.observe((t - arrivals.shift()!.at) / 1000);
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
  await ensureDemoAdmin(users, {
    password: config.auth.adminPassword,
    scope: geo.tree.root as AreaKey,
    now: wallClock,
    log: app.log,
  });
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
  deliverAlerts = createAlertDelivery(gateway.io, geo.tree);
  // History mode: replays of past windows over the same sockets (replay/), each folding the store on its own.
  const replays = attachReplay({
    io: gateway.io,
    geo,
    store,
    live: {
      kpiWeights: config.kpiWeights,
      deadlines: config.ticketDeadlines,
      nearDeadlineFraction: config.nearDeadlineFraction,
    },
    now,
    log: app.log,
    ...(keyframes ? { keyframes: { store: keyframes.store, version: keyframes.version, part: LIVE_PROJECTION } } : {}),
  });
  app.addHook('preClose', async () => replays.close());
  const cutOffDevice = (id: string): number => gateway.cutOff((p) => p.kind === 'device' && p.id === id);
  // A user or device changed through this node: every node forgets its cached copy, and a revoked wall goes dark
  // at once on all of them, before the admin's answer.
  const principalChanges = attachPrincipalChanges({
    io: gateway.io,
    crossNode: config.redisUrl !== '',
    forget: auth.forget,
    cutOffDevice,
    log: app.log,
  });
  if (config.redisUrl !== '') {
    // Cross-node commands only (docs/scaling.md): what clients see comes from the log on every node.
    const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
    redis.on('error', (error: unknown) =>
      app.log.warn({ err: error }, 'Redis for the Socket.IO adapter is not available; retrying'),
    );
    gateway.io.adapter(createRedisStreamsAdapter(redis, { streamName: `opsmap:${config.bus.stream}:socket.io` }));
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  // What changed while the server was down (deadlines passed, silences) is decided once, now; with the simulator
  // on, once its backfill (or resume) has replayed the past hours at full speed (see below), so that the rules
  // judge the state it leaves, as after a restart, instead of raising and resolving every past alert on the way.
  if (!config.simulator.on) rules.start();
  app.decorate('services', {
    geo,
    store,
    bus,
    live,
    accept,
    gateway,
    metrics,
    auth,
    alerts,
    rules,
    host,
    ...(notifier ? { notifier } : {}),
  } satisfies Services);
  // At ready, not here: a build that fails further down leaves no broker connection behind.
  if (config.mqtt.url !== '') {
    app.addHook('onReady', async () => {
      // On a cluster every node subscribes as one shared group, each with a session of its own (NODE_NAME).
      const cluster = config.bus.kind === 'nats';
      app.services.mqtt = await startMqttIngest({
        url: config.mqtt.url,
        topicPrefix: config.mqtt.topicPrefix,
        accept,
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

  app.addHook('onClose', async () => {
    clearInterval(clock);
    await app.services.simulator?.stop();
    // Before the bus: a message being stored finishes (or stays unacknowledged for the broker to redeliver).
    await app.services.mqtt?.close();
    // A graceful stop leaves a keyframe of the state as it ends, so the next start folds nothing.
    await host.writeKeyframe();
    await host.close();
    await bus.close();
    await store.close();
  });

  // 3. routes
  await app.register(healthRoutes, { checks, shared, notifier });
  await app.register(notifyRoutes, { notifier });
  await app.register(authRoutes, {
    auth,
    cookieSecure: config.auth.cookieSecure,
    loginRateLimit: config.auth.loginRateLimit,
    now: wallClock,
  });
  await app.register(adminRoutes, {
    users: auth.users,
    accounts: createAccounts(auth.users, geo.tree, wallClock, principalChanges.announce),
  });
  await app.register(areaRoutes, { prefix: '/api/v1/areas', geo });
  await app.register(ingestRoutes, {
    accept,
    metrics,
    ...(config.osmandDevices ? { devices: config.osmandDevices } : {}),
    // OsmAnd trackers carry their feed token as a parameter; it is checked like a socket's `auth.token`.
    deviceFromToken: (token) => auth.fromHandshake({}, { token }),
    outsideScope: (principal, location) => {
      const [lon, lat] = toWgs84(location.lon, location.lat, location.crs);
      const place = locator.locate(lon, lat);
      // Outside the district is the pipeline's own answer; here only another town than the token's.
      if (!place) return false;
      return !place.townId || !inScope(geo.tree, principal.scope, `town:${place.townId}`);
    },
    lastPosition: (rangerId) => {
      const r = live.ranger(rangerId);
      return r ? { lon: r.position[0], lat: r.position[1] } : undefined;
    },
  });
  await app.register(open311Routes, {
    accept,
    metrics,
    book: serviceRequests,
    gazetteer: createGazetteer(geo),
    tree: geo.tree,
    deadlines: config.ticketDeadlines,
    // GeoReport clients carry their feed token as api_key; it is checked like a socket's `auth.token`.
    deviceFromToken: (token) => auth.fromHandshake({}, { token }),
    townAt: (location) => {
      const [lon, lat] = toWgs84(location.lon, location.lat, location.crs);
      const place = locator.locate(lon, lat);
      return place ? (place.townId ? `town:${place.townId}` : undefined) : null;
    },
    now,
  });
  await app.register(stateRoutes, { live, tree: geo.tree });
  await app.register(logRoutes, { store, root: geo.tree.root });
  await app.register(trendRoutes, { tree: geo.tree, trend: ticketTrend, now });
  await app.register(trendsRoutes, { tree: geo.tree, fold: trends, now });
  await app.register(patrolRoutes, { live, tree: geo.tree });
  await app.register(searchRoutes, { index: createSearchIndex(geo, (lon, lat) => locator.locate(lon, lat)), live });
  // 治理类 towns and 零诉求 starts name places: a typo fails the start rather than showing nothing.
  const concepts = resolveConcepts(config.concepts, geo.tree, geo.layers.villages);
  await app.register(landingRoutes, {
    geo,
    live,
    weekly,
    now,
    concepts: { concepts, counters: trends },
    supervision,
  });
  await app.register(areaFigureRoutes, {
    tree: geo.tree,
    sources: {
      live,
      supervision,
      scores: propertyScores,
      units: indexUnits(geo.layers.grid, geo.layers.villages),
      concepts: { concepts, counters: trends },
    },
    now,
  });
  await app.register(treatmentRoutes, { tree: geo.tree, concepts, counters: trends, now });
  let simulatorReady = false;
  await app.register(briefRoutes, {
    geo,
    store,
    now,
    live: {
      kpiWeights: config.kpiWeights,
      deadlines: config.ticketDeadlines,
      nearDeadlineFraction: config.nearDeadlineFraction,
    },
    hour: config.briefHour,
    // The morning run waits for the simulator's backfill: a brief of a log still being filled would be kept all day.
    ready: () => !config.simulator.on || simulatorReady,
    ...(keyframes
      ? {
          keyframes: {
            store: keyframes.store,
            version: keyframes.version,
            livePart: LIVE_PROJECTION,
            alertsPart: ALERTS_PROJECTION,
            supervisionPart: SUPERVISION_PROJECTION,
          },
        }
      : {}),
  });
  await app.register(alertRoutes, { book: alerts, bus, tree: geo.tree, now });
  await app.register(ticketRoutes, { live, bus, tree: geo.tree, now });
  await app.register(exportRoutes, {
    geo,
    live,
    store,
    now,
    kpiWeights: config.kpiWeights,
    deadlines: config.ticketDeadlines,
    nearDeadlineFraction: config.nearDeadlineFraction,
    ...(keyframes ? { keyframes: { store: keyframes.store, version: keyframes.version, part: LIVE_PROJECTION } } : {}),
  });
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
      const g = gateway.metrics();
      metrics.sockets.set(g.sockets);
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );

  // 4. the simulator starts once the server listens, so that its backfill never delays readiness checks.
  if (config.simulator.on) {
    app.addHook('onListen', async () => {
      app.services.simulator = startEmbeddedSimulator({
        geo,
        accept,
        scenario: config.simulator.scenario,
        seed: config.simulator.seed,
        backfillHours: config.simulator.backfillHours,
        ...(config.store === 'sqlite' && !deps.store ? { stateFile: `${config.databasePath}.sim.json` } : {}),
        emptyLog,
        now,
        log: app.log,
      });
      void app.services.simulator.ready.then(
        () => {
          simulatorReady = true;
          rules.start();
        },
        (error: unknown) => {
          app.log.warn({ err: error }, 'simulator backfill failed; the alert rules start anyway');
          simulatorReady = true;
          rules.start();
        },
      );
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?', 1)[0] ?? '/';
    const isServerPath = SERVER_PREFIXES.some((p) => pathname === p || pathname.startsWith(p + '/'));
    // The client routes in the browser: any other page-like GET gets index.html. Paths with an
    // extension are files; a missing one is a real 404, not the page.
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && path.extname(pathname) === '';
    if (hasClient && isPage && !isServerPath) return reply.sendFile('index.html');
    if (!hasClient && isPage && !isServerPath) {
      return reply.code(404).send(notFound('The client is not built: run `npm run build`.'));
    }
    return reply.code(404).send(notFound(`Route ${request.method} ${redactUrl(pathname)} not found`));
  });

  return app;
}

// ---- routes: thin, each with its schema ----

const healthRoutes: FastifyPluginAsyncTypebox<{
  checks: Record<string, boolean>;
  shared: Record<string, boolean>;
  notifier: Notifier | undefined;
}> = async (app, { checks, shared, notifier }) => {
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

/** The answer to If-None-Match with the current ETag: no body. */
const NotModified = Type.Null({ description: 'Not modified: the ETag sent in If-None-Match is current' });

const isLayerName = (name: string): name is LayerName => (LAYER_NAMES as string[]).includes(name);

const areaRoutes: FastifyPluginAsyncTypebox<{ geo: Geo }> = async (app, { geo }) => {
  // Sent with coordinates cut to what the map can show (geo/compact.ts); the server keeps the exact ones.
  const layers = new Map(LAYER_NAMES.map((name) => [name, cacheJson(servedLayer(geo.layers[name]))]));
  const tree = cacheJson(geo.tree);
  const send = (request: FastifyRequest, reply: FastifyReply, cached: CachedJson) =>
    sendCachedJson(request, reply, cached, AREA_CACHE_CONTROL);

  // A static path wins over the parametric one in Fastify's router, so "tree" is never taken for a layer.
  // Readers only, but every reader gets the whole district: the map draws its outline and the towns around a
  // town leader's own; boundaries carry no operational data (docs/SECURITY.md).
  app.get(
    '/tree',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc('areas', 'The area tree: every area of the district with its parent and children', SESSION_OR_DEVICE),
        response: { 200: AreaTree, 304: NotModified, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => send(request, reply, tree),
  );

  app.get(
    '/:layer',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'areas',
          'One area layer as GeoJSON (WGS84)',
          SESSION_OR_DEVICE,
          `Layers: ${LAYER_NAMES.join(', ')}. Every reader gets the whole district; coordinates to 5 decimals (about 1 m); ` +
            'brotli or gzip as Accept-Encoding allows, with an ETag per coding.',
        ),
        params: Type.Object({ layer: Type.String({ maxLength: 64 }) }),
        response: { 200: FeatureCollection, 304: NotModified, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { layer } = request.params;
      const cached = isLayerName(layer) ? layers.get(layer) : undefined;
      if (!cached) {
        return reply.code(404).send(notFound(`Unknown area layer "${layer}". Known layers: ${LAYER_NAMES.join(', ')}`));
      }
      return send(request, reply, cached);
    },
  );
};
