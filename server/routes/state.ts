// Read routes over the live state: aggregates of an area and its children, and the ticket list.
// Both answer only inside the asker's scope: an area outside it is a 403 not_in_scope, and a request that names
// no area gets the asker's own scope (a town leader's ticket list is their town's, never the district's).
import type { FastifyPluginAsync } from 'fastify';
import Type from 'typebox';
import type { AreaTree } from '../contract/areas';
import { allowArea, principalOf, requireAbility } from '../auth/guard';
import { TICKET_CATEGORIES, TicketStatus, type TicketCategory } from '../contract/events';
import { errorResponses, type ApiError } from '../contract/errors';
import { AreaAggregate, AreaKeySchema, isAreaKey, TicketObject } from '../contract/live';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';
import type { LiveState, TicketQuery } from '../live/types';

export interface StateRouteOptions {
  live: LiveState;
  tree: AreaTree;
}

const STATUSES = ['open', ...TicketStatus.anyOf.map((b) => b.const)] as const;

const Aggregates = Type.Object({
  /** The log position the figures include. */
  seq: Type.Integer({ minimum: 0 }),
  scope: AreaKeySchema,
  /** The area's own aggregate first, then its children's. */
  aggregates: Type.Array(AreaAggregate),
});
const TicketPage = Type.Object({
  seq: Type.Integer({ minimum: 0 }),
  total: Type.Integer({ minimum: 0 }),
  offset: Type.Integer({ minimum: 0 }),
  limit: Type.Integer({ minimum: 0 }),
  items: Type.Array(TicketObject),
});

export const stateRoutes: FastifyPluginAsync<StateRouteOptions> = async (app, { live, tree }) => {
  const bad = (message: string): ApiError => ({ statusCode: 400, error: 'Bad Request', message });

  app.get<{ Querystring: { scope?: string } }>(
    '/api/v1/aggregates',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'live',
          'Aggregates of an area and of its children (KPIs, flood, patrol)',
          SESSION_OR_DEVICE,
          'Default scope: your own. An area outside it is a 403 not_in_scope.',
        ),
        querystring: {
          type: 'object',
          properties: { scope: { type: 'string', description: 'Area key, e.g. district:110112 or town:110112004' } },
          additionalProperties: false,
        },
        response: { 200: Aggregates, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const scope = request.query.scope ?? principalOf(request).scope;
      if (!isAreaKey(scope) || !tree.nodes[scope])
        return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `unknown area '${scope}'` });
      if (!allowArea(request, reply, tree, scope)) return reply;
      const keys = [scope, ...(tree.children[scope] ?? [])];
      return {
        seq: live.seq,
        scope,
        aggregates: keys.map((k) => live.aggregate(k as never)).filter((a) => a !== undefined),
      };
    },
  );

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/v1/tickets',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'live',
          'Open and recent tickets of an area, a page at a time',
          SESSION_OR_DEVICE,
          'Default area: your scope. Filters: status (open = any not closed), category, overdue; at most 1000 a page.',
        ),
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
        response: { 200: TicketPage, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const q = request.query;
      // The area decides what the list can contain, so it is always set: the asker's scope when not given.
      const area = q.area ?? principalOf(request).scope;
      if (!isAreaKey(area) || !tree.nodes[area]) return reply.code(400).send(bad(`area: unknown area '${area}'`));
      if (!allowArea(request, reply, tree, area)) return reply;
      const query: TicketQuery = { area };
      if (q.status !== undefined) {
        if (!(STATUSES as readonly string[]).includes(q.status))
          return reply.code(400).send(bad(`status: must be one of ${STATUSES.join(', ')}`));
        query.status = q.status as TicketQuery['status'];
      }
      if (q.category !== undefined) {
        if (!(TICKET_CATEGORIES as readonly string[]).includes(q.category))
          return reply.code(400).send(bad(`category: must be one of ${TICKET_CATEGORIES.join(', ')}`));
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
