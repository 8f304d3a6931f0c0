// GET /api/v1/events?after=SEQ&limit=N: the ordered log itself, for audits, resync tools and tests that
// check that every acknowledged event is there.
// The raw log holds every town's events and cannot be filtered by area cheaply (alert and ticket events name
// areas in different fields), so it is for the district as a whole: admins, and duty officers whose scope is
// the district. Everyone else reads the live state through the scoped routes (docs/SECURITY.md).
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Principal } from '../contract/auth';
import { errorResponses } from '../contract/errors';
import { Place, Timestamp } from '../contract/events';
import { doc, SESSION } from '../openapi/spec';
import { forbidden, unauthenticated } from '../auth/guard';
import type { EventStore } from '../store/types';

export interface LogRouteOptions {
  store: EventStore;
  /** The district key (the tree's root): the one scope that may read the whole log. */
  root: string;
}

/** A page of the log. The events are as stored: every kind of docs/INGEST.md, and the alerts' own events. */
const LogPage = Type.Object({
  lastSeq: Type.Integer({ minimum: 0 }),
  events: Type.Array(
    Type.Object({
      seq: Type.Integer({ minimum: 1 }),
      receivedAt: Timestamp,
      event: Type.Unknown({ description: 'the event as accepted (WGS84), or an alert event' }),
      place: Type.Optional(Place),
    }),
  ),
});

/** Who may read the whole log: admins, and officers whose scope is the whole district. */
export const mayReadLog = (p: Principal, root: string): boolean =>
  p.role === 'admin' || (p.role === 'officer' && p.scope === root);

export const logRoutes: FastifyPluginAsync<LogRouteOptions> = async (app, { store, root }) => {
  async function districtOnly(request: FastifyRequest, reply: FastifyReply) {
    const p = request.principal;
    if (!p) return reply.code(401).send(unauthenticated());
    if (!mayReadLog(p, root)) {
      return reply
        .code(403)
        .send(forbidden('the raw event log covers every town: admins and district duty officers only'));
    }
  }

  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/api/v1/events',
    {
      preHandler: districtOnly,
      schema: {
        ...doc(
          'log',
          'The ordered event log after a sequence number',
          SESSION,
          'Admins and district-scope duty officers only: it holds every town’s events. At most 10,000 a page.',
        ),
        querystring: {
          type: 'object',
          properties: {
            after: { type: 'string', pattern: '^[0-9]+$' },
            limit: { type: 'string', pattern: '^[0-9]+$' },
          },
          additionalProperties: false,
        },
        response: { 200: LogPage, ...errorResponses(400, 401, 403) },
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
