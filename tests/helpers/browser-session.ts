// A logged-in browser for page tests that are not about logging in: the session cookie of a principal, set on
// the context before the first page opens (the login form itself is tested in tests/e2e/auth.test.ts).
import type { BrowserContext } from 'playwright-core';
import { SESSION_COOKIE, type Principal } from '../../server/contract/auth';
import type { App } from '../../server/app';
import { principals, sessionHeaders } from './auth';

/** Logs the context in as `p` (default: a district duty officer, who sees the whole dashboard). */
export async function signIn(
  context: BrowserContext,
  app: App,
  origin: string,
  p: Principal = principals.districtOfficer,
): Promise<void> {
  const { cookie } = await sessionHeaders(app, p);
  const value = cookie.slice(`${SESSION_COOKIE}=`.length);
  await context.addCookies([{ name: SESSION_COOKIE, value, url: origin, httpOnly: true, sameSite: 'Strict' }]);
}
