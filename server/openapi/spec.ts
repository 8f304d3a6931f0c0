// What the OpenAPI document says besides the schemas: the two ways to prove who you are, the tags that group the
// operations, and the one helper every route spreads into its schema (`...doc('live', 'Aggregates …', READER)`),
// so that no route goes into the document without a summary, a tag and its security.
import { SESSION_COOKIE } from '../contract/auth';

/** The two credentials of docs/SECURITY.md: a person's session cookie, a device's Bearer token. */
export const SECURITY_SCHEMES = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description:
      'A person’s session, set by POST /api/v1/auth/login (HttpOnly, SameSite=Strict). Writes with it also need ' +
      'the header x-csrf-token: the csrfToken of the login answer or of GET /api/v1/auth/session.',
  },
  deviceToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'A device’s token (`<id>.<secret>`), issued once by an admin (POST /api/v1/admin/devices): `feed` devices ' +
      'ingest, `wall` devices read. Exempt from the CSRF header.',
  },
  open311Key: {
    type: 'apiKey',
    in: 'query',
    name: 'api_key',
    description:
      'Open311 GeoReport v2: the same device token as `api_key`, in the query string or (POST) as a form field, ' +
      'for clients that cannot set a header (docs/INGEST.md). Never written to a log line or an answer.',
  },
} as const;

/** One way to satisfy a route: the names of SECURITY_SCHEMES it needs, all together. */
type Requirement = Readonly<Record<string, readonly string[]>>;
export type Security = readonly Requirement[];

/** No credentials: health, login, wall set-up, logout, the document itself. */
export const PUBLIC: Security = [];
/** Either a person's session or a device token (readers: the wall; ingest: the feed; see the route's role). */
export const SESSION_OR_DEVICE: Security = [{ session: [] }, { deviceToken: [] }];
/** Open311 routes: a session, a Bearer device token, or the token as the GeoReport `api_key` parameter. */
export const OPEN311: Security = [{ session: [] }, { deviceToken: [] }, { open311Key: [] }];
/** A person's session only: what no device role may do (acting on alerts, administration). */
export const SESSION: Security = [{ session: [] }];

export const TAGS = [
  { name: 'operations', description: 'Liveness, readiness and Prometheus metrics: counts only, open to operations.' },
  { name: 'auth', description: 'Log in and out, set up a wall, and who the session is.' },
  { name: 'areas', description: 'Area boundaries and the area tree (district, towns, grid cells, …).' },
  {
    name: 'live',
    description: 'The live state of an area: aggregates, the ticket list and search, within your scope.',
  },
  { name: 'trends', description: 'Hourly ticket trends and an area’s trends over days and weeks.' },
  { name: 'patrol', description: 'Forest patrol coverage of today.' },
  { name: 'landing', description: 'A town leader’s landing page.' },
  { name: 'brief', description: 'The daily brief of the district or a town.' },
  { name: 'alerts', description: 'The alert inbox and what people do with alerts.' },
  { name: 'export', description: 'Downloads: tickets as CSV or GeoJSON, area figures as CSV.' },
  { name: 'log', description: 'The ordered event log itself (admins and district officers).' },
  {
    name: 'ingest',
    description: 'Events in: JSON or NDJSON batches, Open311 service requests, OsmAnd / Traccar positions.',
  },
  {
    name: 'open311',
    description:
      'Open311 GeoReport v2 at /api/v1/open311/: services, new service requests, reading them back (JSON or XML), ' +
      'and a hotline system’s import of existing requests.',
  },
  { name: 'admin', description: 'Users, device tokens and notification channels (admins only).' },
] as const;
export type Tag = (typeof TAGS)[number]['name'];

/** The documentation part of a route's schema. */
export function doc(tag: Tag, summary: string, security: Security, description?: string) {
  return { tags: [tag], summary, security, ...(description !== undefined ? { description } : {}) };
}
