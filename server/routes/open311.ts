// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at /api/v1/open311/, as its clients speak it (the spec's
// own examples, FixMyStreet's Open311 client): the format is the path's suffix (.json or .xml; POST requests
// without one is JSON), the key is `api_key` (form field or query; a Bearer header or a session works too), every
// error is the spec's list of {code, description} in the format asked. docs/INGEST.md is the integrator's guide.
//   GET  discovery.{json,xml}           where this endpoint is and what it speaks          (public)
//   GET  services.{json,xml}            our ticket categories as services                  (public)
//   GET  services/{code}.{json,xml}     a service's attributes                             (public)
//   POST requests[.json|.xml]           a new request: one ticket                          (ingest)
//   GET  requests.{json,xml}            requests in the asker's scope                       (read; a feed: its own)
//   GET  requests/{id}.{json,xml}       one of them                                         (read; a feed: its own)
//   POST import                         a hotline's list of existing requests (JSON / NDJSON; our own answer shape)
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static, type TSchema } from 'typebox';
import { XMLBuilder } from 'fast-xml-parser';
import { requireAbility } from '../auth/guard';
import { can, inScope, type Principal } from '../contract/auth';
import type { AreaTree } from '../contract/areas';
import { defaultDueTimes, type UrgencyDeadlines } from '../contract/config-defaults';
import { ApiErrorRef, errorResponses } from '../contract/errors';
import type { Crs, TicketCategory } from '../contract/events';
import { Open311Summary } from '../contract/ingest';
import {
  Open311Created,
  Open311Discovery,
  Open311Errors,
  Open311Service,
  Open311ServiceDefinition,
  Open311ServiceRequest,
} from '../contract/open311';
import { isoLocal } from '../contract/time';
import type { FieldError } from '../contract/validate';
import type { Gazetteer } from '../geo/gazetteer';
import type { Acceptor, ItemResult } from '../ingest/accept';
import { mapOpen311, toOpen311Field } from '../ingest/open311';
import { mapOpen311Post } from '../ingest/open311-post';
import { isServiceCode, OPEN311_SERVICES, serviceDefinition } from '../ingest/open311-services';
import type { ServiceRequestBook } from '../live/service-requests';
import { doc, OPEN311, PUBLIC, SESSION_OR_DEVICE } from '../openapi/spec';
import type { Metrics } from '../ops/metrics';
import { BadLine, BODY_LIMIT, MAX_BATCH, parseNdjson } from './ingest';

export const OPEN311_PREFIX = '/api/v1/open311';
/** The parameter GeoReport clients carry their key in (a form field of a POST, or the query string). */
export const API_KEY_PARAM = 'api_key';
/** The spec's default: requests of the last 90 days, at most 1000. */
const DEFAULT_WINDOW_MS = 90 * 24 * 3600 * 1000;
const MAX_REQUESTS = 1000;
/** When this Open311 interface last changed, for the discovery document. */
const CHANGESET = '2026-12-07T00:00:00+08:00';

export interface Open311RouteOptions {
  accept: Acceptor;
  metrics: Metrics;
  book: ServiceRequestBook;
  gazetteer: Gazetteer;
  tree: AreaTree;
  deadlines: UrgencyDeadlines;
  /** Resolves a device token sent as api_key. */
  deviceFromToken: (token: string) => Promise<Principal | null>;
  /** The town a WGS84-or-not point lies in (`town:<id>`), undefined inside no town; null outside the district. */
  townAt: (location: { lon: number; lat: number; crs?: Crs }) => string | undefined | null;
  now: () => number;
  /** The service_request_id of a new request; defaults to the local date and random hex. */
  newId?: () => string;
}

type Format = 'json' | 'xml';
type Problem = { code: number; description: string };

const xml = new XMLBuilder({ format: true, suppressEmptyNode: true, processEntities: true });
// eslint-disable-next-line no-control-regex -- XML 1.0 cannot carry these characters at all, not even escaped: they are what this matches.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** The spec's XML: the same objects, element for element; null is an empty element, lists repeat their element. */
function toXml(root: string, item: string | undefined, value: unknown): string {
  const clean = (v: unknown): unknown => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'string') return v.replace(NOT_XML, '');
    if (Array.isArray(v)) return v.map(clean);
    if (typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // Nested lists are wrapped the spec's way: attributes/attribute, values/value, formats/format, …
        if (Array.isArray(x)) out[k] = { [k.replace(/s$/, '')]: clean(x) };
        else out[k] = clean(x);
      }
      return out;
    }
    return v;
  };
  const body = item ? { [root]: { [item]: clean(value) } } : { [root]: clean(value) };
  return `<?xml version="1.0" encoding="utf-8"?>\n${xml.build(body)}`;
}

/** Answers in the format asked: JSON as is, or XML under the spec's root and item elements. */
function answer(reply: FastifyReply, format: Format, status: number, value: unknown, root: string, item?: string) {
  reply.code(status);
  if (format === 'json') return reply.type('application/json; charset=utf-8').send(value);
  return reply.type('text/xml; charset=utf-8').send(toXml(root, item, value));
}

/** The spec's error answer: `[{code, description}]`, `code` being the HTTP status. */
function fail(reply: FastifyReply, format: Format, status: number, ...descriptions: string[]) {
  const errors: Problem[] = descriptions.map((description) => ({ code: status, description }));
  return answer(reply, format, status, errors, 'errors', 'error');
}

const describeErrors = (errors: readonly FieldError[]) =>
  errors.map((e) => `${e.path.replace(/^\//, '').replace(/,\//g, ', ')}: ${e.message}`);

/** The format a route answers in: its suffix; no suffix (POST requests) is JSON. */
const formatOf = (request: FastifyRequest): Format => (request.routeOptions.url?.endsWith('.xml') ? 'xml' : 'json');

/** A request's string parameter (query or parsed body), if there is one. */
function param(source: unknown, name: string): string | undefined {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return undefined;
  const v = (source as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The fields without the key, so that it never reaches a mapper, an event or an error message. */
function withoutKey(source: unknown): Record<string, unknown> {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return {};
  const { [API_KEY_PARAM]: _key, ...rest } = source as Record<string, unknown>;
  return rest;
}

/** A form with its repeated fields as lists (FixMyStreet sends one media_url per photo). */
function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

// ---- the document ----

const XML_TEXT = (what: string) => Type.String({ description: `${what}, as the spec's XML` });

/** A success in the route's one format. */
function ok(format: Format | 'both', schema: TSchema, xmlWhat: string) {
  const content: Record<string, { schema: TSchema }> = {};
  if (format !== 'xml') content['application/json'] = { schema };
  if (format !== 'json') content['text/xml'] = { schema: XML_TEXT(xmlWhat) };
  return { description: 'OK', content };
}

const MEANING: Record<number, string> = {
  400: 'A field is missing or wrong (named in the description), or the place is outside the district',
  401: 'No key, or not a valid one',
  403: "The key's role may not do this, or the place is outside the area the key may report in",
  404: 'No such service, or no such request that you may read',
  413: 'The body is too large',
  415: 'Unsupported content type',
  503: 'The log could not confirm the request; nothing may be assumed stored: retry',
};

/**
 * Errors in the spec's shape, in the route's format. What is refused before the route runs (a session's write
 * without its CSRF header, a user store that cannot be asked) is our API's JSON ApiError, on either format.
 */
function failures(format: Format, ...codes: number[]) {
  return Object.fromEntries(
    codes.map((c) => [
      c,
      {
        description: MEANING[c] ?? 'Refused',
        content:
          format === 'json'
            ? { 'application/json': { schema: Type.Union([Open311Errors, ApiErrorRef]) } }
            : {
                'text/xml': { schema: XML_TEXT('<errors><error><code/><description/></error></errors>') },
                'application/json': { schema: ApiErrorRef },
              },
      },
    ]),
  );
}

const FORMATS: Format[] = ['json', 'xml'];

const ServiceParams = Type.Object({ code: Type.String({ maxLength: 100, description: 'a service_code' }) });
const RequestParams = Type.Object({ id: Type.String({ maxLength: 200, description: 'a service_request_id' }) });
/** What a read may carry besides its filters: the key, and the spec's jurisdiction (one here, not needed). */
const KeyQuery = Type.Object({
  api_key: Type.Optional(Type.String({ description: "a feed device's token (or send Authorization: Bearer)" })),
  jurisdiction_id: Type.Optional(Type.String()),
});
const ListQuery = Type.Object({
  service_request_id: Type.Optional(Type.String({ description: 'comma-separated ids: only these' })),
  service_code: Type.Optional(Type.String()),
  start_date: Type.Optional(Type.String({ description: 'requested at or after (ISO 8601 with offset)' })),
  end_date: Type.Optional(Type.String({ description: 'requested at or before (ISO 8601 with offset)' })),
  status: Type.Optional(Type.String({ description: 'open, closed, or both comma-separated' })),
  ...KeyQuery.properties,
});
const ImportQuery = Type.Object({ crs: Type.Optional(Type.String()) });

// ---- the routes ----

export const open311Routes: FastifyPluginAsync<Open311RouteOptions> = async (app, opts) => {
  const newId =
    opts.newId ?? (() => `${isoLocal(opts.now()).slice(0, 10).replace(/-/g, '')}-${randomBytes(4).toString('hex')}`);

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 * 1024 },
    (_req, body, done) => done(null, parseForm(body as string)),
  );
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/ndjson'],
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => done(null, parseNdjson(body as string)),
  );

  // Whatever fails before a handler (a body that is not JSON, too large, a wrong type) answers in the spec's shape
  // too, except on the import, which speaks our own API's ApiError.
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'open311 route failed');
    const message = status === 500 ? 'internal error' : error.message;
    if (request.routeOptions.url === `${OPEN311_PREFIX}/import`)
      return reply
        .code(status)
        .send({ statusCode: status, error: status === 500 ? 'Internal Server Error' : 'Bad Request', message });
    return fail(reply, formatOf(request), status, message);
  });

  /** Who asks: the session or Bearer token the auth plugin found, else the api_key (query, then form field). */
  async function principalOf(request: FastifyRequest): Promise<{ principal: Principal | null; keySent: boolean }> {
    if (request.principal) return { principal: request.principal, keySent: false };
    const key = param(request.query, API_KEY_PARAM) ?? param(request.body, API_KEY_PARAM);
    if (!key) return { principal: null, keySent: false };
    return { principal: await opts.deviceFromToken(key), keySent: true };
  }

  const unauthenticated = (reply: FastifyReply, format: Format, keySent: boolean) =>
    fail(
      reply,
      format,
      401,
      keySent
        ? 'api_key is not a valid key (revoked, or mistyped): ask the command center for a feed device token'
        : 'a key is required: send a feed device token as api_key, or as Authorization: Bearer',
    );

  // Discovery and services describe this interface, never data; GeoReport clients read them without a key
  // (FixMyStreet sends its api_key with POSTs only).
  for (const format of FORMATS) {
    app.get(
      `${OPEN311_PREFIX}/discovery.${format}`,
      {
        schema: {
          ...doc('open311', `GeoReport v2 discovery (${format.toUpperCase()})`, PUBLIC),
          response: { 200: ok(format, Open311Discovery, '<discovery>') },
        },
      },
      async (request, reply) => {
        const url = `${request.protocol}://${request.host}${OPEN311_PREFIX}`;
        const discovery = {
          changeset: CHANGESET,
          contact: '通州区城市运行指挥中心（Ops Map）: docs/INGEST.md, Open311',
          key_service: 'An administrator issues a feed device token: npm run users -- device <name> --role feed',
          endpoints: [
            {
              specification: 'http://wiki.open311.org/GeoReport_v2',
              url,
              changeset: CHANGESET,
              type: 'production',
              formats: ['application/json', 'text/xml'],
            },
          ],
        };
        return answer(reply, format, 200, discovery, 'discovery');
      },
    );

    app.get(
      `${OPEN311_PREFIX}/services.${format}`,
      {
        schema: {
          ...doc('open311', `GeoReport v2 service list: our ticket categories (${format.toUpperCase()})`, PUBLIC),
          response: { 200: ok(format, Type.Array(Open311Service), '<services><service>…') },
        },
      },
      async (_request, reply) => answer(reply, format, 200, OPEN311_SERVICES, 'services', 'service'),
    );

    app.get<{ Params: Static<typeof ServiceParams> }>(
      `${OPEN311_PREFIX}/services/:code.${format}`,
      {
        schema: {
          ...doc('open311', `GeoReport v2 service definition: its attributes (${format.toUpperCase()})`, PUBLIC),
          params: ServiceParams,
          response: {
            200: ok(format, Open311ServiceDefinition, '<service_definition>'),
            ...failures(format, 404),
          },
        },
      },
      async (request, reply) => {
        const { code } = request.params;
        if (!isServiceCode(code))
          return fail(
            reply,
            format,
            404,
            `service_code '${code}' is no service of ours: GET services.${format} lists them`,
          );
        return answer(reply, format, 200, serviceDefinition(code), 'service_definition');
      },
    );
  }

  // ---- POST requests: a new service request ----

  async function postRequest(request: FastifyRequest, reply: FastifyReply, format: Format) {
    const { principal, keySent } = await principalOf(request);
    if (!principal) return unauthenticated(reply, format, keySent);
    if (!can(principal, 'ingest'))
      return fail(reply, format, 403, `a ${principal.role} may not post service requests: use a feed device's key`);
    const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded' && type !== 'application/json')
      return fail(
        reply,
        format,
        415,
        `send a form (application/x-www-form-urlencoded) or JSON, not '${type || 'nothing'}'`,
      );
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      return fail(reply, format, 400, 'the body must be the fields of one service request (a form or a JSON object)');
    const fields = { ...withoutKey(request.query), ...withoutKey(body) };
    const end = opts.metrics.ingestSeconds.startTimer({ path: 'open311' });
    const rejected = (status: number, ...descriptions: string[]) => {
      opts.metrics.ingested.inc({ path: 'open311', result: 'rejected' });
      end();
      return fail(reply, format, status, ...descriptions);
    };
    // An id that is already taken (a once-in-a-lifetime collision of the random part) gets another one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = newId();
      const nowMs = opts.now();
      const mapped = mapOpen311Post(fields, {
        serviceRequestId: id,
        now: nowMs,
        gazetteer: opts.gazetteer,
        postedBy: principal.id,
      });
      if (!mapped.ok) return rejected(400, ...describeErrors(mapped.errors));
      const location = (mapped.event as { location: { lon: number; lat: number; crs?: Crs } }).location;
      const town = opts.townAt(location);
      const where = mapped.placedBy === 'lat_long' ? 'lat, long' : 'address';
      if (town === null) return rejected(400, `${where}: the place lies outside the district (通州区)`);
      if (!town ? principal.scope !== opts.tree.root : !inScope(opts.tree, principal.scope, town))
        return rejected(403, `${where}: the place lies outside the area this key may report in (${principal.scope})`);
      let result: ItemResult;
      try {
        result = (await opts.accept([mapped.event])).results[0]!;
      } catch (e) {
        end();
        request.log.error({ err: e }, 'append to the event log failed');
        reply.header('retry-after', '5');
        return fail(reply, format, 503, 'the event log is not available; the request was not taken: retry later');
      }
      if (result.status === 'duplicate') continue;
      if (result.status === 'rejected')
        return rejected(
          400,
          ...describeErrors(result.errors.map((e) => ({ ...e, path: toOpen311Field(e.path, 'ticket.created') }))),
        );
      opts.metrics.ingested.inc({ path: 'open311', result: 'accepted' });
      end();
      const due = defaultDueTimes(nowMs, 'normal', opts.deadlines).resolveDueAtMs;
      const created = {
        service_request_id: id,
        service_notice: `已受理，办结时限 ${isoLocal(due).slice(0, 16).replace('T', ' ')}（北京时间）`,
        account_id: mapped.accountId,
      };
      return answer(reply, format, 200, [created], 'service_requests', 'request');
    }
    end();
    return fail(reply, format, 503, 'no free service_request_id could be drawn; retry');
  }

  const POST_DESCRIPTION =
    "The spec's fields as a form (or JSON): api_key, service_code, lat + long (or address_string / address_id " +
    'naming a community, village or town of the district), attribute[code], description, media_url, email, ' +
    'device_id, account_id, first_name, last_name, phone. Answers [{service_request_id, service_notice, account_id}].';
  for (const [suffix, format] of [
    ['', 'json'],
    ['.json', 'json'],
    ['.xml', 'xml'],
  ] as const) {
    app.post(
      `${OPEN311_PREFIX}/requests${suffix}`,
      {
        bodyLimit: 1024 * 1024,
        schema: {
          ...doc(
            'open311',
            `GeoReport v2: post a service request (${suffix === '' ? 'JSON, no suffix' : format.toUpperCase()})`,
            OPEN311,
            POST_DESCRIPTION,
          ),
          response: {
            200: ok(format, Type.Array(Open311Created), '<service_requests><request>…'),
            ...failures(format, 400, 401, 403, 413, 415, 503),
          },
        },
      },
      async (request, reply) => postRequest(request, reply, format),
    );
  }

  // ---- GET requests: read back ----

  /** Readers see their scope; a feed (which may not read the live state) only the requests it posted itself. */
  async function reader(request: FastifyRequest, reply: FastifyReply, format: Format) {
    const { principal, keySent } = await principalOf(request);
    if (!principal) {
      await unauthenticated(reply, format, keySent);
      return null;
    }
    if (!can(principal, 'read') && !can(principal, 'ingest')) {
      await fail(reply, format, 403, `a ${principal.role} may not read service requests`);
      return null;
    }
    return principal;
  }

  for (const format of FORMATS) {
    app.get<{ Querystring: Static<typeof ListQuery> }>(
      `${OPEN311_PREFIX}/requests.${format}`,
      {
        schema: {
          ...doc(
            'open311',
            `GeoReport v2: service requests in your scope (${format.toUpperCase()})`,
            OPEN311,
            'Newest first, at most 1000; without dates or ids, those of the last 90 days. A feed key reads the ' +
              'requests it posted itself.',
          ),
          querystring: ListQuery,
          response: {
            200: ok(format, Type.Array(Open311ServiceRequest), '<service_requests><request>…'),
            ...failures(format, 400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const principal = await reader(request, reply, format);
        if (!principal) return reply;
        const q = request.query;
        const problems: string[] = [];
        const dateOf = (name: 'start_date' | 'end_date') => {
          const v = q[name];
          if (v === undefined || v === '') return undefined;
          const ms = Date.parse(v);
          if (Number.isNaN(ms)) problems.push(`${name}: must be an ISO 8601 date-time, e.g. 2026-07-20T00:00:00+08:00`);
          return ms;
        };
        const fromMs = dateOf('start_date');
        const toMs = dateOf('end_date');
        if (fromMs !== undefined && toMs !== undefined && toMs < fromMs)
          problems.push('end_date: is before start_date');
        let serviceCode: TicketCategory | undefined;
        if (q.service_code) {
          if (isServiceCode(q.service_code)) serviceCode = q.service_code;
          else problems.push(`service_code: '${q.service_code}' is no service of ours`);
        }
        let status: 'open' | 'closed' | undefined;
        if (q.status) {
          const wanted = new Set(q.status.split(',').map((s) => s.trim().toLowerCase()));
          if ([...wanted].some((s) => s !== 'open' && s !== 'closed'))
            problems.push(`status: must be open, closed or both, got '${q.status}'`);
          else if (wanted.size === 1) status = [...wanted][0] as 'open' | 'closed';
        }
        const ids = q.service_request_id
          ?.split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
        if (ids && ids.length > MAX_REQUESTS) problems.push(`service_request_id: at most ${MAX_REQUESTS} ids`);
        if (problems.length > 0) return fail(reply, format, 400, ...problems);
        // The spec: a list of ids overrides every other argument (a client following its own requests).
        const list = ids
          ? opts.book.list(principal, { ids, limit: MAX_REQUESTS })
          : opts.book.list(principal, {
              ...(serviceCode ? { serviceCode } : {}),
              ...(status ? { status } : {}),
              fromMs: fromMs ?? (toMs === undefined ? opts.now() - DEFAULT_WINDOW_MS : -Infinity),
              ...(toMs !== undefined ? { toMs } : {}),
              limit: MAX_REQUESTS,
            });
        return answer(reply, format, 200, list, 'service_requests', 'request');
      },
    );

    app.get<{ Params: Static<typeof RequestParams>; Querystring: Static<typeof KeyQuery> }>(
      `${OPEN311_PREFIX}/requests/:id.${format}`,
      {
        schema: {
          ...doc('open311', `GeoReport v2: one service request (${format.toUpperCase()})`, OPEN311),
          params: RequestParams,
          querystring: KeyQuery,
          response: {
            200: ok(format, Type.Array(Open311ServiceRequest), '<service_requests><request>…'),
            ...failures(format, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const principal = await reader(request, reply, format);
        if (!principal) return reply;
        const found = opts.book.get(principal, request.params.id);
        // Outside the asker's scope a request does not exist, as an alert does not (no probing of ids).
        if (!found) return fail(reply, format, 404, `no service request '${request.params.id}' that you may read`);
        return answer(reply, format, 200, [found], 'service_requests', 'request');
      },
    );
  }

  // ---- POST import: a hotline's list of existing requests ----

  app.post<{ Querystring: Static<typeof ImportQuery> }>(
    `${OPEN311_PREFIX}/import`,
    {
      bodyLimit: BODY_LIMIT,
      preHandler: requireAbility('ingest'),
      schema: {
        ...doc(
          'open311',
          "Import existing service requests (a hotline system's list): JSON array or NDJSON",
          SESSION_OR_DEVICE,
          "Requests as GeoReport v2 GET requests lists them (the spec's example output as it is: numeric ids, " +
            'null fields, address_id, zipcode); `crs=wgs84|gcj02|bd09` names the coordinates. Each is answered ' +
            'in place; a list sent again stores nothing new. A closed request is two events (created, closed).',
        ),
        querystring: ImportQuery,
        response: { 200: Open311Summary, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const problem = (statusCode: number, error: string, message: string) =>
        reply.code(statusCode).send({ statusCode, error, message });
      const crs = request.query.crs;
      if (crs !== undefined && crs !== 'wgs84' && crs !== 'gcj02' && crs !== 'bd09')
        return problem(400, 'Bad Request', `crs must be one of wgs84, gcj02, bd09; got '${crs}'`);
      const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (!['application/json', 'application/x-ndjson', 'application/ndjson'].includes(type))
        return problem(
          415,
          'Unsupported Media Type',
          `Send application/json (an array of requests) or application/x-ndjson, not '${type || 'nothing'}'.`,
        );
      const body = request.body;
      const list = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? [body] : null;
      if (!list) return problem(400, 'Bad Request', 'The body must be a JSON array of service requests, or NDJSON.');
      if (list.length === 0) return problem(400, 'Bad Request', 'The list is empty.');
      if (list.length > MAX_BATCH)
        return problem(
          413,
          'Payload Too Large',
          `At most ${MAX_BATCH} requests per call; this list has ${list.length}.`,
        );
      const principal = request.principal!;
      const end = opts.metrics.ingestSeconds.startTimer({ path: 'open311' });
      const mapped = list.map((item) => {
        if (item instanceof BadLine)
          return { ok: false as const, errors: [{ path: '', message: item.message }] satisfies FieldError[] };
        const m = mapOpen311(item, (crs as Crs | undefined) ?? 'wgs84', { postedBy: principal.id });
        if (!m.ok) return m;
        // A town's feed reports inside its town only, as on every ingest path.
        const created = m.events[0] as unknown as { location: { lon: number; lat: number; crs?: Crs } };
        const town = opts.townAt(created.location);
        if (town !== null && (town ? !inScope(opts.tree, principal.scope, town) : principal.scope !== opts.tree.root))
          return {
            ok: false as const,
            errors: [
              {
                path: '/lat,/long',
                message: `lies outside the area this feed may report in (${principal.scope})`,
              },
            ] satisfies FieldError[],
          };
        return m;
      });
      // Creations first, closings only of tickets whose creation is in the log: a request refused for its place
      // (outside the district) must not leave a closing behind for a ticket that does not exist.
      const own: ItemResult[][] = mapped.map(() => []);
      const eventsOf = (i: number) => {
        const m = mapped[i]!;
        return m.ok ? m.events : [];
      };
      try {
        const firsts = mapped.flatMap((m, i) => (m.ok ? [i] : []));
        const created = await opts.accept(firsts.map((i) => eventsOf(i)[0]));
        const seconds: number[] = [];
        firsts.forEach((i, k) => {
          own[i]!.push(created.results[k]!);
          if (created.results[k]!.status !== 'rejected' && eventsOf(i).length > 1) seconds.push(i);
        });
        if (seconds.length > 0) {
          const closed = await opts.accept(seconds.map((i) => eventsOf(i)[1]));
          seconds.forEach((i, k) => own[i]!.push(closed.results[k]!));
        }
      } catch (e) {
        end();
        request.log.error({ err: e }, 'append to the event log failed');
        reply.header('retry-after', '5');
        return problem(
          503,
          'Service Unavailable',
          'The event log is not available; this list was not acknowledged. Retry it later: requests of it that did reach the log are answered as duplicates, never stored twice.',
        );
      }
      end();
      const results = mapped.map((m, i) => {
        const raw = list[i] as { service_request_id?: unknown } | BadLine;
        const id = raw instanceof BadLine ? undefined : raw?.service_request_id;
        if (!m.ok) return { service_request_id: id, status: 'rejected' as const, errors: m.errors };
        const errors = own[i]!.flatMap((r, j) =>
          r.status === 'rejected'
            ? r.errors.map((e) => ({ ...e, path: toOpen311Field(e.path, m.events[j]?.kind) }))
            : [],
        );
        if (errors.length > 0) return { service_request_id: id, status: 'rejected' as const, errors };
        const seqs = own[i]!.map((r) => (r.status === 'rejected' ? 0 : r.seq));
        const status = own[i]!.every((r) => r.status === 'duplicate') ? ('duplicate' as const) : ('accepted' as const);
        return { service_request_id: id, status, seqs };
      });
      const count = (s: string) => results.filter((r) => r.status === s).length;
      const summary = {
        accepted: count('accepted'),
        duplicates: count('duplicate'),
        rejected: count('rejected'),
        results,
      };
      opts.metrics.ingested.inc({ path: 'open311', result: 'accepted' }, summary.accepted);
      opts.metrics.ingested.inc({ path: 'open311', result: 'duplicate' }, summary.duplicates);
      opts.metrics.ingested.inc({ path: 'open311', result: 'rejected' }, summary.rejected);
      return summary;
    },
  );
};
