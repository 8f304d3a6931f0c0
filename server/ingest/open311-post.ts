// A GeoReport v2 "POST Service Request" (wiki.open311.org/GeoReport_v2#post-service-request) → one ticket.created.
// The fields are the spec's, as a form (application/x-www-form-urlencoded, which the spec and FixMyStreet's
// Open311 client send) or as JSON: service_code, lat + long (or address_string / address_id naming a place we
// know), attribute[code], description, media_url, email, device_id, account_id, first_name, last_name, phone.
// The server assigns the service_request_id; the reporter's contact is kept in the event's meta (the 12345
// follow-up call needs it) and never answered back by the read routes.
import { MEDIA_URL_PATTERN, type Crs, type OpsEvent, type TicketCategory } from '../contract/events';
import type { Open311Attribute } from '../contract/open311';
import type { FieldError } from '../contract/validate';
import type { Gazetteer, NamedPlace } from '../geo/gazetteer';
import { isServiceCode, serviceDefinition, serviceNameOf } from './open311-services';
import { POSTED_BY } from './open311';

/** The event's meta holds at most 32 fields; the contact and place fields take up to 12 of them. */
export const MAX_ATTRIBUTES = 16;
const MAX_META_TEXT = 256;

export interface PostContext {
  /** The id we give the request (the ticket is `o311-<id>`). */
  serviceRequestId: string;
  now: number;
  gazetteer: Gazetteer;
  /** The principal that posts: kept as meta.postedBy, so that a feed may read its own requests back. */
  postedBy?: string;
}

export type PostMapped =
  | {
      ok: true;
      event: OpsEvent;
      category: TicketCategory;
      /** Where the location came from: the coordinates sent, or the place the address names. */
      placedBy: 'lat_long' | NamedPlace['by'];
      accountId: string | null;
    }
  | { ok: false; errors: FieldError[] };

const TEXT_LIMITS: Record<string, number> = {
  service_code: 64,
  description: 4000,
  address_string: 300,
  address_id: 100,
  email: 254,
  device_id: 100,
  deviceid: 100,
  account_id: 100,
  first_name: 100,
  last_name: 100,
  phone: 40,
  jurisdiction_id: 100,
  crs: 10,
};
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const PHONE = /^[0-9+()\-\s]{3,40}$/;
const MEDIA_URL = new RegExp(MEDIA_URL_PATTERN);
/** `attribute[depth_cm]` as a form key (or a flat JSON key); `attribute[kinds][]` for a multi-value list. */
const ATTRIBUTE_KEY = /^attribute\[([^\]]{1,64})\](\[\])?$/;

type Fields = Record<string, unknown>;

/** One text field: absent, or a string (a number is read as its text); a repeated form field is an error. */
function textOf(fields: Fields, name: string, errors: FieldError[]): string | undefined {
  const v = fields[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') {
    errors.push({ path: `/${name}`, message: Array.isArray(v) ? 'is given more than once' : 'must be text' });
    return undefined;
  }
  const limit = TEXT_LIMITS[name] ?? 256;
  const t = v.trim();
  if (t.length > limit) {
    errors.push({ path: `/${name}`, message: `must be at most ${limit} characters, got ${t.length}` });
    return undefined;
  }
  return t === '' ? undefined : t;
}

function numberOf(fields: Fields, name: string, min: number, max: number, errors: FieldError[]) {
  const v = fields[name];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) {
    errors.push({ path: `/${name}`, message: `must be a number, got ${JSON.stringify(v).slice(0, 40)}` });
    return undefined;
  }
  if (n < min || n > max) {
    errors.push({ path: `/${name}`, message: `must be between ${min} and ${max}, got ${n}` });
    return undefined;
  }
  return n;
}

/** attribute[code] fields, from form keys, flat JSON keys or a JSON `attribute` object. */
function attributesOf(fields: Fields, errors: FieldError[]): Map<string, string> {
  const out = new Map<string, string>();
  const put = (code: string, raw: unknown) => {
    const path = `/attribute[${code}]`;
    const values = Array.isArray(raw) ? raw : [raw];
    if (values.some((x) => typeof x !== 'string' && typeof x !== 'number' && typeof x !== 'boolean')) {
      errors.push({ path, message: 'must be text or a number' });
      return;
    }
    const text = values.map(String).join(',').trim();
    if (text.length > MAX_META_TEXT) {
      errors.push({ path, message: `must be at most ${MAX_META_TEXT} characters` });
      return;
    }
    if (text !== '') out.set(code, text);
  };
  for (const [key, value] of Object.entries(fields)) {
    const m = ATTRIBUTE_KEY.exec(key);
    if (m) put(m[1]!, value);
  }
  const nested = fields.attribute;
  if (nested !== undefined) {
    if (nested === null || typeof nested !== 'object' || Array.isArray(nested))
      errors.push({ path: '/attribute', message: 'must be an object of attribute codes and values' });
    else for (const [code, value] of Object.entries(nested as Fields)) put(code, value);
  }
  if (out.size > MAX_ATTRIBUTES)
    errors.push({ path: '/attribute', message: `at most ${MAX_ATTRIBUTES} attributes, got ${out.size}` });
  return out;
}

/** A defined attribute's value against its datatype; undefined when it fits. */
function attributeProblem(def: Open311Attribute, value: string): string | undefined {
  if (def.datatype === 'number' && !Number.isFinite(Number(value))) return `must be a number, got '${value}'`;
  if (def.datatype === 'singlevaluelist' && !def.values.some((v) => v.key === value))
    return `must be one of ${def.values.map((v) => v.key).join(', ')}, got '${value}'`;
  if (def.datatype === 'multivaluelist') {
    const bad = value.split(',').filter((x) => !def.values.some((v) => v.key === x));
    if (bad.length > 0) return `must be among ${def.values.map((v) => v.key).join(', ')}, got '${bad.join(',')}'`;
  }
  return undefined;
}

/** The first line of the description (without FixMyStreet's "title: " label), as the ticket's title. */
function titleOf(description: string | undefined, fallback: string): string {
  const first = (description ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  const line = (first ?? '').replace(/^title:\s*/i, '').trim();
  return line.slice(0, 60) || fallback;
}

export function mapOpen311Post(fields: Fields, ctx: PostContext): PostMapped {
  const errors: FieldError[] = [];
  const code = textOf(fields, 'service_code', errors);
  if (code === undefined && !errors.some((e) => e.path === '/service_code'))
    errors.push({ path: '/service_code', message: 'is required: GET services.json lists the codes' });
  else if (code !== undefined && !isServiceCode(code))
    errors.push({
      path: '/service_code',
      message: `'${code}' is no service of ours: GET services.json lists the codes`,
    });

  const lat = numberOf(fields, 'lat', -90, 90, errors);
  const lon = numberOf(fields, 'long', -180, 180, errors);
  const crsText = textOf(fields, 'crs', errors);
  if (crsText !== undefined && crsText !== 'wgs84' && crsText !== 'gcj02' && crsText !== 'bd09')
    errors.push({ path: '/crs', message: `must be one of wgs84, gcj02, bd09; got '${crsText}'` });
  const description = textOf(fields, 'description', errors);
  const addressString = textOf(fields, 'address_string', errors);
  const addressId = textOf(fields, 'address_id', errors);
  const email = textOf(fields, 'email', errors);
  if (email !== undefined && !EMAIL.test(email)) errors.push({ path: '/email', message: 'must be an e-mail address' });
  const phone = textOf(fields, 'phone', errors);
  if (phone !== undefined && !PHONE.test(phone))
    errors.push({ path: '/phone', message: 'must be a phone number (digits, spaces, + - and brackets)' });
  // FixMyStreet's client sends `deviceid`; the spec names it device_id.
  const deviceId = textOf(fields, 'device_id', errors) ?? textOf(fields, 'deviceid', errors);
  const accountId = textOf(fields, 'account_id', errors);
  const firstName = textOf(fields, 'first_name', errors);
  const lastName = textOf(fields, 'last_name', errors);
  textOf(fields, 'jurisdiction_id', errors); // one jurisdiction here: accepted and not needed

  // FixMyStreet sends one media_url per photo when it has several: the first is the ticket's link.
  const mediaRaw = Array.isArray(fields.media_url) ? (fields.media_url as unknown[])[0] : fields.media_url;
  let mediaUrl: string | undefined;
  if (mediaRaw !== undefined && mediaRaw !== null && mediaRaw !== '') {
    const m = typeof mediaRaw === 'string' ? mediaRaw.trim() : '';
    if (!MEDIA_URL.test(m) || m.length > 2000)
      errors.push({ path: '/media_url', message: 'must be an http:// or https:// URL without spaces (at most 2000)' });
    else mediaUrl = m;
  }

  const attributes = attributesOf(fields, errors);
  if (code !== undefined && isServiceCode(code)) {
    for (const def of serviceDefinition(code).attributes) {
      const value = attributes.get(def.code);
      if (value === undefined) {
        if (def.required) errors.push({ path: `/attribute[${def.code}]`, message: `is required for ${code}` });
        continue;
      }
      const problem = attributeProblem(def, value);
      if (problem) errors.push({ path: `/attribute[${def.code}]`, message: problem });
    }
  }

  // Where: the coordinates sent, else the place the address names (a community's or village's point, a town's
  // seat), else nothing we can put on the map.
  let location: { lon: number; lat: number; crs: Crs } | undefined;
  let placedBy: 'lat_long' | NamedPlace['by'] = 'lat_long';
  let placeName: string | undefined;
  if ((lat === undefined) !== (lon === undefined)) {
    if (!errors.some((e) => e.path === '/lat' || e.path === '/long'))
      errors.push({ path: lat === undefined ? '/lat' : '/long', message: 'lat and long come together' });
  } else if (lat !== undefined && lon !== undefined) {
    location = { lon, lat, crs: (crsText as Crs | undefined) ?? 'wgs84' };
  } else if (!errors.some((e) => e.path === '/lat' || e.path === '/long')) {
    const tries: [string, () => ReturnType<Gazetteer['byId']>][] = [];
    if (addressId !== undefined) tries.push(['/address_id', () => ctx.gazetteer.byId(addressId)]);
    if (addressString !== undefined) tries.push(['/address_string', () => ctx.gazetteer.byAddress(addressString)]);
    const reasons: FieldError[] = [];
    for (const [path, place] of tries) {
      const r = place();
      if (r.ok) {
        location = { lon: r.place.lon, lat: r.place.lat, crs: 'wgs84' };
        placedBy = r.place.by;
        placeName = r.place.name;
        break;
      }
      reasons.push({ path, message: `cannot be placed: it ${r.reason}` });
    }
    if (!location)
      errors.push(
        ...(reasons.length > 0
          ? reasons
          : [
              {
                path: '/lat,/long',
                message: 'a location is required: lat and long, or an address_string or address_id we can place',
              },
            ]),
      );
  }
  if (errors.length > 0 || !location || code === undefined || !isServiceCode(code)) return { ok: false, errors };

  const id = ctx.serviceRequestId;
  const meta: Record<string, string> = {};
  const put = (k: string, v: string | undefined) => {
    if (v !== undefined) meta[k] = v.slice(0, MAX_META_TEXT);
  };
  put(POSTED_BY, ctx.postedBy);
  put('email', email);
  put('phone', phone);
  put('first_name', firstName);
  put('last_name', lastName);
  put('account_id', accountId);
  put('device_id', deviceId);
  put('address_id', addressId);
  if (placedBy !== 'lat_long')
    put('located_by', `${addressId !== undefined ? 'address_id' : 'address_string'}: ${placeName}`);
  for (const [k, v] of attributes) put(`attribute.${k}`, v);

  const event = {
    id: `o311-${id}-created`,
    kind: 'ticket.created',
    time: new Date(ctx.now).toISOString(),
    source: 'open311',
    ticketId: `o311-${id}`,
    category: code,
    urgency: 'normal',
    channel: 'open311',
    title: titleOf(description, serviceNameOf(code)),
    ...(description !== undefined ? { description } : {}),
    ...(addressString !== undefined ? { address: addressString } : {}),
    ...(mediaUrl !== undefined ? { mediaUrl } : {}),
    location,
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
  } as unknown as OpsEvent;
  return { ok: true, event, category: code, placedBy, accountId: accountId ?? null };
}
