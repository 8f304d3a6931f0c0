// The one shape of every error answer of the HTTP API: the guards' 401/403, the routes' own 400/404/409, Fastify's
// validation errors (code FST_ERR_VALIDATION) and the 5xx of an unavailable store. The server registers the schema
// once (app.addSchema in server/app.ts); routes name it by reference, so the OpenAPI document has it once, under
// components.schemas.ApiError. The client reads `code` and `message` (client/auth/session.ts). No Node imports here.
import Type, { type Static } from 'typebox';

export const API_ERROR_ID = 'ApiError';

export const ApiError = Type.Object(
  {
    statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
    /** The HTTP reason phrase: 'Bad Request', 'Forbidden', … */
    error: Type.String(),
    /** Machine-readable reason where there is one: 'unauthenticated', 'forbidden', 'not_in_scope', 'csrf', … */
    code: Type.Optional(Type.String()),
    message: Type.String(),
  },
  {
    $id: API_ERROR_ID,
    description:
      'Every error answer. `code` says why in a word a program can test: unauthenticated (401), forbidden, ' +
      'not_in_scope, csrf (403), bad_credentials (401 at login), FST_ERR_VALIDATION (400), and the routes’ own.',
  },
);
export type ApiError = Static<typeof ApiError>;

/** What a route's response schema holds: a reference to the registered schema, typed as the error. */
export const ApiErrorRef = Type.Unsafe<ApiError>(Type.Ref(API_ERROR_ID));

/** `{ 400: ApiErrorRef, 401: ApiErrorRef, … }` for a route's `schema.response`. */
export function errorResponses<const C extends readonly number[]>(
  ...codes: C
): { [K in C[number]]: typeof ApiErrorRef } {
  return Object.fromEntries(codes.map((c) => [c, ApiErrorRef])) as { [K in C[number]]: typeof ApiErrorRef };
}
