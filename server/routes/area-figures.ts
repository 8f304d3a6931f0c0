// GET /api/v1/area-figures?area=<key>: an area's figures the socket leaves out (reports/area-figures.ts builds them):
// 督办 counts, the 零诉求 streak with configured starts, a property district's monthly scores. Anyone with 'read',
// for an area in their scope (403 not_in_scope otherwise); the area's detail asks once a minute.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AreaTree } from '../contract/areas';
import { AreaFigures } from '../contract/area-figures';
import { errorResponses } from '../contract/errors';
import { isAreaKey } from '../contract/live';
import { allowArea, principalOf, requireAbility } from '../auth/guard';
import { buildAreaFigures, type AreaFigureSources } from '../reports/area-figures';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface AreaFigureRouteOptions {
  tree: AreaTree;
  sources: AreaFigureSources;
  now: () => number;
}

export const areaFigureRoutes: FastifyPluginAsyncTypebox<AreaFigureRouteOptions> = async (
  app,
  { tree, sources, now },
) => {
  app.get(
    '/api/v1/area-figures',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'live',
          'An area’s figures the socket leaves out: 督办 counts, the 零诉求 streak, monthly property scores',
          SESSION_OR_DEVICE,
          'Default area: your scope. An area outside it is a 403 not_in_scope. 督办: open tickets under supervision ' +
            'now and tickets supervised in each rate window (today, month, year, rolling30d); property districts ' +
            'also get their last 12 monthly scores (履约评价).',
        ),
        querystring: Type.Object(
          { area: Type.Optional(Type.String({ maxLength: 80, description: 'Area key, e.g. grid:110112004001' })) },
          { additionalProperties: false },
        ),
        response: { 200: AreaFigures, ...errorResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const area = request.query.area ?? principalOf(request).scope;
      if (!isAreaKey(area) || !tree.nodes[area])
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${area}'` });
      if (!allowArea(request, reply, tree, area)) return reply;
      const body = buildAreaFigures(sources, area, now());
      if (!body)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${area}'` });
      return body;
    },
  );
};
