// GET /api/v1/landing?town=<town key>&rates=<window>: the town leader's landing (server/reports/landing.ts builds it).
// Who may ask: anyone with 'read', for a town inside their scope; a town-scoped principal gets their own town
// without naming it, a district-scoped one must name one. It reads the two-week projection (live/weekly.ts)
// that the app's projection host folds with everything else.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AreaKey } from '../contract/areas';
import { errorResponses } from '../contract/errors';
import { Landing } from '../contract/landing';
import { DEFAULT_RATE_WINDOW, RateWindow } from '../contract/live';
import { allowArea, principalOf, requireAbility } from '../auth/guard';
import type { Geo } from '../geo/load';
import { buildLanding, indexUnits, type LandingSources } from '../reports/landing';
import type { LiveState, PooledTickets } from '../live/types';
import type { WeeklyTickets } from '../live/weekly';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface LandingRouteOptions {
  geo: Geo;
  live: Pick<LiveState, 'seq' | 'aggregate' | 'tickets'> & PooledTickets;
  weekly: WeeklyTickets;
  now: () => number;
  /** 治理类 towns and configured 零诉求 starts, with the area trends' day counters they are read from. */
  concepts?: LandingSources['concepts'];
  /** 督办 counted per area (live/supervision.ts). */
  supervision?: LandingSources['supervision'];
}

/** How long a built landing is served again while the log has not moved. */
const CACHE_MS = 5_000;

export const landingRoutes: FastifyPluginAsyncTypebox<LandingRouteOptions> = async (
  app,
  { geo, live, weekly, now, concepts, supervision },
) => {
  const units = indexUnits(geo.layers.grid, geo.layers.villages);
  const tree = geo.tree;
  // A busy town's landing takes tens of ms to build (every overdue ticket is read to sort them); the leaders
  // and officers of one town share it while nothing new is folded, for a few seconds at most, because the clock
  // alone turns tickets overdue and moves "how late".
  const cache = new Map<string, { seq: number; at: number; body: Landing }>();

  app.get(
    '/api/v1/landing',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'landing',
          'A town leader’s landing: the town’s figures, its worst units and overdue tickets',
          SESSION_OR_DEVICE,
          'A town-scoped principal gets their own town without naming it; a district-scoped one names a town.',
        ),
        querystring: Type.Object(
          {
            town: Type.Optional(
              Type.String({ maxLength: 80, description: 'Town key, e.g. town:110112105; default: your own town' }),
            ),
            rates: Type.Optional(RateWindow),
          },
          { additionalProperties: false },
        ),
        response: { 200: Landing, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const scopeNode = tree.nodes[principal.scope];
      const town = request.query.town ?? (scopeNode?.level === 'town' ? principal.scope : undefined);
      if (town === undefined) {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          code: 'town_required',
          message: 'town: name a town (your scope is the whole district)',
        });
      }
      // Which towns exist is no secret (every reader gets the area tree), so an unknown key is a plain 404.
      if (tree.nodes[town]?.level !== 'town') {
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', code: 'unknown_town', message: `unknown town '${town}'` });
      }
      if (!allowArea(request, reply, tree, town)) return reply;
      const t = now();
      const window = request.query.rates ?? DEFAULT_RATE_WINDOW;
      const cacheKey = `${town}|${window}`;
      const cached = cache.get(cacheKey);
      const body =
        cached && cached.seq === live.seq && t - cached.at < CACHE_MS
          ? cached.body
          : buildLanding(
              { tree, units, live, weekly, ...(concepts ? { concepts } : {}), ...(supervision ? { supervision } : {}) },
              town as AreaKey,
              t,
              window,
            );
      if (body && body !== cached?.body) cache.set(cacheKey, { seq: live.seq, at: t, body });
      if (!body)
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', code: 'unknown_town', message: `unknown town '${town}'` });
      return body;
    },
  );
};
