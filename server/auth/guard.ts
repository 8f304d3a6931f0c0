// Route guards: every route says what it needs, in its options (`preHandler: requireAbility('read')`), and
// answers out-of-scope requests with the same clear 403. Who the request is (request.principal) is decided
// once per request by the auth plugin (plugin.ts) from the session cookie or a device token.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AreaKey, AreaTree } from '../contract/areas';
import { can, inScope, type Ability, type Principal } from '../contract/auth';
import type { ApiError } from '../contract/errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth plugin's onRequest hook; null when the request carries no valid credentials. */
    principal: Principal | null;
  }
}

/** The guards' answers always carry a machine-readable code: 'unauthenticated', 'forbidden', 'not_in_scope'. */
type GuardError = ApiError & { code: string };

export const unauthenticated = (): GuardError => ({
  statusCode: 401,
  error: 'Unauthorized',
  code: 'unauthenticated',
  message: 'log in first (session cookie or device token)',
});

export const forbidden = (message: string): GuardError => ({
  statusCode: 403,
  error: 'Forbidden',
  code: 'forbidden',
  message,
});

export const notInScope = (key: string, scope: AreaKey): GuardError => ({
  statusCode: 403,
  error: 'Forbidden',
  code: 'not_in_scope',
  message: `not in your area: ${key} lies outside ${scope}`,
});

/** 401 without credentials, 403 when the role lacks the ability. */
export function requireAbility(ability: Ability): preHandlerAsyncHookHandler {
  return async function guard(request: FastifyRequest, reply: FastifyReply) {
    const p = request.principal;
    if (!p) return reply.code(401).send(unauthenticated());
    if (!can(p, ability)) return reply.code(403).send(forbidden(`a ${p.role} may not do this (${ability})`));
  };
}

/**
 * The principal of a request that passed requireAbility. Throws (a 500, a programming error) when a route
 * reads it without a guard.
 */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url} reads the principal without a guard`);
  return request.principal;
}

/**
 * Checks that `key` lies in the principal's scope; otherwise sends the 403 "not in your area" and returns
 * false (the route then returns the reply).
 */
export function allowArea(
  request: FastifyRequest,
  reply: FastifyReply,
  tree: Pick<AreaTree, 'nodes'>,
  key: string,
): boolean {
  const p = principalOf(request);
  if (inScope(tree, p.scope, key)) return true;
  void reply.code(403).send(notInScope(key, p.scope));
  return false;
}
