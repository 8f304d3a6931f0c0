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
    description: 'An error answer; `code` says why in a word a program can test.',
  },
);
export type ApiError = Static<typeof ApiError>;

/** A 404 answer. */
export const notFound = (message: string): ApiError => ({ statusCode: 404, error: 'Not Found', message });

/** What a route's response schema holds: a reference to the registered schema, typed as the error. */
export const ApiErrorRef = Type.Unsafe<ApiError>(Type.Ref(API_ERROR_ID));

/** What each status means across the API, for the document (the `code`s are docs/SECURITY.md's). */
const MEANING: Record<number, string> = {
  400: 'Bad request: a parameter or the body is not valid (code FST_ERR_VALIDATION, or the route’s own)',
  401: 'No valid credentials (code unauthenticated; at login bad_credentials)',
  403: 'Refused: the role may not (forbidden), the area is outside your scope (not_in_scope), or a write with the session cookie lacks x-csrf-token (csrf)',
  404: 'Not found (or, for an alert, not in your area)',
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  415: 'Unsupported content type',
  429: 'Too many attempts: retry after Retry-After seconds',
  503: 'Not available now; nothing was done: retry after Retry-After seconds',
};

/** `{ 400: ApiErrorRef, 401: ApiErrorRef, … }` for a route's `schema.response`, each with what the status means. */
export function errorResponses<const C extends readonly number[]>(
  ...codes: C
): { [K in C[number]]: typeof ApiErrorRef } {
  const ref = (code: number) =>
    Type.Unsafe<ApiError>(Type.Ref(API_ERROR_ID, MEANING[code] ? { description: MEANING[code] } : {}));
  return Object.fromEntries(codes.map((c) => [c, ref(c)])) as { [K in C[number]]: typeof ApiErrorRef };
}
