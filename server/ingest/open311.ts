// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) → ticket events, so that a hotline system or a reporting
// app that speaks Open311 can feed the map. Two ways in (docs/INGEST.md):
// - a client's new request (POST requests.{json,xml}: the spec's form fields, mapOpen311Post): we assign the
//   service_request_id; the ticket is `o311-<id>`, created now, at lat/long or at the place its address names;
// - a hotline's list of existing requests (POST import, mapOpen311): each keeps its own id, time and status.
//   service_request_id → ticketId (prefixed "o311-"); service_code / service_name → category; description →
//   title (first 60 characters) and description; lat / long → location (WGS84, as GeoReport v2 specifies;
//   a `crs` extension field or ?crs= says gcj02 / bd09 for Chinese geocoders); address → address;
//   requested_datetime → time of ticket.created; expected_datetime → resolveDueAt; status 'open' → the
//   created event only; status 'closed' → created + ticket.closed (resolved: true) at updated_datetime.
//   Extension fields: `urgency` (urgent / normal / low, default normal) and `resolved` (false when closed
//   without solving the problem). The spec's own example output is taken as it is: numeric ids and codes are
//   read as text, a null field as an absent one, address_id and zipcode are kept in the event's meta.
// Event ids are derived from the request id and the step, so posting the same request again (say, after its
// status changed) is idempotent for the steps already in the log and adds only the new ones.
import Type, { type Static } from 'typebox';
import {
  MediaUrl,
  TICKET_CATEGORIES,
  validateEvent,
  type Crs,
  type OpsEvent,
  type TicketCategory,
} from '../contract/events';
import { checker, type FieldError } from '../contract/validate';

export const Open311Request = Type.Object({
  service_request_id: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  service_code: Type.Optional(Type.String({ maxLength: 100 })),
  service_name: Type.Optional(Type.String({ maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  long: Type.Number({ minimum: -180, maximum: 180 }),
  address: Type.Optional(Type.String({ maxLength: 300 })),
  requested_datetime: Type.String(),
  updated_datetime: Type.Optional(Type.String()),
  expected_datetime: Type.Optional(Type.String()),
  status_notes: Type.Optional(Type.String({ maxLength: 2000 })),
  agency_responsible: Type.Optional(Type.String({ maxLength: 200 })),
  service_notice: Type.Optional(Type.String({ maxLength: 2000 })),
  address_id: Type.Optional(Type.String({ maxLength: 100 })),
  zipcode: Type.Optional(Type.String({ maxLength: 20 })),
  media_url: Type.Optional(MediaUrl),
  crs: Type.Optional(Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')])),
  urgency: Type.Optional(Type.Union([Type.Literal('urgent'), Type.Literal('normal'), Type.Literal('low')])),
  resolved: Type.Optional(Type.Boolean()),
});
export type Open311Request = Static<typeof Open311Request>;
const checkRequest = checker(Open311Request);

/** service_name (Chinese, as hotline systems label them) → category. Codes equal to a category pass through. */
const NAME_TO_CATEGORY: Record<string, TicketCategory> = {
  市政市容环境: 'municipal_environment',
  市容环境: 'municipal_environment',
  物业管理: 'property_management',
  物业: 'property_management',
  农贸市场: 'farmers_market',
  大集: 'farmers_market',
  安全隐患: 'safety_hazard',
  工业大院: 'industrial_compound',
  违法建设: 'illegal_construction',
  违建: 'illegal_construction',
  供暖: 'heating',
  电动车: 'e_bike',
  停车: 'parking',
  环境卫生: 'sanitation',
  垃圾分类: 'waste_sorting',
  噪音: 'noise',
  装修扰民: 'noise',
  道路: 'road',
  照明: 'lighting',
  路灯: 'lighting',
  充电桩: 'charging_pile',
  积水: 'waterlogging',
};

export function categoryOf(code: string | undefined, name: string | undefined): TicketCategory {
  if (code && (TICKET_CATEGORIES as readonly string[]).includes(code)) return code as TicketCategory;
  for (const label of [name, code]) if (label && NAME_TO_CATEGORY[label.trim()]) return NAME_TO_CATEGORY[label.trim()]!;
  return 'other';
}

/** Event fields back to the Open311 field the producer sent, so a rejection names their field. */
const FIELD_OF: Record<string, string> = {
  '/location': '/lat,/long',
  '/location/lat': '/lat',
  '/location/lon': '/long',
  '/time': '/requested_datetime',
  '/resolveDueAt': '/expected_datetime',
  '/title': '/description',
  '/description': '/description',
  '/address': '/address',
  '/mediaUrl': '/media_url',
  '/ticketId': '/service_request_id',
  '/id': '/service_request_id',
};

/** The closing step's own fields: its time came from updated_datetime, its note from status_notes. */
const CLOSED_FIELD_OF: Record<string, string> = { '/time': '/updated_datetime', '/note': '/status_notes' };

export const toOpen311Field = (path: string, kind?: string): string =>
  (kind === 'ticket.closed' ? CLOSED_FIELD_OF[path] : undefined) ?? FIELD_OF[path] ?? path;

export type Open311Mapped = { ok: true; events: OpsEvent[] } | { ok: false; errors: FieldError[] };

/** Fields of the spec's output that are text, though its own example writes some as numbers (638344, 94122). */
const TEXT_FIELDS = ['service_request_id', 'service_code', 'service_name', 'address_id', 'zipcode'];

/**
 * A listed request as the spec's example output writes it: numbers where we keep text, null for "not known".
 * A null field is read as absent (so a null lat is "lat is required", not "must be a number").
 */
function normalizeListed(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (v === null) continue;
    out[k] = TEXT_FIELDS.includes(k) && typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  }
  // The spec's example ends a media_url with a space.
  if (typeof out.media_url === 'string') out.media_url = out.media_url.trim();
  return out;
}

/** Who posted a request (a feed device's id), so that it may read its own requests back (docs/SECURITY.md). */
export const POSTED_BY = 'postedBy';

export interface Open311Origin {
  /** The principal that posted it: kept in the event's meta as `postedBy`. */
  postedBy?: string;
}

export function mapOpen311(raw: unknown, defaultCrs: Crs = 'wgs84', origin: Open311Origin = {}): Open311Mapped {
  const checked = checkRequest(normalizeListed(raw));
  if (!checked.ok) return { ok: false, errors: checked.errors };
  const r = checked.value;
  const ticketId = `o311-${r.service_request_id}`;
  const text = (r.description ?? r.service_name ?? '').trim();
  const created = {
    id: `${ticketId}-created`,
    kind: 'ticket.created',
    time: r.requested_datetime,
    source: 'open311',
    ticketId,
    category: categoryOf(r.service_code, r.service_name),
    urgency: r.urgency ?? 'normal',
    channel: 'hotline_12345',
    title: text.slice(0, 60) || r.service_name || '市民诉求',
    ...(r.description ? { description: r.description } : {}),
    ...(r.address ? { address: r.address } : {}),
    location: { lon: r.long, lat: r.lat, crs: r.crs ?? defaultCrs },
    ...(r.expected_datetime ? { resolveDueAt: r.expected_datetime } : {}),
    ...(r.media_url ? { mediaUrl: r.media_url } : {}),
    ...withMeta({
      [POSTED_BY]: origin.postedBy,
      service_code: r.service_code,
      address_id: r.address_id,
      zipcode: r.zipcode,
      agency_responsible: r.agency_responsible,
      // Meta holds short strings; the notice is the hotline's, kept as a hint.
      service_notice: r.service_notice?.slice(0, 256),
    }),
  } as unknown as OpsEvent;
  const events: OpsEvent[] = [created];
  if (r.status === 'closed') {
    if (!r.updated_datetime) {
      return {
        ok: false,
        errors: [{ path: '/updated_datetime', message: 'is required when status is closed (the time it was closed)' }],
      };
    }
    events.push({
      id: `${ticketId}-closed`,
      kind: 'ticket.closed',
      time: r.updated_datetime,
      source: 'open311',
      ticketId,
      resolved: r.resolved ?? true,
      ...(r.status_notes ? { note: r.status_notes } : {}),
    } as unknown as OpsEvent);
  }
  // Both steps are checked before either is stored: a closing with a broken time must not leave the created
  // ticket behind while the request is answered 'rejected'.
  const errors = events.flatMap((e) => {
    const checked = validateEvent(e);
    return checked.ok ? [] : checked.errors.map((x) => ({ ...x, path: toOpen311Field(x.path, e.kind) }));
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, events };
}

/** The event's meta from the fields that were given (none: no meta at all). */
function withMeta(fields: Record<string, string | number | undefined>): { meta?: Record<string, string | number> } {
  const meta: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') meta[k] = v;
  return Object.keys(meta).length > 0 ? { meta } : {};
}
