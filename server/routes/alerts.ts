// Alert routes: the inbox of the asker's scope, one alert, and what people do with alerts (acknowledge, note,
// whistle, resolve). Each action is one alert event appended through the bus, so it is in the log (the audit
// trail) before the answer; the answer is the alert as folded with it (200), never a guess.
// Scope: an alert is visible and actionable only when its area lies in the asker's scope; outside it, the
// alert does not exist for them (404, so its existence is not revealed).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AreaTree } from '../contract/areas';
import {
  AcknowledgeRequest,
  Alert,
  AlertList,
  NoteRequest,
  ResolveRequest,
  WhistleRequest,
  type AlertEvent,
} from '../contract/alerts';
import { actorOf, inScope, type Principal } from '../contract/auth';
import { errorResponses, type ApiError } from '../contract/errors';
import { isoLocal } from '../contract/time';
import { principalOf, requireAbility } from '../auth/guard';
import type { EventBus } from '../bus/types';
import type { AlertBook } from '../rules/alerts';
import { doc, SESSION, SESSION_OR_DEVICE } from '../openapi/spec';

export interface AlertRouteOptions {
  book: AlertBook;
  bus: EventBus;
  tree: AreaTree;
  now: () => number;
}

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const StatusQuery = Type.Object(
  {
    status: Type.Optional(
      Type.Union([
        Type.Literal('open'),
        Type.Literal('acknowledged'),
        Type.Literal('resolved'),
        Type.Literal('active'),
      ]),
    ),
  },
  { additionalProperties: false },
);

const notFound = (id: string): ApiError => ({
  statusCode: 404,
  error: 'Not Found',
  code: 'not_found',
  message: `no alert '${id}' in your area`,
});
const conflict = (message: string): ApiError => ({
  statusCode: 409,
  error: 'Conflict',
  code: 'alert_resolved',
  message,
});

/** What a person does, before the route adds who, when and which alert. */
type PersonEvent = Extract<
  AlertEvent,
  { kind: 'alert.acknowledged' | 'alert.noted' | 'alert.whistled' | 'alert.resolved' }
>;
type Action = PersonEvent extends infer E
  ? E extends PersonEvent
    ? Omit<E, 'id' | 'time' | 'source' | 'alertId' | 'by'>
    : never
  : never;

export const alertRoutes: FastifyPluginAsyncTypebox<AlertRouteOptions> = async (app, { book, bus, tree, now }) => {
  const visible = (p: Principal, id: string): Alert | undefined => {
    const a = book.get(id);
    return a && inScope(tree, p.scope, a.area) ? a : undefined;
  };

  /** Appends one console event for the alert and answers the alert as folded with it. */
  async function act(p: Principal, alert: Alert, action: Action, id: string = randomUUID()): Promise<Alert> {
    const event = {
      ...action,
      id,
      time: isoLocal(now()),
      source: 'console',
      alertId: alert.id,
      by: actorOf(p),
    } as AlertEvent;
    await bus.append([{ event, receivedAt: new Date(now()).toISOString() }]);
    // The bus publishes before append resolves, so the book has folded it (or it was a duplicate).
    return book.get(alert.id) ?? alert;
  }

  const responses = { 200: Alert, ...errorResponses(400, 401, 403, 404, 409) };
  /** Acting on an alert is a person's deed, written into its audit trail with their name: sessions only. */
  const action = (summary: string, description: string) => doc('alerts', summary, SESSION, description);

  app.get(
    '/api/v1/alerts',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc('alerts', 'The alert inbox of your scope', SESSION_OR_DEVICE, '`status=active`: open or acknowledged.'),
        querystring: StatusQuery,
        response: { 200: AlertList, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const p = principalOf(request);
      return { seq: book.seq, items: book.list(tree, p.scope, request.query.status) };
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'alerts',
          'One alert, with its actions',
          SESSION_OR_DEVICE,
          'Outside your scope an alert does not exist: 404.',
        ),
        params: Params,
        response: { 200: Alert, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const a = visible(principalOf(request), request.params.id);
      return a ?? reply.code(404).send(notFound(request.params.id));
    },
  );

  app.post(
    '/api/v1/alerts/:id/acknowledge',
    {
      preHandler: requireAbility('alert.act'),
      schema: {
        ...action(
          'Acknowledge an alert',
          'Officers and admins. The first acknowledgement stands; a resolved alert is a 409.',
        ),
        params: Params,
        body: Type.Optional(AcknowledgeRequest),
        response: responses,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const a = visible(p, request.params.id);
      if (!a) return reply.code(404).send(notFound(request.params.id));
      if (a.status === 'resolved') return reply.code(409).send(conflict('the alert is resolved; add a note instead'));
      // Acknowledged already: the first acknowledgement stands, a second one is not an event.
      if (a.status === 'acknowledged') return a;
      const note = request.body?.note;
      return act(
        p,
        a,
        { kind: 'alert.acknowledged', ...(note !== undefined ? { note } : {}) },
        `${a.id}:acknowledged`.slice(0, 128),
      );
    },
  );

  app.post(
    '/api/v1/alerts/:id/notes',
    {
      preHandler: requireAbility('alert.comment'),
      schema: {
        ...action('Add a note to an alert', 'Officers, leaders and admins; also on a resolved alert.'),
        params: Params,
        body: NoteRequest,
        response: responses,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const a = visible(p, request.params.id);
      if (!a) return reply.code(404).send(notFound(request.params.id));
      return act(p, a, { kind: 'alert.noted', note: request.body.note });
    },
  );

  app.post(
    '/api/v1/alerts/:id/whistle',
    {
      preHandler: requireAbility('alert.act'),
      schema: {
        ...action('Call departments to an alert (吹哨)', 'Officers and admins; a resolved alert is a 409.'),
        params: Params,
        body: WhistleRequest,
        response: responses,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const a = visible(p, request.params.id);
      if (!a) return reply.code(404).send(notFound(request.params.id));
      if (a.status === 'resolved') return reply.code(409).send(conflict('the alert is resolved'));
      const { departments, note } = request.body;
      return act(p, a, { kind: 'alert.whistled', departments, ...(note !== undefined ? { note } : {}) });
    },
  );

  app.post(
    '/api/v1/alerts/:id/resolve',
    {
      preHandler: requireAbility('alert.act'),
      schema: {
        ...action('Resolve an alert', 'Officers and admins. Resolving a resolved alert answers it as it is.'),
        params: Params,
        body: Type.Optional(ResolveRequest),
        response: responses,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const a = visible(p, request.params.id);
      if (!a) return reply.code(404).send(notFound(request.params.id));
      if (a.status === 'resolved') return a;
      const note = request.body?.note;
      return act(
        p,
        a,
        { kind: 'alert.resolved', ...(note !== undefined ? { note } : {}) },
        `${a.id}:resolved`.slice(0, 128),
      );
    },
  );
};
