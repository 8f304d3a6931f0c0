// The security layer in front of every route, in the order a request meets it: secure headers (helmet), CORS
// (an allow-list; none by default), cookies, who the request is (request.principal), then the CSRF check for
// cookie-authenticated writes. Registered before the routes; not encapsulated, so its hooks cover them all.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import fastifyHelmet from '@fastify/helmet';
import fastifyCors from '@fastify/cors';
import fastifyCookie from '@fastify/cookie';
import fastifyRateLimit from '@fastify/rate-limit';
import { CSRF_HEADER } from '../contract/auth';
import type { ApiError } from '../contract/errors';
import { sameToken, type Authenticator, type Credentials } from './authenticator';

declare module 'fastify' {
  interface FastifyRequest {
    /** How the principal was proven; null without credentials. The session routes read the CSRF token here. */
    credentials: Credentials | null;
  }
  interface FastifyContextConfig {
    /** false: no CSRF check (login and wall set-up: there is no session to protect yet). */
    csrf?: boolean;
  }
}

export interface AuthPluginOptions {
  auth: Authenticator;
  /** Origins allowed to read the API cross-origin; empty: none. */
  corsOrigins: readonly string[];
  /** Served over HTTPS (COOKIE_SECURE): also send HSTS. */
  https: boolean;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export const csrfRefused = (message: string): ApiError => ({
  statusCode: 403,
  error: 'Forbidden',
  code: 'csrf',
  message,
});

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (
  app: FastifyInstance,
  { auth, corsOrigins, https },
) => {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        // Vite's build is module scripts from /assets only: no inline script, no eval.
        scriptSrc: ["'self'"],
        // MapLibre and ECharts position elements with style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        // MapLibre decodes tiles and glyphs in blob: workers and draws data:/blob: images; deck.gl needs nothing more.
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        // Socket.IO and the API: same origin (ws: to the same host counts as 'self').
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // No upgrade-insecure-requests: the embedded default is plain HTTP on a LAN.
      },
    },
    // Only behind TLS; over plain HTTP a browser ignores it, and a wrong one locks out an HTTP-only host.
    strictTransportSecurity: https ? { maxAge: 180 * 24 * 3600 } : false,
    crossOriginEmbedderPolicy: false,
  });

  // Strict CORS: only configured origins get Access-Control-Allow-Origin, with credentials; everyone else none.
  const allowed = new Set(corsOrigins);
  await app.register(fastifyCors, {
    origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', 'authorization', CSRF_HEADER],
  });

  await app.register(fastifyCookie);
  // Only the routes that ask for it (login, wall set-up) are rate-limited.
  await app.register(fastifyRateLimit, { global: false });

  app.decorateRequest('principal', null);
  app.decorateRequest('credentials', null);
  app.addHook('onRequest', async (request, reply) => {
    let credentials: Awaited<ReturnType<typeof auth.credentials>>;
    try {
      credentials = await auth.credentials(request.headers);
    } catch (error) {
      // The user store (PostgreSQL on a cluster) cannot answer: who this is cannot be known, so nothing is
      // done, and the caller is told to retry rather than handed a 500 or a false 401.
      request.log.warn({ err: error }, 'credentials could not be checked: the user store is not available');
      return reply.code(503).header('retry-after', '5').send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The user store is not available, so the request could not be checked; nothing was done. Retry later.',
      });
    }
    request.credentials = credentials;
    request.principal = credentials?.principal ?? null;
    // A browser sends the cookie on its own, even for a page of another site; the CSRF token it cannot read.
    // A Bearer token is never added by a browser, so token requests need no such proof.
    if (credentials?.via !== 'session' || !WRITES.has(request.method) || request.routeOptions.config.csrf === false)
      return;
    const sent = request.headers[CSRF_HEADER];
    if (typeof sent !== 'string' || !sameToken(sent, credentials.csrfToken)) {
      return reply
        .code(403)
        .send(
          csrfRefused(`a write with the session cookie needs the ${CSRF_HEADER} header of GET /api/v1/auth/session`),
        );
    }
  });
};

export default fp(authPlugin, { name: 'opsmap-auth', fastify: '5.x' });
