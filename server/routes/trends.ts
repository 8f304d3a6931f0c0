// GET /api/v1/trends?area=<key>&from=&to=: an area's trends over days and weeks (contract/trends.ts), for the
// detail panel. It reads the area trends (live/area-trends.ts), the projection that listens to the app's live
// state as the projection host folds it, so the answer after a restart is the same as before it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AreaTree } from '../contract/areas';
import { errorResponses } from '../contract/errors';
import { isAreaKey } from '../contract/live';
import { AreaTrends, FLOOD_DEFAULT_RANGE_MS, FLOOD_RETENTION_DAYS, TrendsQuery } from '../contract/trends';
import type { AreaTrendsFold } from '../live/area-trends';
import { DAY_MS } from '../contract/time';
import { allowArea, principalOf, requireAbility } from '../auth/guard';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface TrendsRouteOptions {
  tree: AreaTree;
  now: () => number;
  /** The projection the app's host drives, over its live state. */
  fold: AreaTrendsFold;
}

export const trendsRoutes: FastifyPluginAsyncTypebox<TrendsRouteOptions> = async (app, { tree, now, fold }) => {
  app.get(
    '/api/v1/trends',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'trends',
          'An area’s trends over days and weeks (tickets, response times, flood levels)',
          SESSION_OR_DEVICE,
          'Default area: your scope; default range: the last days the flood levels are kept for.',
        ),
        querystring: TrendsQuery,
        response: { 200: AreaTrends, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const area = request.query.area ?? principalOf(request).scope;
      // Which areas exist is no secret (every reader gets the area tree), so an unknown key is a plain 404.
      if (!isAreaKey(area) || !tree.nodes[area]) {
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', code: 'unknown_area', message: `unknown area '${area}'` });
      }
      if (!allowArea(request, reply, tree, area)) return reply;
      const t = now();
      const to = request.query.to !== undefined ? Date.parse(request.query.to) : t;
      const from =
        request.query.from !== undefined
          ? Date.parse(request.query.from)
          : to - (request.query.hours !== undefined ? request.query.hours * 3600_000 : FLOOD_DEFAULT_RANGE_MS);
      if (Number.isNaN(from) || Number.isNaN(to) || !(from < to)) {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          code: 'bad_range',
          message: 'from and to: real times, from before to',
        });
      }
      if (to - from > FLOOD_RETENTION_DAYS * DAY_MS) {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          code: 'bad_range',
          message: `from and to: at most ${FLOOD_RETENTION_DAYS} days apart (flood levels are kept that long)`,
        });
      }
      fold.advance(t);
      const body = fold.trends(area, t, { from, to });
      if (!body)
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', code: 'unknown_area', message: `unknown area '${area}'` });
      // The answer changes with every event and with the clock (a deadline passing settles a response).
      void reply.header('cache-control', 'no-store');
      return body;
    },
  );
};
