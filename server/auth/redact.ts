// What the logger may never write: cookies, Authorization headers, passwords and tokens. Fastify's request
// serializer writes the URL, so a wall's one-time set-up link (`/wall?device=<token>`) is cut there too.
import type { FastifyRequest } from 'fastify';

/** Query parameters whose values are credentials (Open311 clients send their key as api_key). */
const SECRET_PARAMS = ['device', 'token', 'password', 'access_token', 'api_key'];
const SECRET_PARAM_RE = new RegExp(`([?&](?:${SECRET_PARAMS.join('|')})=)[^&#]*`, 'gi');

/** Paths whose next segment is a credential: the tracker route that takes its token in the path (Traccar iOS). */
const SECRET_SEGMENT_RE = /(\/positions\/osmand\/)[^/?#]+/gi;

export const redactUrl = (url: string): string =>
  url.replace(SECRET_PARAM_RE, '$1[Redacted]').replace(SECRET_SEGMENT_RE, '$1[Redacted]');

/** pino `redact` paths: a belt to the serializer's braces, for any object that carries headers or a body. */
export const LOG_REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  `req.headers["x-csrf-token"]`,
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'body.password',
  'body.token',
  'body.api_key',
  'password',
  'token',
  'api_key',
  'passwordHash',
  'tokenHash',
];

/** The request as logged: no headers, the URL without credentials. */
export function requestSerializer(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
