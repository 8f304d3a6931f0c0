// What the ingest routes answer (server/routes/ingest.ts): one result per item, in the order sent, so a producer
// retries only what was rejected. Flat objects rather than unions: a 10,000-event batch is answered through
// Fastify's serializer, which checks each branch of a union item by item. No Node imports here.
import Type, { type Static } from 'typebox';

/** One problem with one field: `path` is a JSON pointer into the item sent ('' is the item itself). */
export const FieldErrorSchema = Type.Object({ path: Type.String(), message: Type.String() });

const ItemStatus = Type.Unsafe<'accepted' | 'duplicate' | 'rejected'>(
  Type.String({ enum: ['accepted', 'duplicate', 'rejected'] }),
);

/** An event of a batch: stored under `seq`, already in the log under `seq` (duplicate), or rejected with reasons. */
export const IngestItemResult = Type.Object({
  status: ItemStatus,
  seq: Type.Optional(Type.Integer({ minimum: 1, description: 'accepted or duplicate: its place in the log' })),
  errors: Type.Optional(Type.Array(FieldErrorSchema, { description: 'rejected: why, one line per field' })),
});

/** POST /api/v1/events: counts, and one result per event in the order sent (NDJSON: per line). */
export const IngestSummary = Type.Object({
  accepted: Type.Integer({ minimum: 0 }),
  duplicates: Type.Integer({ minimum: 0 }),
  rejected: Type.Integer({ minimum: 0 }),
  results: Type.Array(IngestItemResult),
});
export type IngestSummary = Static<typeof IngestSummary>;

/** POST /api/v1/open311/import: per service request; a closed request is two events, hence `seqs`. */
export const Open311Summary = Type.Object({
  accepted: Type.Integer({ minimum: 0 }),
  duplicates: Type.Integer({ minimum: 0 }),
  rejected: Type.Integer({ minimum: 0 }),
  results: Type.Array(
    Type.Object({
      service_request_id: Type.Optional(Type.Unknown({ description: 'as sent' })),
      status: ItemStatus,
      seqs: Type.Optional(Type.Array(Type.Integer({ minimum: 0 }))),
      errors: Type.Optional(Type.Array(FieldErrorSchema)),
    }),
  ),
});

/** GET|POST /api/v1/positions/osmand: the one position, stored or already there. */
export const OsmandAccepted = Type.Object({
  status: Type.Unsafe<'accepted' | 'duplicate'>(Type.String({ enum: ['accepted', 'duplicate'] })),
  seq: Type.Integer({ minimum: 1 }),
  /**
   * Present when the report could not be drawn as a position and was kept as the device's status instead (the
   * phone's queue moves on all the same): no_fix, null_island, outside_district, clock_ahead, outside_scope.
   */
  unplaced: Type.Optional(
    Type.Unsafe<'no_fix' | 'null_island' | 'outside_district' | 'clock_ahead' | 'outside_scope'>(
      Type.String({ enum: ['no_fix', 'null_island', 'outside_district', 'clock_ahead', 'outside_scope'] }),
    ),
  ),
  /** Why it was not placed, in words. */
  message: Type.Optional(Type.String()),
});

/** The position was refused (400): why, per field. */
export const OsmandRejected = Type.Object({
  status: Type.Unsafe<'rejected'>(Type.String({ enum: ['rejected'] })),
  errors: Type.Array(FieldErrorSchema),
});
