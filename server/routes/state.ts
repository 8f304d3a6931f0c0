// Read routes over the live state: aggregates of an area and its children, and the ticket list.
import type { FastifyPluginAsync } from 'fastify';
import type { AreaTree } from '../contract/areas';
import { TICKET_CATEGORIES, TicketStatus, type TicketCategory } from '../contract/events';
import { isAreaKey } from '../contract/live';
import type { LiveState, TicketQuery } from '../live/types';

export interface StateRouteOptions {
  live: LiveState;
  tree: AreaTree;
}

const STATUSES = ['open', ...TicketStatus.anyOf.map((b) => b.const)] as const;

export const stateRoutes: FastifyPluginAsync<StateRouteOptions> = async (app, { live, tree }) => {
  const bad = (message: string) => ({ statusCode: 400, error: 'Bad Request', message });

  app.get<{ Querystring: { scope?: string } }>(
    '/api/v1/aggregates',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { scope: { type: 'string', description: 'Area key, e.g. district:110112 or town:110112004' } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const scope = request.query.scope ?? tree.root;
      if (!isAreaKey(scope) || !tree.nodes[scope]) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${scope}'` });
      const keys = [scope, ...(tree.children[scope] ?? [])];
      return { seq: live.seq, scope, aggregates: keys.map((k) => live.aggregate(k as never)).filter((a) => a !== undefined) };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/tickets',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            area: { type: 'string' },
            status: { type: 'string' },
            category: { type: 'string' },
            overdue: { type: 'string', enum: ['true', 'false'] },
            offset: { type: 'string', pattern: '^[0-9]+$' },
            limit: { type: 'string', pattern: '^[0-9]+$' },
          },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const query: TicketQuery = {};
      if (q.area !== undefined) {
        if (!isAreaKey(q.area) || !tree.nodes[q.area]) return reply.code(400).send(bad(`area: unknown area '${q.area}'`));
        query.area = q.area;
      }
      if (q.status !== undefined) {
        if (!(STATUSES as readonly string[]).includes(q.status)) return reply.code(400).send(bad(`status: must be one of ${STATUSES.join(', ')}`));
        query.status = q.status as TicketQuery['status'];
      }
      if (q.category !== undefined) {
        if (!(TICKET_CATEGORIES as readonly string[]).includes(q.category)) return reply.code(400).send(bad(`category: must be one of ${TICKET_CATEGORIES.join(', ')}`));
        query.category = q.category as TicketCategory;
      }
      if (q.overdue !== undefined) query.overdue = q.overdue === 'true';
      query.offset = Number(q.offset ?? 0);
      query.limit = Math.min(Number(q.limit ?? 100), 1000);
      const page = live.tickets(query);
      return { seq: live.seq, total: page.total, offset: query.offset, limit: query.limit, items: page.items };
    },
  );
};
