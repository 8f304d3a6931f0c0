// Patrol coverage read route: today's visited sub-cells of a town's forest clusters (or of one cluster), for
// the map's coverage overlay. Thin: the live state answers, the route checks the area and shapes the error.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { areaKey } from '../contract/areas';
import { PatrolVisited } from '../contract/patrol';
import type { LiveState } from '../live/types';

export interface PatrolRouteOptions {
  live: LiveState;
}

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const ErrorResponse = Type.Object({ statusCode: Type.Integer(), error: Type.String(), message: Type.String() });

export const patrolRoutes: FastifyPluginAsyncTypebox<PatrolRouteOptions> = async (app, { live }) => {
  app.get(
    '/api/v1/patrol/visited',
    {
      schema: {
        querystring: Type.Object(
          {
            town: Type.Optional(Id),
            cluster: Type.Optional(Id),
          },
          { additionalProperties: false },
        ),
        response: { 200: PatrolVisited, 400: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { town, cluster } = request.query;
      if ((town === undefined) === (cluster === undefined)) {
        return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'give exactly one of town or cluster' });
      }
      const key = town !== undefined ? areaKey('town', town) : areaKey('forest', cluster!);
      const visited = live.patrolVisited(key);
      if (!visited) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${key}'` });
      // Sub-cells change as rangers walk: a client polls, so no cache may hold an old answer.
      reply.header('cache-control', 'no-store');
      return visited;
    },
  );
};
