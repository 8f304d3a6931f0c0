// Headers of the usual callers of tests that are not about access: the admin for reads (a session cookie with
// its CSRF token) and the feed device for posting events (a Bearer token). One session per app, made once.
import type { App } from '../../server/app';
import { bearerHeaders, principals, sessionHeaders } from './auth';

type Session = Awaited<ReturnType<typeof sessionHeaders>>;
type Bearer = Awaited<ReturnType<typeof bearerHeaders>>;
const admins = new WeakMap<App, Promise<Session>>();
const feeds = new WeakMap<App, Promise<Bearer>>();

/** Cookie and CSRF headers of an admin session on this app. */
export function asAdmin(app: App): Promise<Session> {
  let h = admins.get(app);
  if (!h) admins.set(app, (h = sessionHeaders(app, principals.admin)));
  return h;
}

/** The Authorization header of a feed device on this app (what a sensor gateway or the simulator CLI sends). */
export function asFeed(app: App): Promise<Bearer> {
  let h = feeds.get(app);
  if (!h) feeds.set(app, (h = bearerHeaders(app, principals.feed)));
  return h;
}

/** POSTs events as the feed. */
export async function postEvents(app: App, events: unknown, contentType = 'application/json') {
  return app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...(await asFeed(app)), 'content-type': contentType },
    payload: typeof events === 'string' ? events : JSON.stringify(events),
  });
}

/** GETs a URL as the admin. */
export async function getAsAdmin(app: App, url: string) {
  return app.inject({ method: 'GET', url, headers: await asAdmin(app) });
}
