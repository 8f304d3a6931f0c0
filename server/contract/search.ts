// The answer of GET /api/v1/search: places, tickets and rangers whose name or id fits what was typed, within the
// asker's scope. Shared with the client, which flies the map to `area` and picks `object` when one is chosen.
import Type, { type Static } from 'typebox';
import { LonLat } from './areas';
import { AreaKeySchema } from './live';

export const SearchKind = Type.Union([
  Type.Literal('ticket'),
  Type.Literal('ranger'),
  Type.Literal('town'),
  Type.Literal('village'),
  Type.Literal('grid'),
  Type.Literal('property'),
  Type.Literal('forest'),
  Type.Literal('checkpoint'),
  Type.Literal('patrolPoint'),
]);
export type SearchKind = Static<typeof SearchKind>;

export const SearchHit = Type.Object({
  kind: SearchKind,
  id: Type.String(),
  /** What the list shows: a place's name, a ticket's title, a ranger's id. */
  name: Type.String(),
  /** Where it is, in words: the town (and for a ticket its id), so that two 小屯村 can be told apart. */
  context: Type.String(),
  /** The area to open: the place itself, or the grid cell / forest cluster / town the object lies in. */
  area: AreaKeySchema,
  /** The map object to pick once the area is open (a ticket, a checkpoint, a ranger). */
  object: Type.Optional(
    Type.Object({
      kind: Type.Union([Type.Literal('ticket'), Type.Literal('checkpoint'), Type.Literal('ranger')]),
      id: Type.String(),
    }),
  ),
  position: LonLat,
});
export type SearchHit = Static<typeof SearchHit>;

export const SearchAnswer = Type.Object({
  q: Type.String(),
  hits: Type.Array(SearchHit),
});
export type SearchAnswer = Static<typeof SearchAnswer>;

export const SEARCH_MAX_LIMIT = 50;
export const SEARCH_DEFAULT_LIMIT = 10;
