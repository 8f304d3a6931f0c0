// The application factory: the process (main.ts) and the tests build the same app. buildApp is the list of the
// app's plugins in the order the flow runs (docs/ARCHITECTURE.md): infrastructure, the projections on the one
// fold of the log, the gateway, ingest, then the routes. Each plugin decorates the instance with what it built and
// names the plugins it needs (server/plugins/); closing runs in reverse: ingest stops first, the store last.
import path from 'node:path';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import pinoPretty, { type PrettyStream } from 'pino-pretty';
import { ApiError } from './contract/errors';
import { PROJECT_ROOT, type Config, type LogFormat } from './config';
import type { Geo } from './geo/load';
import type { EventStore } from './store/types';
import type { EventBus } from './bus/types';
import type { LiveState } from './live/types';
import type { ProjectionHost } from './live/host';
import type { Acceptor } from './ingest/accept';
import type { MqttIngest } from './ingest/mqtt';
import type { Gateway } from './gateway/gateway';
import type { EmbeddedSim } from './sim/embedded';
import { timeLapseClock } from './sim/embedded';
import type { Metrics } from './ops/metrics';
import type { Authenticator } from './auth/authenticator';
import type { UserStore } from './auth/types';
import authPlugin from './auth/plugin';
import { LOG_REDACT_PATHS, requestSerializer } from './auth/redact';
import type { AlertBook } from './rules/alerts';
import type { RuleEngine } from './rules/engine';
import type { Notifier } from './notify/notifier';
import openapiPlugin from './openapi/plugin';
import opsPlugin from './plugins/ops';
import geoPlugin from './plugins/geo';
import usersPlugin from './plugins/users';
import clientPlugin from './plugins/client';
import storePlugin from './plugins/store';
import busPlugin from './plugins/bus';
import projectionsPlugin from './plugins/projections';
import gatewayPlugin from './plugins/gateway';
import ingestPlugin from './plugins/ingest';
import { routes } from './routes/index';
import { cachedSerializerFactory } from './routes/serializers';

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
  /** The embedded simulator, once the server listens, when SIMULATOR is on. */
  readonly simulator?: EmbeddedSim;
  /** The MQTT subscriber, once ready, when MQTT_URL is set (ingest/mqtt.ts). */
  readonly mqtt?: MqttIngest;
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

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<App> {
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
    // Per-request log lines only when debugging: trackers post one position per request, which would bury the
    // log (and its disk) in "request completed" lines on a busy day.
    logController: new LogController({
      disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace',
    }),
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  // The one error shape (contract/errors.ts), registered once; routes refer to it, the document lists it once.
  app.addSchema(ApiError);

  // SIM_SPEED: a time-lapse run moves the whole server clock (see timeLapseClock).
  const now = deps.now ?? timeLapseClock(config.simulator.on ? config.simulator.speed : 1);
  // Sessions, cookies and accounts live in real time even during a time-lapse: a browser expires its cookie by
  // its own clock, and a demo at SIM_SPEED=100 must not log everyone out after a few real minutes.
  const wallClock = deps.now ?? Date.now;

  // 1. Infrastructure: readiness and metrics, the geography (a broken layer stops the start here), users and
  // devices, then the security layer in front of every route and file (headers, CORS, cookies,
  // request.principal, CSRF), the OpenAPI document (before the routes it lists), the built client, the event
  // store and the bus.
  await app.register(opsPlugin, { now });
  await app.register(geoPlugin, { dir: config.geoDir, ...(deps.loadGeo ? { load: deps.loadGeo } : {}) });
  await app.register(usersPlugin, { config, ...(deps.users ? { users: deps.users } : {}), wallClock });
  await app.register(authPlugin, {
    auth: app.auth,
    corsOrigins: config.auth.corsOrigins,
    https: config.auth.cookieSecure,
  });
  await app.register(openapiPlugin);
  await app.register(clientPlugin, { dir: deps.clientDir ?? DEFAULT_CLIENT_DIR });
  await app.register(storePlugin, { config, ...(deps.store ? { store: deps.store } : {}) });
  await app.register(busPlugin, { config });
  // 2. The projections: the log folded once (restored from the newest keyframe, then its tail), then followed.
  await app.register(projectionsPlugin, { config, now });
  // 3. The gateway: Socket.IO rooms, alerts, replays, and the adapter between nodes.
  await app.register(gatewayPlugin, { config, now });
  // 4. Ingest: the acceptor, MQTT, the simulator; the rules start once the past is in.
  await app.register(ingestPlugin, { config, now });
  // 5. The routes.
  await app.register(routes, { config, now, wallClock });

  const { projections, ingest } = app;
  app.decorate('services', {
    geo: app.geo,
    store: app.store,
    bus: app.bus,
    live: projections.live,
    gateway: app.gateway,
    metrics: app.metrics,
    auth: app.auth,
    alerts: projections.alerts,
    rules: projections.rules,
    host: projections.host,
    ...(projections.notifier ? { notifier: projections.notifier } : {}),
    accept: ingest.accept,
    get simulator() {
      return ingest.simulator;
    },
    get mqtt() {
      return ingest.mqtt;
    },
  } satisfies Services);
  return app;
}
