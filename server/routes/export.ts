// Downloads: tickets (filtered as the table filters them) as CSV and GeoJSON, and area figures for a time
// window as CSV. Scoped like the reads they mirror: a request naming no area gets the asker's scope, one
// outside it a 403 not_in_scope (docs/SECURITY.md). Bodies are streams: rows are written while the live
// state is paged or the log is scanned, never gathered first (reports/csv.ts).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AreaKey } from '../contract/areas';
import type { KpiWeights, UrgencyDeadlines } from '../contract/config-defaults';
import { errorResponses, type ApiError } from '../contract/errors';
import { DEFAULT_RATE_WINDOW, isAreaKey, RATE_WINDOWS } from '../contract/live';
import type { Geo } from '../geo/load';
import type { LiveState } from '../live/types';
import type { EventStore } from '../store/types';
import { allowArea, principalOf, requireAbility } from '../auth/guard';
import { contentDisposition, csvRow, streamOf, UTF8_BOM, type Write } from '../reports/csv';
import { csvSink, featureSink, liveTickets, TICKET_CSV_COLUMNS, windowTickets } from '../reports/export-tickets';
import { windowAggregates, writeAggregatesCsv, type WindowKeyframes } from '../reports/export-aggregates';
import {
  localDate,
  parseExportWindow,
  parseTicketQuery,
  rateWindowRange,
  type TimeWindow,
} from '../reports/ticket-filter';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface ExportRouteOptions {
  geo: Geo;
  live: Pick<LiveState, 'tickets'>;
  store: Pick<EventStore, 'scan'>;
  now: () => number;
  kpiWeights: KpiWeights;
  deadlines: UrgencyDeadlines;
  nearDeadlineFraction: number;
  /** The projection host's keyframes: a window's aggregates start from the newest one before the window. */
  keyframes?: WindowKeyframes;
}

type Query = Record<string, string | undefined>;

const TICKET_QUERY = {
  type: 'object',
  properties: {
    area: { type: 'string', maxLength: 80 },
    status: { type: 'string', maxLength: 32 },
    category: { type: 'string', maxLength: 32 },
    overdue: { type: 'string', enum: ['true', 'false'] },
    from: { type: 'string', maxLength: 40, description: 'ISO time with offset, or a date (local midnight)' },
    to: { type: 'string', maxLength: 40 },
    window: {
      type: 'string',
      enum: RATE_WINDOWS,
      description:
        'A rate window ending today, instead of from/to: today, month (from the 1st), year (from 1 January), ' +
        'rolling30d (the last 30 local days, today included); local midnight, Asia/Shanghai',
    },
  },
  additionalProperties: false,
} as const;

const AGGREGATE_QUERY = {
  type: 'object',
  properties: {
    area: { type: 'string', maxLength: 80 },
    from: { type: 'string', maxLength: 40 },
    to: { type: 'string', maxLength: 40 },
    window: TICKET_QUERY.properties.window,
  },
  additionalProperties: false,
} as const;

/** A download: the body is a file in one content type, named by Content-Disposition. */
const download = (contentType: string, description: string) => ({
  200: { description, content: { [contentType]: { schema: Type.String() } } },
  ...errorResponses(400, 401, 403),
});
const EXPORT_SCOPE =
  'Default area: your scope; `window` (today, month, year, rolling30d) or `from`/`to` (ISO time or a local date) ' +
  'export the tickets created in a window as they stood at its end; neither: the live list.';

export const exportRoutes: FastifyPluginAsync<ExportRouteOptions> = async (app, o) => {
  const tree = o.geo.tree;
  const bad = (message: string): ApiError => ({ statusCode: 400, error: 'Bad Request', message });
  const foldOptions = { tree, deadlines: o.deadlines, nearDeadlineFraction: o.nearDeadlineFraction };

  /** "张家湾镇-2025-07-20" or "张家湾镇-2025-07-20_2025-07-21" (the window's last day, `to` being exclusive). */
  const nameOf = (area: AreaKey, window: TimeWindow | undefined) => {
    const areaName = tree.nodes[area]?.name ?? area;
    const ascii = area.replace(':', '-');
    let day = localDate(o.now());
    if (window) {
      const first = Number.isFinite(window.fromMs) ? localDate(window.fromMs) : 'start';
      const last = Number.isFinite(window.toMs) ? localDate(window.toMs - 1) : localDate(o.now());
      day = first === last ? first : `${first}_${last}`;
    }
    return { name: `${areaName}-${day}`, ascii: `${ascii}-${day}` };
  };

  const send = (
    reply: FastifyReply,
    type: string,
    file: { name: string; ascii: string },
    produce: (write: Write) => Promise<void>,
  ) =>
    reply
      .type(type)
      .header('content-disposition', contentDisposition(file.name, file.ascii))
      // A download of live data is stale the moment it is made; no cache may hand it to someone else.
      .header('cache-control', 'private, no-store')
      .send(streamOf(produce, (error) => app.log.warn({ err: error }, 'export failed after its headers were sent')));

  const ticketExport =
    (format: 'csv' | 'geojson') => async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
      const parsed = parseTicketQuery(req.query, principalOf(req).scope, tree);
      if (!parsed.ok) return reply.code(400).send(bad(parsed.message));
      const query = parsed.value;
      if (!allowArea(req, reply, tree, query.area)) return reply;
      const clock = o.now();
      const window = parseExportWindow(req.query, clock);
      if (!window.ok) return reply.code(400).send(bad(window.message));
      const w = window.value;
      const run = (sink: Parameters<typeof liveTickets>[2]) =>
        w ? windowTickets(o.store, w, query, clock, foldOptions, sink) : liveTickets(o.live, query, sink);
      const base = nameOf(query.area, w);
      if (format === 'csv') {
        return send(
          reply,
          'text/csv; charset=utf-8',
          { name: `工单-${base.name}.csv`, ascii: `tickets-${base.ascii}.csv` },
          async (write) => {
            await write(UTF8_BOM + csvRow(TICKET_CSV_COLUMNS));
            await run(csvSink(write, tree));
          },
        );
      }
      return send(
        reply,
        'application/geo+json; charset=utf-8',
        { name: `工单-${base.name}.geojson`, ascii: `tickets-${base.ascii}.geojson` },
        async (write) => {
          await write('{"type":"FeatureCollection","features":[\n');
          await run(featureSink(write));
          await write('\n]}\n');
        },
      );
    };

  app.get<{ Querystring: Query }>(
    '/api/v1/export/tickets.csv',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc('export', 'Tickets as CSV (UTF-8 with BOM, for Excel)', SESSION_OR_DEVICE, EXPORT_SCOPE),
        querystring: TICKET_QUERY,
        response: download('text/csv', 'one row per ticket'),
      },
    },
    ticketExport('csv'),
  );
  app.get<{ Querystring: Query }>(
    '/api/v1/export/tickets.geojson',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc('export', 'Tickets as GeoJSON points (WGS84)', SESSION_OR_DEVICE, EXPORT_SCOPE),
        querystring: TICKET_QUERY,
        response: download('application/geo+json', 'a FeatureCollection, one Feature per ticket'),
      },
    },
    ticketExport('geojson'),
  );

  app.get<{ Querystring: Query }>(
    '/api/v1/export/aggregates.csv',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'export',
          'Figures of an area and its children over a time window, as CSV',
          SESSION_OR_DEVICE,
          'Default area: your scope. The window: `window` (today, month, year, rolling30d, as on every KPI ' +
            'surface; default month, the assessment’s) or `from`/`to`.',
        ),
        querystring: AGGREGATE_QUERY,
        response: download('text/csv', 'one row per area'),
      },
    },
    async (request, reply) => {
      const area = request.query.area ?? principalOf(request).scope;
      if (!isAreaKey(area) || !tree.nodes[area]) return reply.code(400).send(bad(`area: unknown area '${area}'`));
      if (!allowArea(request, reply, tree, area)) return reply;
      const clock = o.now();
      const parsed = parseExportWindow(request.query, clock);
      if (!parsed.ok) return reply.code(400).send(bad(parsed.message));
      const window = parsed.value ?? rateWindowRange(DEFAULT_RATE_WINDOW, clock);
      const keys = [area, ...((tree.children[area] ?? []) as AreaKey[])];
      const base = nameOf(area, window);
      return send(
        reply,
        'text/csv; charset=utf-8',
        { name: `区域指标-${base.name}.csv`, ascii: `aggregates-${base.ascii}.csv` },
        async (write) => {
          const rows = await windowAggregates(
            o.store,
            o.geo,
            keys,
            window,
            clock,
            {
              deadlines: o.deadlines,
              nearDeadlineFraction: o.nearDeadlineFraction,
              kpiWeights: o.kpiWeights,
            },
            o.keyframes,
          );
          await write(UTF8_BOM);
          await writeAggregatesCsv(write, rows, window);
        },
      );
    },
  );
};
