// Every HTTP route, registered in one place (this order is the OpenAPI document's): thin, each with its schema. They get read handles (the projections,
// the geography, the acceptor) from the plugins before them; a few still reach the log itself: the log route,
// a past brief and a window's export read the store, and the alert and ticket actions append through the bus.
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from '../config';
import { inScope } from '../contract/auth';
import { createAccounts } from '../auth/accounts';
import { createGazetteer } from '../geo/gazetteer';
import { toWgs84 } from '../geo/crs';
import { createSearchIndex } from '../live/search';
import { notifyRoutes } from '../notify/routes';
import { indexUnits } from '../reports/landing';
import { resolveConcepts } from '../reports/treatment';
import { adminRoutes } from './admin';
import { alertRoutes } from './alerts';
import { areaFigureRoutes } from './area-figures';
import { areaRoutes } from './areas';
import { authRoutes } from './auth';
import { briefRoutes } from './brief';
import { exportRoutes } from './export';
import { healthRoutes, metricsRoutes } from './health';
import { ingestRoutes } from './ingest';
import { landingRoutes } from './landing';
import { logRoutes } from './log';
import { open311Routes } from './open311';
import { patrolRoutes } from './patrol';
import { searchRoutes } from './search';
import { stateRoutes } from './state';
import { ticketRoutes } from './tickets';
import { treatmentRoutes } from './treatment';
import { trendRoutes } from './trend';
import { trendsRoutes } from './trends';

export interface RoutesOptions {
  config: Config;
  /** The app's clock (a time-lapse moves it). */
  now: () => number;
  /** Real time, for sessions and accounts. */
  wallClock: () => number;
}

export const routes: FastifyPluginAsync<RoutesOptions> = async (app, { config, now, wallClock }) => {
  const { geo, locator, store, bus, auth, metrics, gateway, projections, ingest } = app;
  const { live, trends, alerts, notifier, keyframes } = projections;
  const { accept } = ingest;
  const tree = geo.tree;
  const townOf = (location: { lon: number; lat: number; crs?: Parameters<typeof toWgs84>[2] }) => {
    const [lon, lat] = toWgs84(location.lon, location.lat, location.crs);
    return locator.locate(lon, lat);
  };

  // Operations
  await app.register(healthRoutes, { readiness: app.readiness, notifier });
  await app.register(notifyRoutes, { notifier });
  // Sessions and accounts
  await app.register(authRoutes, {
    auth,
    cookieSecure: config.auth.cookieSecure,
    loginRateLimit: config.auth.loginRateLimit,
    now: wallClock,
  });
  await app.register(adminRoutes, {
    users: auth.users,
    accounts: createAccounts(auth.users, tree, wallClock, app.principalChanges.announce),
  });
  await app.register(areaRoutes, { prefix: '/api/v1/areas', geo });
  // Ingest over HTTP: REST batches, OsmAnd trackers, Open311 GeoReport v2
  await app.register(ingestRoutes, {
    accept,
    metrics,
    ...(config.osmandDevices ? { devices: config.osmandDevices } : {}),
    // OsmAnd trackers carry their feed token as a parameter; it is checked like a socket's `auth.token`.
    deviceFromToken: (token) => auth.fromHandshake({}, { token }),
    outsideScope: (principal, location) => {
      const place = townOf(location);
      // Outside the district is the pipeline's own answer; here only another town than the token's.
      if (!place) return false;
      return !place.townId || !inScope(tree, principal.scope, `town:${place.townId}`);
    },
    lastPosition: (rangerId) => {
      const r = live.ranger(rangerId);
      return r ? { lon: r.position[0], lat: r.position[1] } : undefined;
    },
  });
  await app.register(open311Routes, {
    accept,
    metrics,
    book: projections.serviceRequests,
    gazetteer: createGazetteer(geo),
    tree,
    deadlines: config.ticketDeadlines,
    // GeoReport clients carry their feed token as api_key; it is checked like a socket's `auth.token`.
    deviceFromToken: (token) => auth.fromHandshake({}, { token }),
    townAt: (location) => {
      const place = townOf(location);
      return place ? (place.townId ? `town:${place.townId}` : undefined) : null;
    },
    now,
  });
  // Reads of the projections
  await app.register(stateRoutes, { live, tree });
  await app.register(logRoutes, { store, root: tree.root });
  await app.register(trendRoutes, { tree, trend: projections.ticketTrend, now });
  await app.register(trendsRoutes, { tree, fold: trends, now });
  await app.register(patrolRoutes, { live, tree });
  await app.register(searchRoutes, { index: createSearchIndex(geo, (lon, lat) => locator.locate(lon, lat)), live });
  // Reports: 治理类 towns and 零诉求 starts name places, so a typo fails the start rather than showing nothing.
  const concepts = resolveConcepts(config.concepts, tree, geo.layers.villages);
  await app.register(landingRoutes, {
    geo,
    live,
    weekly: projections.weekly,
    now,
    concepts: { concepts, counters: trends },
    supervision: projections.supervision,
  });
  await app.register(areaFigureRoutes, {
    tree,
    sources: {
      live,
      supervision: projections.supervision,
      scores: projections.propertyScores,
      units: indexUnits(geo.layers.grid, geo.layers.villages),
      concepts: { concepts, counters: trends },
    },
    now,
  });
  await app.register(treatmentRoutes, { tree, concepts, counters: trends, now });
  await app.register(briefRoutes, {
    geo,
    store,
    now,
    live: projections.liveOptions,
    hour: config.briefHour,
    // The morning run waits for the simulator's backfill: a brief of a log still being filled would be kept all day.
    ready: ingest.backfilled,
    ...(keyframes ? { keyframes } : {}),
    facts: projections.briefFacts,
  });
  // Actions (appended to the log through the bus), the exports and the metrics
  await app.register(alertRoutes, { book: alerts, bus, tree, now });
  await app.register(ticketRoutes, { live, bus, tree, now });
  await app.register(exportRoutes, {
    geo,
    live,
    store,
    now,
    ...projections.liveOptions,
    ...(keyframes
      ? { keyframes: { store: keyframes.store, version: keyframes.version, part: keyframes.livePart } }
      : {}),
  });
  await app.register(metricsRoutes, { metrics, gateway });
};
