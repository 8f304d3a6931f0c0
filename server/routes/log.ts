// GET /api/v1/events?after=SEQ&limit=N: the ordered log itself, for audits, resync tools and tests that
// check that every acknowledged event is there.
import type { FastifyPluginAsync } from 'fastify';
import type { EventStore } from '../store/types';

export const logRoutes: FastifyPluginAsync<{ store: EventStore }> = async (app, { store }) => {
  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/api/v1/events',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { after: { type: 'string', pattern: '^[0-9]+$' }, limit: { type: 'string', pattern: '^[0-9]+$' } },
          additionalProperties: false,
        },
      },
    },
    async (request) => {
      const after = Number(request.query.after ?? 0);
      const limit = Math.min(Math.max(Number(request.query.limit ?? 1000), 1), 10_000);
      const events = await store.read(after, limit);
      return { lastSeq: await store.lastSeq(), events };
    },
  );
};
