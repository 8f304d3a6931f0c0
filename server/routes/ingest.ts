// Ingest routes: thin adapters from each wire format to the one accept() pipeline (server/ingest/accept.ts).
// (Open311 GeoReport v2, its services, requests and the hotline's import, is routes/open311.ts.)
//   POST /api/v1/events               JSON array (or one object) or NDJSON, up to MAX_BATCH events
//   GET|POST /api/v1/positions/osmand OsmAnd / Traccar Client positions (query string, form or JSON)
//
// Who may post: principals with the 'ingest' ability (admin sessions, `feed` device tokens as a Bearer header).
// OsmAnd trackers cannot set headers, so their routes also take the device token as a `token` query or form
// parameter (docs/SECURITY.md); it is read here, never passed on, and redacted from log lines (auth/redact.ts).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { requireAbility } from '../auth/guard';
import type { Principal } from '../contract/auth';
import type { Acceptor, AcceptSummary, ItemResult } from '../ingest/accept';
import { deviceRef, mapOsmand, type DeviceEntry, type OsmandReport } from '../ingest/osmand';
import { OpsEvent, type Crs, type DeviceStatusReason } from '../contract/events';
import { ApiErrorRef, errorResponses } from '../contract/errors';
import { IngestSummary, OsmandAccepted, OsmandRejected } from '../contract/ingest';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';
import type { Metrics } from '../ops/metrics';

export const MAX_BATCH = 10_000;
/** 10,000 events of ~0.5–1 KB each, with room to spare; larger bodies get 413 before any parsing. */
export const BODY_LIMIT = 16 * 1024 * 1024;

export interface IngestRouteOptions {
  accept: Acceptor;
  metrics: Metrics;
  /** OsmAnd device id → its ranger (and speed unit); absent: the device id is the ranger id. */
  devices?: ReadonlyMap<string, DeviceEntry>;
  now?: () => number;
  /**
   * Whether a position lies outside the principal's area (a town's feed token reporting in another town): such a
   * position is kept as the device status, like one outside the district. Absent: every position is in scope.
   */
  outsideScope?: (principal: Principal, location: { lon: number; lat: number; crs?: Crs }) => boolean;
  /** The ranger's last known position (WGS84), where an SOS without a fix is raised. */
  lastPosition?: (rangerId: string) => { lon: number; lat: number } | undefined;
  /** Resolves a device token given as the `token` parameter (OsmAnd); absent: only headers and cookies count. */
  deviceFromToken?: (token: string) => Promise<Principal | null>;
}

/** The parameter OsmAnd trackers carry their device token in (they cannot send an Authorization header). */
export const DEVICE_TOKEN_PARAM = 'token';

/** Marks an NDJSON line that was not JSON, so that it is answered in place without stopping the batch. */
export class BadLine {
  constructor(readonly message: string) {}
}

/** NDJSON: one item per line; a line that is not JSON becomes a BadLine in its place. */
export function parseNdjson(body: string): unknown[] {
  const items: unknown[] = [];
  body.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      items.push(JSON.parse(line));
    } catch (e) {
      items.push(new BadLine(`line ${i + 1} is not valid JSON (${(e as Error).message})`));
    }
  });
  return items;
}

/**
 * Ingest bodies are checked item by item by accept(), so that one bad event never costs the good ones of its batch
 * their place in the log; the body schema of POST /api/v1/events is there for the document only.
 */
const documentOnly = () => () => true;

/** The event body, for the document: one event, an array of them, or NDJSON (one event per line). */
const EventsBody = {
  content: {
    'application/json': { schema: Type.Union([OpsEvent, Type.Array(OpsEvent, { maxItems: MAX_BATCH })]) },
    'application/x-ndjson': { schema: Type.String({ description: 'one event (JSON) per line' }) },
  },
};

/** A feed device's token, or an admin's session (with the CSRF header). */
const ingest = (summary: string, description: string) =>
  doc(
    'ingest',
    summary,
    SESSION_OR_DEVICE,
    `${description} Needs the ingest ability: a feed device's token, or an admin's session. See docs/INGEST.md.`,
  );
const OSMAND_DESCRIPTION =
  'OsmAnd / Traccar Client fields (id, lat, lon, timestamp, speed, …) as query parameters, a form or JSON. ' +
  'Trackers cannot set headers, so the feed token may also come as the `token` parameter or the last path ' +
  'segment. A well-formed report that cannot be placed (no fix, 0/0, outside the district, clock ahead) is ' +
  'answered 200 with `unplaced` and kept as the device status, so that the phone sends its next one.';

const problem = (reply: FastifyReply, statusCode: number, error: string, message: string) =>
  reply.code(statusCode).send({ statusCode, error, message });

export const ingestRoutes: FastifyPluginAsync<IngestRouteOptions> = async (app, opts) => {
  app.addContentTypeParser(
    ['application/x-ndjson', 'application/ndjson'],
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => done(null, parseNdjson(body as string)),
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 * 1024 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );

  /** `uncounted`: the caller counts the items itself (a tracker report that may become a device status). */
  async function run(path: string, items: readonly unknown[], uncounted = false): Promise<AcceptSummary> {
    const end = opts.metrics.ingestSeconds.startTimer({ path });
    const bad = new Map<number, ItemResult>();
    const good: unknown[] = [];
    const where: number[] = [];
    items.forEach((item, i) => {
      if (item instanceof BadLine) bad.set(i, { status: 'rejected', errors: [{ path: '', message: item.message }] });
      else {
        good.push(item);
        where.push(i);
      }
    });
    const summary = await opts.accept(good);
    const results: ItemResult[] = new Array(items.length);
    for (const [i, r] of bad) results[i] = r;
    summary.results.forEach((r, k) => (results[where[k]!] = r));
    end();
    const out = { ...summary, rejected: summary.rejected + bad.size, results };
    if (uncounted) return out;
    opts.metrics.ingested.inc({ path, result: 'accepted' }, out.accepted);
    opts.metrics.ingested.inc({ path, result: 'duplicate' }, out.duplicates);
    opts.metrics.ingested.inc({ path, result: 'rejected' }, out.rejected);
    return out;
  }

  /** The log could not confirm durability: say so, never a false 2xx. */
  const unavailable = (reply: FastifyReply, e: unknown) => {
    app.log.error({ err: e }, 'append to the event log failed');
    // Not "nothing was stored": on a distributed bus a publish may still land after its answer timed out. A
    // retry is safe either way, since every event key is stored once.
    reply.header('retry-after', '5');
    return problem(
      reply,
      503,
      'Service Unavailable',
      'The event log is not available; this request was not acknowledged. Retry it later: events of it that did reach the log are answered as duplicates, never stored twice.',
    );
  };

  const mayIngest = requireAbility('ingest');

  /**
   * For the OsmAnd routes: a request without a session or Bearer token may carry the device token as `token`
   * (query string, or form field in a POST body: preHandler runs after the body is parsed).
   */
  async function tokenParamOrHeader(request: FastifyRequest, reply: FastifyReply) {
    if (!request.principal && opts.deviceFromToken) {
      const key =
        paramOf(request.params, DEVICE_TOKEN_PARAM) ??
        paramOf(request.query, DEVICE_TOKEN_PARAM) ??
        paramOf(request.body, DEVICE_TOKEN_PARAM);
      if (key) request.principal = await opts.deviceFromToken(key);
    }
    return mayIngest.call(app, request, reply);
  }

  app.post(
    '/api/v1/events',
    {
      bodyLimit: BODY_LIMIT,
      preHandler: mayIngest,
      validatorCompiler: documentOnly,
      schema: {
        ...ingest(
          'Post events: one, a JSON array, or NDJSON',
          `At most ${MAX_BATCH} events a batch. Each event is answered in place (accepted, duplicate, rejected ` +
            'with reasons); a bad one never costs the others. 503: the log could not confirm, retry the batch.',
        ),
        body: EventsBody,
        response: { 200: IngestSummary, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const type = (request.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
      if (!['application/json', 'application/x-ndjson', 'application/ndjson'].includes(type)) {
        return problem(
          reply,
          415,
          'Unsupported Media Type',
          `Send application/json (an array of events) or application/x-ndjson, not '${type || 'nothing'}'.`,
        );
      }
      const body = request.body;
      const items = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? [body] : null;
      if (!items)
        return problem(
          reply,
          400,
          'Bad Request',
          'The body must be a JSON array of events, one event object, or NDJSON (one event per line).',
        );
      if (items.length === 0) return problem(reply, 400, 'Bad Request', 'The batch is empty.');
      if (items.length > MAX_BATCH) {
        return problem(
          reply,
          413,
          'Payload Too Large',
          `A batch holds at most ${MAX_BATCH} events; this one has ${items.length}. Split it.`,
        );
      }
      try {
        return await run('events', items);
      } catch (e) {
        return unavailable(reply, e);
      }
    },
  );

  const now = opts.now ?? Date.now;
  const UNPLACED: Record<DeviceStatusReason, string> = {
    no_fix: 'no position in this report (no fix yet, or a heartbeat): kept as the device status',
    null_island: 'lat 0, lon 0 is a phone without a fix: kept as the device status, not drawn',
    outside_district: 'the position lies outside the district: kept as the device status, not drawn',
    clock_ahead: "the device's clock is ahead beyond the allowed skew: kept as the device status at the time received",
    outside_scope: "the position lies outside the feed token's area: kept as the device status, not drawn",
  };

  /**
   * A report that cannot be placed is still answered 2xx (a Traccar Client resends its oldest position until it
   * gets one, and sends nothing newer meanwhile): it is stored as the device's status, never as a position, and
   * never with a time ahead of the server's.
   */
  async function deviceStatus(report: OsmandReport, reason: DeviceStatusReason) {
    const claimed = Date.parse(report.time);
    const event = {
      id: `osmand-${deviceRef(report.deviceId)}-${claimed}-status`,
      kind: 'patrol.device_status',
      time: new Date(Math.min(claimed, now())).toISOString(),
      source: 'osmand',
      rangerId: report.rangerId,
      deviceId: report.deviceId,
      reason,
      ...(report.battery !== undefined ? { battery: report.battery } : {}),
      ...(report.charging !== undefined ? { charging: report.charging } : {}),
    };
    const summary = await run('osmand', [event]);
    opts.metrics.unplaced.inc({ reason });
    return summary.results[0]!;
  }

  /**
   * alarm=sos (Traccar Client's SOS button): a patrol incident of type sos, which raises a severe ranger_sos alert
   * that takes the wall over. At the report's position if it was placed, else at the ranger's last known one.
   */
  async function raiseSos(report: OsmandReport, placed: boolean): Promise<void> {
    const pos = placed && report.position?.kind === 'patrol.position' ? report.position.location : undefined;
    const at = pos ?? opts.lastPosition?.(report.rangerId);
    if (!at) {
      app.log.warn({ rangerId: report.rangerId }, 'SOS from a ranger with no known position: no incident raised');
      return;
    }
    const claimed = Date.parse(report.time);
    const ref = `${deviceRef(report.deviceId)}-${claimed}`;
    await run('osmand', [
      {
        id: `osmand-${ref}-sos`,
        kind: 'patrol.incident',
        time: new Date(Math.min(claimed, now())).toISOString(),
        source: 'osmand',
        rangerId: report.rangerId,
        incidentId: `sos-${ref}`,
        type: 'sos',
        severity: 'high',
        // Without a device table a typed id stands for the ranger (its digest is no name to read out).
        description:
          report.rangerId === deviceRef(report.deviceId)
            ? `护林员（设备 ${report.deviceId}）`
            : `护林员 ${report.rangerId}，设备 ${report.deviceId}`,
        location: at,
        meta: { deviceId: report.deviceId },
      },
    ]);
  }

  const osmand = async (fields: Record<string, unknown>, reply: FastifyReply, principal: Principal | null) => {
    const mapped = mapOsmand(fields, opts.devices ? { devices: opts.devices } : {});
    if (!mapped.ok) {
      opts.metrics.ingested.inc({ path: 'osmand', result: 'rejected' });
      return reply.code(400).send({ status: 'rejected', errors: mapped.errors });
    }
    const report = mapped.report;
    try {
      let reason = report.unplaced;
      const pos = report.position?.kind === 'patrol.position' ? report.position.location : undefined;
      if (pos && principal && opts.outsideScope?.(principal, pos)) reason = 'outside_scope';
      else if (report.position) {
        const r = (await run('osmand', [report.position], true)).results[0]!;
        // A position that cannot be placed is counted once, as the device status it becomes.
        if (r.status !== 'rejected' || !r.reason)
          opts.metrics.ingested.inc({ path: 'osmand', result: r.status === 'duplicate' ? 'duplicate' : r.status });
        if (r.status !== 'rejected') {
          if (report.sos) await raiseSos(report, true);
          return { status: r.status, seq: r.seq };
        }
        if (!r.reason) return reply.code(400).send({ status: 'rejected', errors: r.errors });
        reason = r.reason;
      }
      const r = await deviceStatus(report, reason!);
      if (report.sos) await raiseSos(report, false);
      if (r.status === 'rejected') return reply.code(400).send({ status: 'rejected', errors: r.errors });
      return { status: r.status, seq: r.seq, unplaced: reason!, message: UNPLACED[reason!] };
    } catch (e) {
      return unavailable(reply, e);
    }
  };
  const osmandResponses = {
    200: OsmandAccepted,
    // A position refused on its fields, or a body that could not be parsed.
    400: Type.Union([OsmandRejected, ApiErrorRef]),
    ...errorResponses(401, 403, 503),
  };
  // The token may also be the last path segment, for clients that replace the query and send no header (Traccar
  // Client iOS): /api/v1/positions/osmand/<token>. Log lines show it as [Redacted] (auth/redact.ts).
  const TokenPath = Type.Object({ token: Type.String({ description: "the feed device's token" }) });
  for (const url of ['/api/v1/positions/osmand', '/api/v1/positions/osmand/:token']) {
    const inPath = url.endsWith(':token');
    const params = inPath ? { params: TokenPath } : {};
    const how = inPath ? ' (the token as the last path segment)' : '';
    app.get(
      url,
      {
        preHandler: tokenParamOrHeader,
        schema: {
          ...ingest(`Post a ranger position (OsmAnd / Traccar)${how}`, OSMAND_DESCRIPTION),
          ...params,
          response: osmandResponses,
        },
      },
      async (request, reply) => osmand(withoutToken(request.query), reply, request.principal ?? null),
    );
    app.post(
      url,
      {
        preHandler: tokenParamOrHeader,
        schema: {
          ...ingest(`Post a ranger position (OsmAnd / Traccar), as a form or JSON${how}`, OSMAND_DESCRIPTION),
          ...params,
          response: { ...osmandResponses, ...errorResponses(413, 415) },
        },
      },
      async (request, reply) =>
        osmand({ ...withoutToken(request.query), ...withoutToken(request.body) }, reply, request.principal ?? null),
    );
  }
};

/** A string parameter of a parsed query or body, if it is there. */
function paramOf(source: unknown, name: string): string | undefined {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return undefined;
  const v = (source as Record<string, unknown>)[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The fields without the device token, so that it never reaches the mapper, the event or an error message. */
function withoutToken(source: unknown): Record<string, unknown> {
  if (source === null || typeof source !== 'object' || Array.isArray(source)) return {};
  const { [DEVICE_TOKEN_PARAM]: _token, ...rest } = source as Record<string, unknown>;
  return rest;
}
