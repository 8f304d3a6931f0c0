// GET /api/v1/trend?area=<key>&hours=24: hourly tickets created and closed in an area, for the trend charts.
// It reads the hourly trend projection (live/trend.ts), folded by the app's projection host with everything else,
// so the answer after a restart is the same as before it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TicketCategory } from '../contract/events';
import type { AreaTree } from '../contract/areas';
import { errorResponses } from '../contract/errors';
import { AreaKeySchema, isAreaKey } from '../contract/live';
import { TREND_RETENTION_HOURS, type TicketTrend } from '../live/trend';
import { allowArea, principalOf, requireAbility } from '../auth/guard';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface TrendRouteOptions {
  tree: AreaTree;
  trend: TicketTrend;
  now: () => number;
}

const DEFAULT_HOURS = 24;

const Point = Type.Object({ at: Type.String(), created: Type.Integer(), closed: Type.Integer() });
const TrendResponse = Type.Object({
  seq: Type.Integer(),
  area: AreaKeySchema,
  hours: Type.Integer(),
  from: Type.String(),
  bucketMs: Type.Integer(),
  points: Type.Array(Point),
  byCategory: Type.Partial(Type.Record(TicketCategory, Type.Integer())),
  created: Type.Integer(),
  closed: Type.Integer(),
});

export const trendRoutes: FastifyPluginAsyncTypebox<TrendRouteOptions> = async (app, { tree, trend, now }) => {
  app.get(
    '/api/v1/trend',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'trends',
          'Tickets created and closed per hour in an area',
          SESSION_OR_DEVICE,
          'Default area: your scope; default: the last 24 hours.',
        ),
        querystring: Type.Object(
          {
            area: Type.Optional(
              Type.String({ maxLength: 80, description: "Area key, e.g. town:110112004; default: the asker's scope" }),
            ),
            hours: Type.Optional(Type.Integer({ minimum: 1, maximum: TREND_RETENTION_HOURS, default: DEFAULT_HOURS })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TrendResponse, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const area = request.query.area ?? principalOf(request).scope;
      const hours = request.query.hours ?? DEFAULT_HOURS;
      if (!isAreaKey(area) || !tree.nodes[area]) {
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${area}'` });
      }
      if (!allowArea(request, reply, tree, area)) return reply;
      const t = trend.trend(area, hours, now());
      if (!t) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${area}'` });
      return {
        seq: trend.seq,
        area: t.area,
        hours,
        from: new Date(t.from).toISOString(),
        bucketMs: t.bucketMs,
        points: t.points.map((p) => ({ at: new Date(p.at).toISOString(), created: p.created, closed: p.closed })),
        byCategory: t.byCategory,
        created: t.created,
        closed: t.closed,
      };
    },
  );
};
