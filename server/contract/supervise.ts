// 督办 as the dashboard does it: which tickets an officer may put under supervision, and what the request carries.
// Shared by the route (server/routes/tickets.ts) and the ticket detail's button. No Node imports here.
import Type, { type Static } from 'typebox';
import type { AreaKey } from './areas';
import type { SupervisionLevel } from './events';
import type { TicketObject } from './live';

export const SuperviseRequest = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
  { additionalProperties: false },
);
export type SuperviseRequest = Static<typeof SuperviseRequest>;

/**
 * 督办 is for a case that is late or about to be: an open ticket past its resolve deadline or near it
 * (NEAR_DEADLINE_FRACTION of its window gone). Earlier, the handler still has time and nobody needs to chase.
 */
export const supervisable = (t: Pick<TicketObject, 'status' | 'overdue' | 'nearDeadline'>): boolean =>
  t.status !== 'closed' && (t.overdue || t.nearDeadline);

/** The level a supervision from this scope carries: the district's command center or the town's. */
export const supervisionLevelOf = (scope: AreaKey): SupervisionLevel =>
  scope.startsWith('district:') ? 'district' : 'town';
