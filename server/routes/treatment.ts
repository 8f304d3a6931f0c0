// GET /api/v1/treatment: the 治理类 towns (TREATED_TOWNS) inside the caller's scope, each with its 三升四降 pair
// (reports/treatment.ts): the desk's ranking marks them. A town-scoped principal sees its own town when it is
// listed, nothing of another. The pairs are read from the area trends' day counters, which the app's host folds.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AreaKey, AreaTree } from '../contract/areas';
import { inScope } from '../contract/auth';
import { errorResponses } from '../contract/errors';
import { DEFAULT_MIN_RATE_SAMPLE } from '../contract/live';
import { isoLocal } from '../contract/time';
import { TreatmentList } from '../contract/treatment';
import { principalOf, requireAbility } from '../auth/guard';
import { treatedTowns, type Concepts, type DayCounters } from '../reports/treatment';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';

export interface TreatmentRouteOptions {
  tree: AreaTree;
  concepts: Concepts;
  /** The area trends the app's host folds (advance moves their clock to the request's). */
  counters: DayCounters & { advance(nowMs: number): void };
  now: () => number;
}

export const treatmentRoutes: FastifyPluginAsyncTypebox<TreatmentRouteOptions> = async (
  app,
  { tree, concepts, counters, now },
) => {
  // In the tree's order, as the ranking and the area list show towns, whatever the order of the setting.
  const listed = (tree.children[tree.root] ?? []).filter((k): k is AreaKey => concepts.treatedTowns.has(k as AreaKey));
  app.get(
    '/api/v1/treatment',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'live',
          'The towns under treatment (治理类) in your scope, with this month against the previous one (三升四降)',
          SESSION_OR_DEVICE,
          'Rates are compared only when both months rest on at least minSample tickets; volume is tickets per whole day.',
        ),
        response: { 200: TreatmentList, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => {
      const scope = principalOf(request).scope;
      const t = now();
      counters.advance(t);
      const towns = listed.filter((k) => inScope(tree, scope, k));
      // The pair changes with every ticket and with the day.
      void reply.header('cache-control', 'no-store');
      return {
        at: isoLocal(t),
        minSample: DEFAULT_MIN_RATE_SAMPLE,
        towns: treatedTowns(concepts, counters, tree, towns, t, DEFAULT_MIN_RATE_SAMPLE),
      };
    },
  );
};
