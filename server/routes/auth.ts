// Logging in and out, and who the session is. Thin: the Authenticator decides; these routes set the cookie.
// Login and wall set-up are the only rate-limited routes (LOGIN_RATE_LIMIT per minute per client IP).
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { LoginRequest, SESSION_COOKIE, SessionInfo } from '../contract/auth';
import { errorResponses, type ApiError } from '../contract/errors';
import { DEVICE_SESSION_TTL_MS, type Authenticator, type LoginResult } from '../auth/authenticator';
import { unauthenticated } from '../auth/guard';
import { doc, PUBLIC, SESSION_OR_DEVICE } from '../openapi/spec';

export interface AuthRouteOptions {
  auth: Authenticator;
  /** Secure cookie (COOKIE_SECURE: served over HTTPS). */
  cookieSecure: boolean;
  /** Attempts per minute per client IP on login and wall set-up. */
  loginRateLimit: number;
  now: () => number;
}

const DeviceLoginRequest = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

// One answer for an unknown user, a wrong password and a disabled account: no user enumeration.
const badCredentials: ApiError = {
  statusCode: 401,
  error: 'Unauthorized',
  code: 'bad_credentials',
  message: 'wrong user name or password',
};
const badDeviceToken: ApiError = {
  statusCode: 401,
  error: 'Unauthorized',
  code: 'bad_credentials',
  message: 'this device token is not valid (revoked or mistyped)',
};

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (
  app,
  { auth, cookieSecure, loginRateLimit, now },
) => {
  const limited = { rateLimit: { max: loginRateLimit, timeWindow: '1 minute' }, csrf: false };

  function startSession(reply: FastifyReply, result: LoginResult) {
    reply.setCookie(SESSION_COOKIE, result.cookieValue, {
      httpOnly: true,
      sameSite: 'strict',
      secure: cookieSecure,
      path: '/',
      expires: new Date(result.expiresAt),
    });
    const csrfToken = auth.csrfTokenOf(result.cookieValue) ?? '';
    return reply.send({ principal: result.principal, csrfToken, expiresAt: result.expiresAt });
  }

  app.post(
    '/api/v1/auth/login',
    {
      config: limited,
      schema: {
        ...doc(
          'auth',
          'Log in: sets the session cookie and answers the CSRF token',
          PUBLIC,
          'A wrong password, an unknown user and a disabled one get the same 401 bad_credentials. At most ' +
            'LOGIN_RATE_LIMIT attempts per minute per client IP, then 429.',
        ),
        body: LoginRequest,
        response: { 200: SessionInfo, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const result = await auth.login(request.body.username, request.body.password);
      if (!result) return reply.code(401).send(badCredentials);
      return startSession(reply, result);
    },
  );

  // A wall is set up once: `/wall?device=<token>` posts the token here and gets a long-lived device cookie.
  app.post(
    '/api/v1/auth/device',
    {
      config: limited,
      schema: {
        ...doc(
          'auth',
          'Set up a wall: trade its device token for a long-lived device cookie',
          PUBLIC,
          'Posted by the page `/wall?device=<token>`. Rate-limited like the login.',
        ),
        body: DeviceLoginRequest,
        response: { 200: SessionInfo, ...errorResponses(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const result = await auth.loginDevice(request.body.token);
      if (!result) return reply.code(401).send(badDeviceToken);
      return startSession(reply, result);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        ...doc(
          'auth',
          'Log out: clears the session cookie',
          PUBLIC,
          'Open to anyone; with the session cookie it needs the x-csrf-token header like any write (403 csrf).',
        ),
        response: { 204: Type.Null({ description: 'The cookie is cleared' }), ...errorResponses(403) },
      },
    },
    async (_request, reply) => {
      reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: cookieSecure });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/session',
    {
      schema: {
        ...doc('auth', 'Who the session (or device token) is, and the CSRF token for writes', SESSION_OR_DEVICE),
        response: { 200: SessionInfo, ...errorResponses(401) },
      },
    },
    async (request, reply) => {
      const c = request.credentials;
      if (!c) return reply.code(401).send(unauthenticated());
      if (c.via === 'session')
        return reply.send({ principal: c.principal, csrfToken: c.csrfToken, expiresAt: c.expiresAt });
      // A Bearer device: no cookie, so no CSRF token to echo; it holds until revoked.
      return reply.send({ principal: c.principal, csrfToken: '', expiresAt: now() + DEVICE_SESSION_TTL_MS });
    },
  );
};
