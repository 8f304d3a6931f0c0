// GET /api/v1/search?q=&limit=: the search box. Places of the geography (an index built once at start) and the
// live objects of the asker's own scope (open tickets by id or title, rangers by id or tracker id). The scope is
// always the asker's: there is no area parameter, so a town leader can only ever find their own town.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses } from '../contract/errors';
import { SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT, SearchAnswer } from '../contract/search';
import type { LiveState } from '../live/types';
import type { SearchIndex } from '../live/search';
import { principalOf, requireAbility } from '../auth/guard';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface SearchRouteOptions {
  index: SearchIndex;
  live: Pick<LiveState, 'snapshot'>;
}

export const searchRoutes: FastifyPluginAsyncTypebox<SearchRouteOptions> = async (app, { index, live }) => {
  app.get(
    '/api/v1/search',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'live',
          'Search places, open tickets and rangers of your scope',
          SESSION_OR_DEVICE,
          'By ticket id or title; by the name of a town, community / village, grid cell, property district, forest ' +
            'cluster, checkpoint or patrol point (also by the pinyin initials of a Chinese name, e.g. lhzc for ' +
            '老槐庄村); by a ranger or tracker id. Only within your own scope. Best first: an exact id or name, ' +
            'then a prefix, then pinyin initials, then a part of the name.',
        ),
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 100, description: 'What was typed' }),
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: SEARCH_MAX_LIMIT, default: SEARCH_DEFAULT_LIMIT }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: SearchAnswer, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { q } = request.query;
      const scope = principalOf(request).scope;
      // The snapshot of the asker's scope holds only the objects they may see (the index checks again).
      const snapshot = live.snapshot(scope);
      const hits = index.search({
        q,
        scope,
        limit: request.query.limit ?? SEARCH_DEFAULT_LIMIT,
        live: { tickets: snapshot.tickets, rangers: snapshot.rangers },
      });
      // Answers change with every ticket: never from a cache.
      void reply.header('cache-control', 'no-store');
      return { q, hits };
    },
  );
};
