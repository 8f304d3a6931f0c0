// Logging in over HTTP, as a person would, for tests and benchmarks that run the server as a child process
// (no access to its user store): the demo admin is created from ADMIN_PASSWORD on a first start.
import { CSRF_HEADER } from '../../server/contract/auth';

/** The demo admin's password the child processes are started with. */
export const TEST_ADMIN_PASSWORD = 'child-process-test-admin';

/** POST /api/v1/auth/login: the session cookie and the CSRF token a write needs. */
export async function loginOverHttp(
  base: string,
  username = 'admin',
  password = TEST_ADMIN_PASSWORD,
): Promise<{ cookie: string; [CSRF_HEADER]: string }> {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} answered ${res.status}: ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';', 1)[0]!)
    .join('; ');
  return { cookie, [CSRF_HEADER]: csrfToken };
}
