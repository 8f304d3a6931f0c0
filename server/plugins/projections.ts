// The projections: every view of the log on one fold (live/host.ts). One scan at start, one bus subscription,
// one clock, applied in this order: the live state with its area trends (folded through the brief's day-end
// facts, which close each day on it), the hourly ticket trend, the landing's weeks, the 督办 counts and property
// scores, the alert book, the day-end facts' alerts, the rules, the Open311 service requests, the metrics, the
// notification channels. Routes
// and the gateway get these read handles, never the fold itself. Keyframes (live/keyframes.ts) are bound to this
// code and to everything the folds read from the configuration.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config';
import { createAreaTrends, type AreaTrendsFold } from '../live/area-trends';
import { createProjectionHost, projectionOf, type ProjectionHost } from '../live/host';
import { keyframeVersion } from '../live/keyframes';
import type { LiveOptions } from '../live/options';
import { mergeObservers } from '../live/observer';
import { createPropertyScores, type PropertyScores } from '../live/property-scores';
import { createServiceRequestBook, type ServiceRequestBook } from '../live/service-requests';
import { createLiveState } from '../live/state';
import { createSupervisionFold, type SupervisionFold } from '../live/supervision';
import { createTicketTrend, type TicketTrend } from '../live/trend';
import { createWeeklyTickets, type WeeklyTickets } from '../live/weekly';
import { serviceNameOf } from '../ingest/open311-services';
import { createNotifier, type Notifier } from '../notify/notifier';
import { createNotifyMetrics } from '../notify/metrics';
import type { BriefKeyframes } from '../reports/brief';
import { createBriefFacts, type BriefFacts } from '../reports/brief-facts';
import { createAlertBook, type AlertBook } from '../rules/alerts';
import { createRuleEngine, type RuleEngine } from '../rules/engine';

/** The host's keyframe part holding { live, trends }: replays, past briefs and window exports restore from it. */
export const LIVE_PROJECTION = 'live state and area trends';
export const ALERTS_PROJECTION = 'alert book';
export const SUPERVISION_PROJECTION = 'supervision counts';
export const BRIEF_FACTS_PROJECTION = 'brief day-end facts';

/** How often the fold's clock moves (overdue tickets, lost signals, midnight) and the rules judge it. */
const CLOCK_TICK_MS = 1000;

type AlertChanges = ReturnType<AlertBook['apply']>;

export interface Projections {
  host: ProjectionHost;
  /** The live state the dashboard reads (the area trends listen to it as it folds). */
  live: AreaTrendsFold['live'];
  trends: AreaTrendsFold;
  ticketTrend: TicketTrend;
  weekly: WeeklyTickets;
  /** 督办 counted per area (live/supervision.ts): read on request, never on the socket. */
  supervision: SupervisionFold;
  /** The monthly property scores (live/property-scores.ts). */
  propertyScores: PropertyScores;
  /** What the daily brief reads of each day, recorded at its midnight (reports/brief-facts.ts). */
  briefFacts: BriefFacts;
  /** The alerts, folded from the log (rules/alerts.ts). */
  alerts: AlertBook;
  /** The rule engine that raises, resolves and escalates them (rules/engine.ts); it decides nothing until start(). */
  rules: RuleEngine;
  /** Tickets as Open311 service requests, for GeoReport clients reading them back (routes/open311.ts). */
  serviceRequests: ServiceRequestBook;
  /** The notification channels, when NOTIFY_CONFIG is set (notify/). */
  notifier?: Notifier;
  /** The options every fold of the live state reads: a replay, a past brief or an export folds with the same. */
  liveOptions: Pick<LiveOptions, 'kpiWeights' | 'deadlines' | 'nearDeadlineFraction'>;
  /** Where a replay, a past brief and a window's export start from; undefined when keyframes are off. */
  keyframes?: BriefKeyframes;
  /** Whether the log was empty when the fold started (the simulator then backfills). */
  startedEmpty: boolean;
  /** Hands the alert changes folded live (never those of the scan at start) to `deliver`: the gateway's rooms. */
  onAlertChanges(deliver: (changed: AlertChanges) => void): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    projections: Projections;
  }
}

export interface ProjectionsPluginOptions {
  config: Config;
  now: () => number;
}

const projectionsPlugin: FastifyPluginAsync<ProjectionsPluginOptions> = async (app, { config, now }) => {
  const { geo, store, bus, metrics } = app;
  const liveOptions = {
    kpiWeights: config.kpiWeights,
    deadlines: config.ticketDeadlines,
    nearDeadlineFraction: config.nearDeadlineFraction,
  };
  // The area trends listen to this live state as it folds (live/observer.ts), so the log is folded once for
  // both; the host folds through the trends' apply / advance, which pass everything on to the live state.
  // The hourly trend, the landing's weeks and the 督办 counts hear the same live state (live/observer.ts). The
  // live state's clock starts at the log's first event, not now: the brief's day-end facts close each day of the
  // log on it as the fold passes its midnight (reports/brief-facts.ts), and the host moves it to now after the scan.
  const ticketTrend = createTicketTrend(geo);
  const weekly = createWeeklyTickets(geo);
  const supervision = createSupervisionFold(geo);
  const trends = createAreaTrends(geo, liveOptions, now(), (observer) =>
    createLiveState(
      geo,
      liveOptions,
      undefined,
      mergeObservers(observer, ticketTrend.observer, weekly.observer, supervision.observer),
    ),
  );
  const live = trends.live;
  // Alerts are a fold of the same log; the rule engine rebuilds its memory from it and decides nothing until start().
  const alerts = createAlertBook();
  // The live state folds through the brief's day-end facts, which close each day on it in the middle of a batch.
  const briefFacts = createBriefFacts({
    geo,
    live,
    supervision,
    book: alerts,
    fold: (events) => trends.apply(events),
    advance: (t) => trends.advance(t),
    now,
  });
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
  let deliverAlerts: ((changed: AlertChanges) => void) | undefined;
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
  host.register({
    name: LIVE_PROJECTION,
    apply: (events) => briefFacts.apply(events),
    advance: (t) => briefFacts.advance(t),
    snapshot: () => ({ live: live.snapshotState(), trends: trends.snapshotState() }),
    restore: (data) => {
      const d = data as { live: unknown; trends: unknown };
      live.restoreState(d.live);
      trends.restoreState(d.trends);
    },
  });
  host.register(projectionOf('hourly ticket trend', ticketTrend));
  host.register(projectionOf('weekly tickets', weekly));
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
  // Folded with the live state above; here it keeps the alerts of its days as the book has just folded them.
  host.register({
    name: BRIEF_FACTS_PROJECTION,
    apply: (events) => briefFacts.applyAlerts(events),
    snapshot: () => briefFacts.snapshotState(),
    restore: (data) => briefFacts.restoreState(data),
  });
  host.register({
    name: 'alert rules',
    apply: (events, phase) => (phase === 'rebuild' ? rules.rebuild(events) : rules.onBatch(events)),
    snapshot: () => rules.snapshotState(),
    restore: (data) => rules.restoreState(data),
  });
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
      if (phase === 'live') app.fanoutLatency.arrived(events[0]!.seq);
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
    app.addHook('preClose', async () => n.close());
    notifier = n;
  }

  const started = performance.now();
  await host.start();
  notifier?.start();
  const startedEmpty = live.seq === 0;
  metrics.logLastSeq.set(live.seq);
  app.readiness.checks.store = true;
  app.log.info({ seq: live.seq, ms: Math.round(performance.now() - started) }, 'live state rebuilt from the log');
  const clock = setInterval(() => {
    host.tick();
    rules.tick();
  }, CLOCK_TICK_MS);
  clock.unref();
  app.addHook('onClose', async () => {
    clearInterval(clock);
    // A graceful stop leaves a keyframe of the state as it ends, so the next start folds nothing; the bus and
    // the store close after this (onClose runs in reverse order of registration).
    await host.writeKeyframe();
    await host.close();
  });

  app.decorate('projections', {
    host,
    live,
    trends,
    ticketTrend,
    weekly,
    supervision,
    propertyScores,
    briefFacts,
    alerts,
    rules,
    serviceRequests,
    ...(notifier ? { notifier } : {}),
    liveOptions,
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
    startedEmpty,
    onAlertChanges: (deliver) => {
      deliverAlerts = deliver;
    },
  } satisfies Projections);
};

export default fp(projectionsPlugin, {
  name: 'projections',
  fastify: '5.x',
  dependencies: ['ops', 'geo', 'store', 'bus'],
});
