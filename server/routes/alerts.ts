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
import { isoLocal } from '../live/time';
import { principalOf, requireAbility } from '../auth/guard';
import type { EventBus } from '../bus/types';
import type { AlertBook } from '../rules/alerts';

export interface AlertRouteOptions {
  book: AlertBook;
  bus: EventBus;
  tree: AreaTree;
  now: () => number;
}

const ErrorBody = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  code: Type.Optional(Type.String()),
});
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

const notFound = (id: string) => ({
  statusCode: 404,
  error: 'Not Found',
  code: 'not_found',
  message: `no alert '${id}' in your area`,
});
const conflict = (message: string) => ({ statusCode: 409, error: 'Conflict', code: 'alert_resolved', message });

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

  const responses = { 200: Alert, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

  app.get(
    '/api/v1/alerts',
    { preHandler: requireAbility('read'), schema: { querystring: StatusQuery, response: { 200: AlertList } } },
    async (request) => {
      const p = principalOf(request);
      return { seq: book.seq, items: book.list(tree, p.scope, request.query.status) };
    },
  );

  app.get(
    '/api/v1/alerts/:id',
    { preHandler: requireAbility('read'), schema: { params: Params, response: { 200: Alert, 404: ErrorBody } } },
    async (request, reply) => {
      const a = visible(principalOf(request), request.params.id);
      return a ?? reply.code(404).send(notFound(request.params.id));
    },
  );

  app.post(
    '/api/v1/alerts/:id/acknowledge',
    {
      preHandler: requireAbility('alert.act'),
      schema: { params: Params, body: Type.Optional(AcknowledgeRequest), response: responses },
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
    { preHandler: requireAbility('alert.comment'), schema: { params: Params, body: NoteRequest, response: responses } },
    async (request, reply) => {
      const p = principalOf(request);
      const a = visible(p, request.params.id);
      if (!a) return reply.code(404).send(notFound(request.params.id));
      return act(p, a, { kind: 'alert.noted', note: request.body.note });
    },
  );

  app.post(
    '/api/v1/alerts/:id/whistle',
    { preHandler: requireAbility('alert.act'), schema: { params: Params, body: WhistleRequest, response: responses } },
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
      schema: { params: Params, body: Type.Optional(ResolveRequest), response: responses },
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
