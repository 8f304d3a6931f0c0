// The permission matrix: every route of the real app, tried as every kind of caller, answers the status the
// access rules (docs/SECURITY.md, "Routes") promise. The routes are collected as the app adds them (onRoute),
// so a route added later without a row here fails the test instead of going out unguarded.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { SESSION_COOKIE } from '../../server/contract/auth';
import { testApp, ticket } from '../helpers/app';
import { bearerHeaders, deviceToken, principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { pointsInTown, townLocator } from '../helpers/towns';
import { interiorPoint } from '../../server/geo/interior';

type Who = 'anonymous' | 'admin' | 'districtOfficer' | 'townOfficer' | 'townLeader' | 'wall' | 'feed';
const WHO: readonly Who[] = ['anonymous', 'admin', 'districtOfficer', 'townOfficer', 'townLeader', 'wall', 'feed'];
type Expect = Record<Who, number>;

/** Status per caller. Town roles are the 张家湾镇 officer and leader; the wall and the feed have district scope. */
const everyone = (status: number): Expect => Object.fromEntries(WHO.map((w) => [w, status])) as Expect;
const PUBLIC = everyone(200);
/** Readers of the live state (every role but the feed), inside their scope. */
const READ: Expect = {
  anonymous: 401,
  admin: 200,
  districtOfficer: 200,
  townOfficer: 200,
  townLeader: 200,
  wall: 200,
  feed: 403,
};
/** A read of 宋庄镇 (or of the whole district): refused to the 张家湾镇 roles as not in their area. */
const READ_DISTRICT: Expect = { ...READ, townOfficer: 403, townLeader: 403 };
const INGEST: Expect = {
  anonymous: 401,
  admin: 200,
  districtOfficer: 403,
  townOfficer: 403,
  townLeader: 403,
  wall: 403,
  feed: 200,
};
const RAW_LOG: Expect = {
  anonymous: 401,
  admin: 200,
  districtOfficer: 200,
  townOfficer: 403,
  townLeader: 403,
  wall: 403,
  feed: 403,
};
/** Acknowledge, whistle, resolve: officers (and the admin); notes: leaders too. */
const ALERT_ACT: Expect = {
  anonymous: 401,
  admin: 200,
  districtOfficer: 200,
  townOfficer: 200,
  townLeader: 403,
  wall: 403,
  feed: 403,
};
const ALERT_COMMENT: Expect = { ...ALERT_ACT, townLeader: 200 };
/** 督办: officers (and the admin), a person's deed like acting on an alert. */
const SUPERVISE: Expect = ALERT_ACT;
const TICKET_ZJW = 'T-perm-overdue-zjw';
const TICKET_SZ = 'T-perm-overdue-sz';
const ALERT_ZJW = 'fire_risk:perm-zjw-1';
const ALERT_ZJW_2 = 'fire_risk:perm-zjw-2';
const ALERT_SZ = 'fire_risk:perm-sz-1';
const ADMIN = (ok: number): Expect => ({
  anonymous: 401,
  admin: ok,
  districtOfficer: 403,
  townOfficer: 403,
  townLeader: 403,
  wall: 403,
  feed: 403,
});

interface Row {
  /** The route as registered: `GET /api/v1/tickets`. */
  route: string;
  /** What this row asks (several rows may try one route, e.g. in and out of scope). */
  what: string;
  /** The request; a function when it needs something made per caller (a fresh name). */
  url: string | (() => string);
  payload?: (who: Who) => unknown;
  contentType?: string;
  expect: Expect;
  /** The 403 code expected of the callers refused: 'not_in_scope' where the area is the reason. */
  code403?: (who: Who) => string;
  /** The 401 code, where it is not 'unauthenticated' (a login refused on its credentials). */
  code401?: string;
  /** An Open311 route: refusals are the spec's `[{code, description}]` (JSON or XML), `code` the HTTP status. */
  open311?: boolean;
}

const zjwId = ZHANGJIAWAN.slice('town:'.length);
const szId = SONGZHUANG.slice('town:'.length);
const notInScopeForTownRoles = (who: Who) =>
  who === 'townOfficer' || who === 'townLeader' ? 'not_in_scope' : 'forbidden';
let serial = 0;
const fresh = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(serial += 1)}`;

const open311 = () => ({
  service_request_id: fresh('SR'),
  status: 'open',
  service_name: '物业管理',
  description: '小区电梯停运三天无人维修',
  lat: 39.8875,
  long: 116.6842,
  requested_datetime: new Date(Date.now() - 3600_000).toISOString(),
});

/** Open311 readers: every reader in its scope, and a feed, which reads back the requests it posted itself. */
const OPEN311_READ: Expect = { ...READ, feed: 200 };
/** A GeoReport v2 request as the spec's form, with a place in 玉桥街道 (district-scoped callers only post here). */
const open311Form = () =>
  `service_code=road&lat=39.8875&long=116.6842&description=${encodeURIComponent(fresh('路面坑洼'))}`;
/** service_request_ids posted by the feed in beforeAll: one in 张家湾镇, one in 宋庄镇. */
const open311Ids = { zjw: '', sz: '' };

const ROWS: Row[] = [
  // operations and the page
  { route: 'GET /healthz', what: 'liveness', url: '/healthz', expect: PUBLIC },
  { route: 'GET /readyz', what: 'readiness', url: '/readyz', expect: PUBLIC },
  { route: 'GET /metrics', what: 'counts only', url: '/metrics', expect: PUBLIC },
  { route: 'GET /*', what: 'the built client (the login page must load)', url: '/assets/app.js', expect: PUBLIC },
  // the API's OpenAPI document and its reference page: shapes, no data (an integrator reads it before having an account)
  { route: 'GET /api/docs', what: 'the reference page', url: '/api/docs', expect: PUBLIC },
  { route: 'GET /api/docs/json', what: 'the OpenAPI document', url: '/api/docs/json', expect: PUBLIC },
  { route: 'GET /api/docs/yaml', what: 'the same, as YAML', url: '/api/docs/yaml', expect: PUBLIC },
  {
    route: 'GET /api/docs/static/*',
    what: "the page's files, from the npm package",
    url: '/api/docs/static/swagger-ui-bundle.js',
    expect: PUBLIC,
  },
  {
    route: 'GET /api/docs/static/swagger-initializer.js',
    what: "the page's settings",
    url: '/api/docs/static/swagger-initializer.js',
    expect: PUBLIC,
  },
  {
    route: 'GET /api/docs/static/index.html',
    what: 'a redirect to the page',
    url: '/api/docs/static/index.html',
    expect: everyone(302),
  },
  // sessions
  {
    route: 'POST /api/v1/auth/login',
    what: 'wrong password: public route, refused on the credentials',
    url: '/api/v1/auth/login',
    payload: () => ({ username: 'admin', password: 'not-the-password' }),
    expect: everyone(401),
    code401: 'bad_credentials',
  },
  {
    route: 'POST /api/v1/auth/login',
    what: 'the demo admin logs in from any session',
    url: '/api/v1/auth/login',
    payload: () => ({ username: 'admin', password: 'opsmap-admin' }),
    expect: PUBLIC,
  },
  {
    route: 'POST /api/v1/auth/device',
    what: 'a wall sets itself up with its token',
    url: '/api/v1/auth/device',
    payload: () => ({ token: wallToken }),
    expect: PUBLIC,
  },
  {
    route: 'POST /api/v1/auth/logout',
    what: 'always allowed',
    url: '/api/v1/auth/logout',
    payload: () => ({}),
    expect: everyone(204),
  },
  {
    route: 'GET /api/v1/auth/session',
    what: 'who am I',
    url: '/api/v1/auth/session',
    expect: { ...everyone(200), anonymous: 401 },
  },
  // geometry: every reader gets the whole district
  { route: 'GET /api/v1/areas/tree', what: 'the area tree', url: '/api/v1/areas/tree', expect: READ },
  { route: 'GET /api/v1/areas/:layer', what: 'a layer', url: '/api/v1/areas/towns', expect: READ },
  // the live state
  { route: 'GET /api/v1/aggregates', what: 'own scope by default', url: '/api/v1/aggregates', expect: READ },
  { route: 'GET /api/v1/aggregates', what: '张家湾镇', url: `/api/v1/aggregates?scope=${ZHANGJIAWAN}`, expect: READ },
  {
    route: 'GET /api/v1/aggregates',
    what: '宋庄镇',
    url: `/api/v1/aggregates?scope=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  {
    route: 'GET /api/v1/aggregates',
    what: 'the district',
    url: `/api/v1/aggregates?scope=${principals.admin.scope}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  { route: 'GET /api/v1/tickets', what: 'own scope by default', url: '/api/v1/tickets', expect: READ },
  { route: 'GET /api/v1/tickets', what: '张家湾镇', url: `/api/v1/tickets?area=${ZHANGJIAWAN}`, expect: READ },
  {
    route: 'GET /api/v1/tickets',
    what: '宋庄镇',
    url: `/api/v1/tickets?area=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  // No area parameter: the search always keeps to the asker's scope (tests/integration/search.test.ts).
  { route: 'GET /api/v1/search', what: 'within own scope', url: '/api/v1/search?q=%E6%9D%91', expect: READ },
  { route: 'GET /api/v1/trend', what: 'own scope by default', url: '/api/v1/trend', expect: READ },
  { route: 'GET /api/v1/trend', what: '张家湾镇', url: `/api/v1/trend?area=${ZHANGJIAWAN}`, expect: READ },
  {
    route: 'GET /api/v1/trend',
    what: '宋庄镇',
    url: `/api/v1/trend?area=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  { route: 'GET /api/v1/trends', what: 'own scope by default', url: '/api/v1/trends', expect: READ },
  { route: 'GET /api/v1/trends', what: '张家湾镇', url: `/api/v1/trends?area=${ZHANGJIAWAN}`, expect: READ },
  {
    route: 'GET /api/v1/trends',
    what: '宋庄镇',
    url: `/api/v1/trends?area=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  { route: 'GET /api/v1/patrol/visited', what: '张家湾镇', url: `/api/v1/patrol/visited?town=${zjwId}`, expect: READ },
  {
    route: 'GET /api/v1/patrol/visited',
    what: '宋庄镇',
    url: `/api/v1/patrol/visited?town=${szId}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  { route: 'GET /api/v1/landing', what: '张家湾镇', url: `/api/v1/landing?town=${ZHANGJIAWAN}`, expect: READ },
  {
    route: 'GET /api/v1/landing',
    what: '宋庄镇',
    url: `/api/v1/landing?town=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  { route: 'GET /api/v1/area-figures', what: 'own scope by default', url: '/api/v1/area-figures', expect: READ },
  {
    route: 'GET /api/v1/area-figures',
    what: '张家湾镇',
    url: `/api/v1/area-figures?area=${ZHANGJIAWAN}`,
    expect: READ,
  },
  {
    route: 'GET /api/v1/area-figures',
    what: '宋庄镇',
    url: `/api/v1/area-figures?area=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  { route: 'GET /api/v1/brief', what: "yesterday's brief of the own scope", url: '/api/v1/brief', expect: READ },
  // The treated towns inside the caller's scope: a town's leader gets their own town or nothing, never a 403.
  {
    route: 'GET /api/v1/treatment',
    what: 'the treated towns of the own scope',
    url: '/api/v1/treatment',
    expect: READ,
  },
  { route: 'GET /api/v1/brief', what: '张家湾镇', url: `/api/v1/brief?area=${ZHANGJIAWAN}`, expect: READ },
  {
    route: 'GET /api/v1/brief',
    what: '宋庄镇',
    url: `/api/v1/brief?area=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  {
    route: 'GET /api/v1/brief',
    what: 'the district',
    url: `/api/v1/brief?area=${principals.admin.scope}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  // downloads: the same scope as the list and the figures they export
  {
    route: 'GET /api/v1/export/tickets.csv',
    what: 'own scope by default',
    url: '/api/v1/export/tickets.csv',
    expect: READ,
  },
  {
    route: 'GET /api/v1/export/tickets.csv',
    what: '张家湾镇',
    url: `/api/v1/export/tickets.csv?area=${ZHANGJIAWAN}`,
    expect: READ,
  },
  {
    route: 'GET /api/v1/export/tickets.csv',
    what: '宋庄镇',
    url: `/api/v1/export/tickets.csv?area=${SONGZHUANG}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  {
    route: 'GET /api/v1/export/tickets.geojson',
    what: '张家湾镇',
    url: `/api/v1/export/tickets.geojson?area=${ZHANGJIAWAN}`,
    expect: READ,
  },
  {
    route: 'GET /api/v1/export/tickets.geojson',
    what: 'the district',
    url: `/api/v1/export/tickets.geojson?area=${principals.admin.scope}`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  {
    route: 'GET /api/v1/export/aggregates.csv',
    what: 'own scope by default',
    url: '/api/v1/export/aggregates.csv',
    expect: READ,
  },
  {
    route: 'GET /api/v1/export/aggregates.csv',
    what: '宋庄镇',
    url: `/api/v1/export/aggregates.csv?area=${SONGZHUANG}&from=2025-07-01&to=2025-07-02`,
    expect: READ_DISTRICT,
    code403: notInScopeForTownRoles,
  },
  // the raw log: every town's events
  { route: 'GET /api/v1/events', what: 'the raw log', url: '/api/v1/events?after=0&limit=10', expect: RAW_LOG },
  // ingest
  {
    route: 'POST /api/v1/events',
    what: 'a batch',
    url: '/api/v1/events',
    payload: () => [ticket(fresh('perm'))],
    expect: INGEST,
  },
  {
    route: 'POST /api/v1/open311/import',
    what: "a hotline's list of service requests",
    url: '/api/v1/open311/import',
    payload: () => [open311()],
    expect: INGEST,
  },
  // Open311 GeoReport v2: discovery and services describe the interface, no data (clients read them without a key)
  ...['json', 'xml'].flatMap((f): Row[] => [
    {
      route: `GET /api/v1/open311/discovery.${f}`,
      what: 'discovery',
      url: `/api/v1/open311/discovery.${f}`,
      expect: PUBLIC,
    },
    {
      route: `GET /api/v1/open311/services.${f}`,
      what: 'the services',
      url: `/api/v1/open311/services.${f}`,
      expect: PUBLIC,
    },
    {
      route: `GET /api/v1/open311/services/:code.${f}`,
      what: 'a service definition',
      url: `/api/v1/open311/services/e_bike.${f}`,
      expect: PUBLIC,
    },
  ]),
  ...(['', '.json', '.xml'] as const).map((suffix): Row => ({
    route: `POST /api/v1/open311/requests${suffix}`,
    what: 'a new service request (a form)',
    url: `/api/v1/open311/requests${suffix}`,
    payload: open311Form,
    contentType: 'application/x-www-form-urlencoded',
    expect: INGEST,
    open311: true,
  })),
  ...['json', 'xml'].flatMap((f): Row[] => [
    {
      route: `GET /api/v1/open311/requests.${f}`,
      what: 'requests of the own scope (a feed: its own)',
      url: `/api/v1/open311/requests.${f}`,
      expect: OPEN311_READ,
      open311: true,
    },
    {
      route: `GET /api/v1/open311/requests/:id.${f}`,
      what: 'a 张家湾镇 request the feed posted',
      url: () => `/api/v1/open311/requests/${open311Ids.zjw}.${f}`,
      expect: OPEN311_READ,
      open311: true,
    },
    {
      route: `GET /api/v1/open311/requests/:id.${f}`,
      what: 'a 宋庄镇 request: none in the area of a 张家湾镇 role',
      url: () => `/api/v1/open311/requests/${open311Ids.sz}.${f}`,
      expect: { ...OPEN311_READ, townOfficer: 404, townLeader: 404 },
      open311: true,
    },
  ]),
  {
    route: 'GET /api/v1/positions/osmand',
    what: 'a position',
    url: `/api/v1/positions/osmand?id=phone-perm&lat=39.7101&lon=116.7932&timestamp=${Math.floor(Date.now() / 1000) - 60}`,
    expect: INGEST,
  },
  {
    route: 'POST /api/v1/positions/osmand',
    what: 'a position as a form',
    url: '/api/v1/positions/osmand',
    payload: () => `id=phone-perm&lat=39.7102&lon=116.7933&timestamp=${Math.floor(Date.now() / 1000) - 30 - serial++}`,
    contentType: 'application/x-www-form-urlencoded',
    expect: INGEST,
  },
  // The token as the last path segment (Traccar Client iOS): a token that is no device's adds nothing to a caller,
  // and a feed's own token lets a caller with no other credential in; a session's own role still decides for it.
  {
    route: 'GET /api/v1/positions/osmand/:token',
    what: "a position under a token that is no device's",
    url: `/api/v1/positions/osmand/feed-00000000.not-a-token?id=phone-perm&lat=39.7101&lon=116.7932&timestamp=${Math.floor(Date.now() / 1000) - 50}`,
    expect: INGEST,
  },
  {
    route: 'POST /api/v1/positions/osmand/:token',
    what: "a position under the feed's own token",
    url: () =>
      `/api/v1/positions/osmand/${encodeURIComponent(feedToken)}?id=phone-perm&lat=39.7102&lon=116.7933&timestamp=${Math.floor(Date.now() / 1000) - 40 - serial++}`,
    expect: { ...INGEST, anonymous: 200 },
  },
  // alerts: fire-risk alerts raised in beforeAll, one in each town; outside the scope an alert does not exist (404)
  { route: 'GET /api/v1/alerts', what: 'the inbox of the own scope', url: '/api/v1/alerts', expect: READ },
  { route: 'GET /api/v1/alerts/:id', what: 'a 张家湾镇 alert', url: `/api/v1/alerts/${ALERT_ZJW}`, expect: READ },
  {
    route: 'GET /api/v1/alerts/:id',
    what: 'a 宋庄镇 alert',
    url: `/api/v1/alerts/${ALERT_SZ}`,
    expect: { ...READ, townOfficer: 404, townLeader: 404 },
  },
  {
    route: 'POST /api/v1/alerts/:id/notes',
    what: 'a note',
    url: `/api/v1/alerts/${ALERT_ZJW}/notes`,
    payload: () => ({ note: '已知悉' }),
    expect: ALERT_COMMENT,
  },
  {
    route: 'POST /api/v1/alerts/:id/acknowledge',
    what: 'a 张家湾镇 alert',
    url: `/api/v1/alerts/${ALERT_ZJW}/acknowledge`,
    payload: () => ({}),
    expect: ALERT_ACT,
  },
  {
    route: 'POST /api/v1/alerts/:id/acknowledge',
    what: 'a 宋庄镇 alert',
    url: `/api/v1/alerts/${ALERT_SZ}/acknowledge`,
    payload: () => ({}),
    expect: { ...ALERT_ACT, townOfficer: 404 },
  },
  {
    route: 'POST /api/v1/alerts/:id/whistle',
    what: 'call departments',
    url: `/api/v1/alerts/${ALERT_ZJW}/whistle`,
    payload: () => ({ departments: ['fire'] }),
    expect: ALERT_ACT,
  },
  {
    route: 'POST /api/v1/alerts/:id/resolve',
    what: 'close it',
    url: `/api/v1/alerts/${ALERT_ZJW_2}/resolve`,
    payload: () => ({}),
    expect: ALERT_ACT,
  },
  // tickets: overdue tickets posted in beforeAll, one in each town; outside the scope a ticket does not exist (404)
  { route: 'GET /api/v1/tickets/:id', what: 'a 张家湾镇 ticket', url: `/api/v1/tickets/${TICKET_ZJW}`, expect: READ },
  {
    route: 'GET /api/v1/tickets/:id',
    what: 'a 宋庄镇 ticket',
    url: `/api/v1/tickets/${TICKET_SZ}`,
    expect: { ...READ, townOfficer: 404, townLeader: 404 },
  },
  {
    route: 'POST /api/v1/tickets/:id/supervise',
    what: '督办 of a 张家湾镇 overdue ticket',
    url: `/api/v1/tickets/${TICKET_ZJW}/supervise`,
    payload: () => ({}),
    expect: SUPERVISE,
  },
  {
    route: 'POST /api/v1/tickets/:id/supervise',
    what: '督办 of a 宋庄镇 overdue ticket',
    url: `/api/v1/tickets/${TICKET_SZ}/supervise`,
    payload: () => ({ note: '请今日答复' }),
    expect: { ...SUPERVISE, townOfficer: 404 },
  },
  // users and devices
  { route: 'GET /api/v1/admin/users', what: 'list users', url: '/api/v1/admin/users', expect: ADMIN(200) },
  {
    route: 'POST /api/v1/admin/users',
    what: 'add a user',
    url: '/api/v1/admin/users',
    payload: () => ({ username: fresh('u'), role: 'leader', scope: ZHANGJIAWAN, password: 'a-long-password' }),
    expect: ADMIN(201),
  },
  {
    route: 'PATCH /api/v1/admin/users/:username',
    what: 'disable a user',
    url: '/api/v1/admin/users/spare-user',
    payload: () => ({ disabled: true }),
    expect: ADMIN(200),
  },
  { route: 'GET /api/v1/admin/devices', what: 'list devices', url: '/api/v1/admin/devices', expect: ADMIN(200) },
  {
    route: 'POST /api/v1/admin/devices',
    what: 'issue a device token',
    url: '/api/v1/admin/devices',
    payload: () => ({ name: '测试大屏', role: 'wall', scope: ZHANGJIAWAN }),
    expect: ADMIN(201),
  },
  {
    route: 'DELETE /api/v1/admin/devices/:id',
    what: 'revoke a device',
    url: '/api/v1/admin/devices/spare-device',
    expect: ADMIN(200),
  },
  // notification channels (NOTIFY_CONFIG; this app has none, so a test message finds no channel once let in)
  {
    route: 'GET /api/v1/admin/notify/channels',
    what: 'the channels and their health',
    url: '/api/v1/admin/notify/channels',
    expect: ADMIN(200),
  },
  {
    route: 'POST /api/v1/admin/notify/channels/:id/test',
    what: 'a test message (no such channel here)',
    url: '/api/v1/admin/notify/channels/duty-webhook/test',
    payload: () => ({}),
    expect: ADMIN(404),
  },
];

// ---- the app, the callers ----

let app: App;
let clientDir: string;
let wallToken: string;
let feedToken: string;
const registered = new Set<string>();
const headersOf = new Map<Who, Record<string, string>>();

beforeAll(async () => {
  // A stand-in client build, so that the static files' route exists whether or not dist/client was built.
  clientDir = mkdtempSync(path.join(tmpdir(), 'opsmap-perm-'));
  writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Ops Map</title>');
  mkdirSync(path.join(clientDir, 'assets'));
  writeFileSync(path.join(clientDir, 'assets', 'app.js'), 'export {};');
  app = await testApp(
    { LOGIN_RATE_LIMIT: '1000' },
    {
      clientDir,
      onRoute: (route) => {
        for (const method of [route.method].flat())
          if (method !== 'HEAD' && method !== 'OPTIONS') registered.add(`${method} ${route.url}`);
      },
    },
  );
  for (const who of WHO) {
    if (who === 'anonymous') headersOf.set(who, {});
    else if (who === 'feed') headersOf.set(who, await bearerHeaders(app, principals.feed));
    else headersOf.set(who, await sessionHeaders(app, principals[who]));
  }
  wallToken = await deviceToken(app, principals.wall);
  feedToken = await deviceToken(app, principals.feed);
  await app.services.auth.users.putUser({
    username: 'spare-user',
    name: '备用用户',
    role: 'leader',
    scope: ZHANGJIAWAN,
    passwordHash: 'none',
    createdAt: Date.now(),
  });
  // The DELETE row revokes this one, never a device the callers use.
  await app.services.auth.users.putDevice({
    id: 'spare-device',
    name: '备用设备',
    role: 'wall',
    scope: ZHANGJIAWAN,
    tokenHash: 'none',
    createdAt: Date.now(),
  });
  // Fire-risk incidents in a forest cluster of each town raise the alerts the alert rows act on.
  const incidents = [
    ['perm-zjw-1', ZHANGJIAWAN],
    ['perm-zjw-2', ZHANGJIAWAN],
    ['perm-sz-1', SONGZHUANG],
  ].map(([incidentId, town]) => {
    const cluster = app.services.geo.layers.forest.features.find((f) => `town:${f.properties.townId}` === town)!;
    const [lon, lat] = interiorPoint(cluster.geometry as never);
    return {
      id: `ev-${incidentId!}`,
      kind: 'patrol.incident',
      time: new Date(Date.now() - 60_000).toISOString(),
      source: 'ranger_app',
      rangerId: 'r-perm',
      incidentId,
      type: 'fire_risk',
      severity: 'high',
      description: '烟点',
      location: { lon, lat },
    };
  });
  const posted = await app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...headersOf.get('feed'), 'content-type': 'application/json' },
    payload: JSON.stringify(incidents),
  });
  expect(posted.json()).toMatchObject({ accepted: 3 });
  await app.services.rules.idle();
  // An overdue ticket in each town (its resolve deadline an hour ago), for the 督办 rows.
  const overdue = (
    [
      [TICKET_ZJW, ZHANGJIAWAN],
      [TICKET_SZ, SONGZHUANG],
    ] as const
  ).map(([ticketId, town]) => {
    const [location] = pointsInTown(app.services.geo, town, 1);
    return ticket(`ev-${ticketId}`, {
      ticketId,
      location,
      time: new Date(Date.now() - 3 * 3600_000).toISOString(),
      responseDueAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
      resolveDueAt: new Date(Date.now() - 3600_000).toISOString(),
    });
  });
  const tickets = await app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...headersOf.get('feed'), 'content-type': 'application/json' },
    payload: JSON.stringify(overdue),
  });
  expect(tickets.json()).toMatchObject({ accepted: 2 });
  // Open311 requests the feed posts, one in each town, for the rows that read one back.
  for (const [town, key] of [
    [ZHANGJIAWAN, 'zjw'],
    [SONGZHUANG, 'sz'],
  ] as const) {
    const [at] = pointsInTown(app.services.geo, town, 1);
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/open311/requests.json',
      headers: { ...headersOf.get('feed'), 'content-type': 'application/x-www-form-urlencoded' },
      payload: `service_code=heating&lat=${at!.lat}&long=${at!.lon}`,
    });
    expect(created.statusCode, created.body).toBe(200);
    open311Ids[key] = (created.json() as { service_request_id: string }[])[0]!.service_request_id;
  }
});

afterAll(async () => {
  await app?.close();
  rmSync(clientDir, { recursive: true, force: true });
});

async function ask(row: Row, who: Who) {
  const payload = row.payload?.(who);
  const headers: Record<string, string> = { ...headersOf.get(who) };
  if (payload !== undefined) headers['content-type'] = row.contentType ?? 'application/json';
  return app.inject({
    method: row.route.split(' ', 1)[0] as 'GET',
    url: typeof row.url === 'function' ? row.url() : row.url,
    headers,
    ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}),
  });
}

// ---- the tests ----

describe('permission matrix', () => {
  it('has a row for every route the app registers, and no row for a route that is gone', () => {
    const covered = new Set(ROWS.map((r) => r.route));
    expect([...registered].filter((r) => !covered.has(r)).sort(), 'routes without a row in the matrix').toEqual([]);
    expect([...covered].filter((r) => !registered.has(r)).sort(), 'rows for routes the app does not have').toEqual([]);
  });

  it.each(ROWS.map((r) => [`${r.route} (${r.what})`, r] as const))('%s', async (_name, row) => {
    const got: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const who of WHO) {
      const res = await ask(row, who);
      const expected = row.expect[who];
      want[who] = String(expected);
      got[who] = String(res.statusCode);
      if (res.statusCode !== expected) got[who] += ` ${res.body.slice(0, 160)}`;
      else if (row.open311 && expected >= 400) {
        // The spec's error: `[{code, description}]` in JSON, `<errors><error><code>` in XML.
        const code = res.body.trimStart().startsWith('<')
          ? Number(/<code>(\d+)<\/code>/.exec(res.body)?.[1])
          : (res.json() as { code: number }[])[0]?.code;
        expect(code, `${who}: Open311 error code of ${row.route}`).toBe(expected);
      } else if (expected === 401) expect(res.json().code, `${who}: 401 code`).toBe(row.code401 ?? 'unauthenticated');
      else if (expected === 403) {
        const code = row.code403?.(who) ?? 'forbidden';
        expect(res.json().code, `${who}: 403 code of ${row.route}`).toBe(code);
        if (code === 'not_in_scope') expect(res.json().message).toMatch(/^not in your area: /);
      }
    }
    expect(got).toEqual(want);
  });
});

describe('scope of the answers', () => {
  // Two tickets in 张家湾镇 and one in 宋庄镇.
  beforeAll(async () => {
    const geo = app.services.geo;
    const [a, b] = pointsInTown(geo, ZHANGJIAWAN, 2);
    const [c] = pointsInTown(geo, SONGZHUANG, 1);
    const events = [
      ticket(fresh('zjw'), { location: a }),
      ticket(fresh('zjw'), { location: b }),
      ticket(fresh('sz'), { location: c }),
    ];
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...headersOf.get('feed'), 'content-type': 'application/json' },
      payload: JSON.stringify(events),
    });
    expect(res.json().accepted).toBe(3);
  });

  it("a 张家湾镇 leader asking for tickets without an area gets only 张家湾镇's", async () => {
    const mine = (
      await app.inject({ url: '/api/v1/tickets?limit=1000', headers: headersOf.get('townLeader') })
    ).json() as TicketPage;
    const all = (
      await app.inject({ url: '/api/v1/tickets?limit=1000', headers: headersOf.get('admin') })
    ).json() as TicketPage;
    expect(mine.items.length).toBeGreaterThanOrEqual(2);
    for (const t of mine.items) expect(townOfTicket(t), t.id).toBe(ZHANGJIAWAN);
    // The district sees more: the 宋庄镇 ticket is there, and missing from the leader's list.
    expect(all.items.some((t) => townOfTicket(t) === SONGZHUANG)).toBe(true);
    expect(all.total).toBeGreaterThan(mine.total);
  });

  it("a 张家湾镇 leader's aggregates without a scope are their town and its cells", async () => {
    const res = (await app.inject({ url: '/api/v1/aggregates', headers: headersOf.get('townLeader') })).json() as {
      scope: string;
      aggregates: { key: string }[];
    };
    expect(res.scope).toBe(ZHANGJIAWAN);
    expect(res.aggregates.length).toBeGreaterThan(1);
    for (const a of res.aggregates) expect(inZhangjiawan(a.key), a.key).toBe(true);
  });

  it('the raw log is refused to the leader even with a valid session, and a HEAD is guarded like its GET', async () => {
    expect((await app.inject({ url: '/api/v1/events', headers: headersOf.get('townLeader') })).statusCode).toBe(403);
    expect((await app.inject({ method: 'HEAD', url: '/api/v1/tickets' })).statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: 'HEAD',
          url: `/api/v1/tickets?area=${SONGZHUANG}`,
          headers: headersOf.get('townLeader'),
        })
      ).statusCode,
    ).toBe(403);
  });

  it('an OsmAnd tracker may carry its feed token as a parameter; a wrong or wall token is refused', async () => {
    const feedToken = await deviceToken(app, principals.feed);
    const t = Math.floor(Date.now() / 1000) - 5;
    const q = (token: string) =>
      `/api/v1/positions/osmand?id=phone-tok&lat=39.7101&lon=116.7932&timestamp=${t}&token=${encodeURIComponent(token)}`;
    expect((await app.inject(q(feedToken))).statusCode).toBe(200);
    expect((await app.inject(q('feed-0000000b.not-the-secret'))).statusCode).toBe(401);
    expect((await app.inject(q(wallToken))).statusCode).toBe(403);
    const form = await app.inject({
      method: 'POST',
      url: '/api/v1/positions/osmand',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `id=phone-tok&lat=39.7102&lon=116.7933&timestamp=${t + 1}&token=${encodeURIComponent(feedToken)}`,
    });
    expect(form.statusCode).toBe(200);
  });

  it('a cookie session must send the CSRF token with a write (an admin posting events without it is refused)', async () => {
    const { cookie } = await sessionHeaders(app, principals.admin);
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { cookie, 'content-type': 'application/json' },
      payload: JSON.stringify([ticket(fresh('csrf'))]),
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('csrf');
    expect(cookie.startsWith(`${SESSION_COOKIE}=`)).toBe(true);
  });
});

interface TicketPage {
  total: number;
  items: { id: string; position: [number, number] }[];
}

const townOfTicket = (t: TicketPage['items'][number]) => townLocator(app.services.geo)(t.position[0], t.position[1]);
const inZhangjiawan = (key: string) => key === ZHANGJIAWAN || app.services.geo.tree.nodes[key]?.parent === ZHANGJIAWAN;
