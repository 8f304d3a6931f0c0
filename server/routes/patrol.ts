// Patrol coverage read route: today's visited sub-cells of a town's forest clusters (or of one cluster), for
// the map's coverage overlay. Thin: the live state answers, the route checks the area and shapes the error.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { areaKey } from '../contract/areas';
import { errorResponses } from '../contract/errors';
import { PatrolVisited } from '../contract/patrol';
import type { AreaTree } from '../contract/areas';
import type { LiveState } from '../live/types';
import { allowArea, requireAbility } from '../auth/guard';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface PatrolRouteOptions {
  live: LiveState;
  /** For the scope check: a town leader sees their own town's clusters only. */
  tree: AreaTree;
}

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });

export const patrolRoutes: FastifyPluginAsyncTypebox<PatrolRouteOptions> = async (app, { live, tree }) => {
  app.get(
    '/api/v1/patrol/visited',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'patrol',
          'Today’s visited sub-cells of a town’s forest clusters, or of one cluster',
          SESSION_OR_DEVICE,
          'Give exactly one of town or cluster (ids without the level prefix).',
        ),
        querystring: Type.Object(
          {
            town: Type.Optional(Id),
            cluster: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: { 200: PatrolVisited, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { town, cluster } = request.query;
      if ((town === undefined) === (cluster === undefined)) {
        return reply
          .code(400)
          .send({ statusCode: 400, error: 'Bad Request', message: 'give exactly one of town or cluster' });
      }
      const key = town !== undefined ? areaKey('town', town) : areaKey('forest', cluster!);
      const visited = live.patrolVisited(key);
      if (!visited)
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${key}'` });
      if (!allowArea(request, reply, tree, key)) return reply;
      // Sub-cells change as rangers walk: a client polls, so no cache may hold an old answer.
      reply.header('cache-control', 'no-store');
      return visited;
    },
  );
};
