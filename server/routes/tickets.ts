// One ticket, and 督办 (supervision) of it. Supervision is an event appended through the bus (ticket.supervised,
// source 'console', who and at which level), so it is in the log before the answer; the answer is the ticket as
// folded with it. Scope: a ticket is visible and can be supervised only when it lies in the asker's scope;
// outside it, it does not exist for them (404, as an alert: its existence is not revealed).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AreaKey, AreaTree } from '../contract/areas';
import { inScope, type Principal } from '../contract/auth';
import { errorResponses, type ApiError } from '../contract/errors';
import type { OpsEvent } from '../contract/events';
import { TicketObject } from '../contract/live';
import { SuperviseRequest, supervisable, supervisionLevelOf } from '../contract/supervise';
import { isoLocal } from '../contract/time';
import { principalOf, requireAbility } from '../auth/guard';
import type { EventBus } from '../bus/types';
import type { LiveState } from '../live/types';
import { doc, SESSION, SESSION_OR_DEVICE } from '../openapi/spec';

export interface TicketRouteOptions {
  live: Pick<LiveState, 'ticket' | 'tickets'>;
  bus: Pick<EventBus, 'append'>;
  tree: AreaTree;
  now: () => number;
}

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });

const notFound = (id: string, what: string): ApiError => ({
  statusCode: 404,
  error: 'Not Found',
  code: 'not_found',
  message: `no ${what} '${id}' in your area`,
});

/** The area a ticket counts in for scope: its town, or the district for one outside every town. */
const areaOf = (tree: AreaTree, t: TicketObject): string =>
  t.place?.townId !== undefined ? `town:${t.place.townId}` : tree.root;

export const ticketRoutes: FastifyPluginAsyncTypebox<TicketRouteOptions> = async (app, { live, bus, tree, now }) => {
  const inArea = (p: Principal, t: TicketObject | undefined): TicketObject | undefined =>
    t && inScope(tree, p.scope, areaOf(tree, t)) ? t : undefined;

  app.get(
    '/api/v1/tickets/:id',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'live',
          'One ticket, open or closed and still listed, with its supervision (督办) and follow-up (回访)',
          SESSION_OR_DEVICE,
          'Outside your scope a ticket does not exist: 404.',
        ),
        params: Params,
        response: { 200: TicketObject, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const t = inArea(principalOf(request), live.tickets({ id: request.params.id, limit: 1 }).items[0]);
      return t ?? reply.code(404).send(notFound(request.params.id, 'ticket'));
    },
  );

  app.post(
    '/api/v1/tickets/:id/supervise',
    {
      preHandler: requireAbility('ticket.supervise'),
      schema: {
        ...doc(
          'live',
          'Put an overdue or near-deadline ticket under supervision (督办)',
          SESSION,
          'Officers and admins, a person’s deed: sessions only. Each call is one supervision, at the level of your ' +
            'scope (district or town); a ticket that is neither overdue nor near its deadline is a 409.',
        ),
        params: Params,
        body: Type.Optional(SuperviseRequest),
        response: { 200: TicketObject, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const t = inArea(p, live.ticket(request.params.id));
      if (!t) return reply.code(404).send(notFound(request.params.id, 'open ticket'));
      if (!supervisable(t))
        return reply.code(409).send({
          statusCode: 409,
          error: 'Conflict',
          code: 'not_due',
          message: 'only an overdue or near-deadline ticket is put under supervision',
        } satisfies ApiError);
      const note = request.body?.note;
      const event: OpsEvent = {
        id: randomUUID(),
        kind: 'ticket.supervised',
        time: isoLocal(now()),
        source: 'console',
        ticketId: t.id,
        by: p.name,
        level: supervisionLevelOf(p.scope as AreaKey),
        ...(note !== undefined ? { note } : {}),
      };
      await bus.append([{ event, receivedAt: new Date(now()).toISOString() }]);
      // The bus publishes before append resolves, so the live state has folded it.
      return live.ticket(t.id) ?? t;
    },
  );
};
