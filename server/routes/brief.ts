// GET /api/v1/brief?area=<district or town key>&date=YYYY-MM-DD: the daily brief (server/reports/brief.ts), for
// the printed page. Default area: the asker's scope; default date: yesterday in Asia/Shanghai by the app's
// clock. A town principal gets only their own town (403 not_in_scope); the district's brief needs a district
// scope. The plugin owns the morning schedule (reports/brief-schedule.ts); `x-brief-source` says whether the
// answer was made by it or for this request, `generatedAt` when. A brief is built from the day-end facts when
// they hold its week (reports/brief-facts.ts), else replayed from the log (reports/brief.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { AreaKey } from '../contract/areas';
import { Brief } from '../contract/brief';
import { errorResponses } from '../contract/errors';
import { allowArea, principalOf, requireAbility } from '../auth/guard';
import type { Geo } from '../geo/load';
import { computeBriefs, dayOfDate, type BriefKeyframes, type BriefLog } from '../reports/brief';
import type { BriefFacts } from '../reports/brief-facts';
import { createBriefSchedule } from '../reports/brief-schedule';
import type { LiveOptions } from '../live/options';
import { localDay } from '../contract/time';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface BriefRouteOptions {
  geo: Geo;
  store: BriefLog;
  now: () => number;
  /** The live state's options, so the brief's KPIs are computed exactly as the dashboard's. */
  live: Partial<LiveOptions>;
  /** BRIEF_HOUR: local hour from which yesterday's briefs are ready. */
  hour: number;
  /** False while the log is still being filled (the simulator's backfill). */
  ready?: () => boolean;
  /** The projection host's keyframes: a brief starts from the newest one before its first day. */
  keyframes?: BriefKeyframes;
  /** The day-end facts on the app's fold: a brief whose week they hold is built from them, folding nothing. */
  facts?: Pick<BriefFacts, 'briefs'>;
}

/** How often the schedule looks at the clock; a comparison of two numbers, so often enough for a pinned test clock. */
const TICK_MS = 1000;

export const briefRoutes: FastifyPluginAsyncTypebox<BriefRouteOptions> = async (
  app,
  { geo, store, now, live, hour, ready, keyframes, facts },
) => {
  const tree = geo.tree;
  const schedule = createBriefSchedule({
    compute: (day, at, source) => computeBriefs(geo, live, store, day, at, source, keyframes, facts),
    now,
    hour,
    ...(ready ? { ready } : {}),
    onError: (error) =>
      app.log.warn({ err: error }, 'the morning brief could not be computed; trying again at the next tick'),
  });
  const timer = setInterval(() => void schedule.tick(), TICK_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  app.get(
    '/api/v1/brief',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'brief',
          'The daily brief of the district or a town, for a past day',
          SESSION_OR_DEVICE,
          'Made each morning at BRIEF_HOUR for yesterday (header x-brief-source says by whom). A town principal ' +
            'gets their own town only; the district’s brief needs a district scope.',
        ),
        querystring: Type.Object(
          {
            area: Type.Optional(
              Type.String({ maxLength: 80, description: 'district or town key; default: your scope' }),
            ),
            date: Type.Optional(
              Type.String({ maxLength: 10, description: 'local day YYYY-MM-DD (Asia/Shanghai); default: yesterday' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Brief, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const area = request.query.area ?? principalOf(request).scope;
      const node = tree.nodes[area];
      // The area tree is no secret to a reader, so an unknown key is a plain 404 before the scope check.
      if (!node)
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', code: 'unknown_area', message: `unknown area '${area}'` });
      if (node.level !== 'district' && node.level !== 'town') {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          code: 'not_briefed',
          message: `area: a brief is made for the district or a town, not for '${area}'`,
        });
      }
      if (!allowArea(request, reply, tree, area)) return reply;
      const today = localDay(now());
      const day = request.query.date === undefined ? today - 1 : dayOfDate(request.query.date);
      if (day === undefined) {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          code: 'bad_date',
          message: `date: expected a calendar day YYYY-MM-DD, e.g. 2026-07-20`,
        });
      }
      if (day >= today) {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          code: 'day_not_over',
          message: `date: ${request.query.date} is not over yet in Asia/Shanghai; a brief covers a past day`,
        });
      }
      const brief = await schedule.get(day, area as AreaKey);
      if (!brief)
        return reply
          .code(404)
          .send({ statusCode: 404, error: 'Not Found', code: 'unknown_area', message: `unknown area '${area}'` });
      return reply.header('x-brief-source', brief.source).header('cache-control', 'private, no-cache').send(brief);
    },
  );
};
