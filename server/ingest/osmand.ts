// OsmAnd / Traccar Client reports → events. The OsmAnd protocol sends one position as query-string or form fields:
// id, lat, lon (or location=lat,lon), timestamp, speed, bearing, altitude, accuracy, batt, and Traccar Client's
// extras (charge, mock, alarm, …). Newer Traccar Client versions POST JSON instead: { device_id, location: {
// timestamp, coords: { latitude, longitude, speed, heading, altitude, accuracy }, battery: { level, is_charging },
// is_moving, odometer, activity: { type }, mock, extras } }. Both are read here (docs/INGEST.md).
//
// A well-formed report is either a position, or a device status when it cannot be placed (no fix, 0/0): the
// phone's queue must move, so those are answered 2xx like positions (the route also turns "outside the district"
// and "clock ahead" into a status). Malformed reports (no id, numbers that are not numbers) are errors.
import { createHash } from 'node:crypto';
import type { DeviceStatusReason, OpsEvent } from '../contract/events';
import { LOCAL_OFFSET_MS } from '../contract/time';
import type { FieldError } from '../contract/validate';

const KNOT_MS = 0.514444;
/** The largest time a Date can hold (ms either side of 1970); beyond it toISOString() throws. */
const MAX_DATE_MS = 8.64e15;

/** A field's value as an error message quotes it; nested values are named, never serialised (deep ones overflow). */
const show = (v: unknown): string =>
  v !== null && typeof v === 'object' ? (Array.isArray(v) ? 'a list' : 'an object') : String(JSON.stringify(v));

/** Speed as a device sends it: Traccar Client's flat form in knots, the OsmAnd app in m/s. */
export type SpeedUnit = 'knots' | 'ms';

/** A device of the mapping: its ranger, and optionally the unit its speed comes in. */
export interface DeviceEntry {
  rangerId: string;
  speed?: SpeedUnit;
}

/** What one well-formed report says, before it is placed. */
export interface OsmandReport {
  deviceId: string;
  rangerId: string;
  /** The device's own time (ISO), as it claims it. */
  time: string;
  /** The position event, when the report has a fix. */
  position: OpsEvent | null;
  /** Why there is no position (no_fix, null_island); null when there is one. */
  unplaced: DeviceStatusReason | null;
  battery?: number;
  charging?: boolean;
  /** The report raises an SOS (alarm=sos, extras.alarm=sos). */
  sos: boolean;
}

export type OsmandMapped = { ok: true; report: OsmandReport } | { ok: false; errors: FieldError[] };

type Fields = Record<string, unknown>;

function num(fields: Fields, name: string, errors: FieldError[], required = false): number | undefined {
  const v = fields[name];
  if (v === undefined || v === '' || v === null) {
    if (required) errors.push({ path: `/${name}`, message: 'is required' });
    return undefined;
  }
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n)) {
    errors.push({ path: `/${name}`, message: `must be a number, got ${show(v)}` });
    return undefined;
  }
  return n;
}

/** true / false as trackers write them (true, false, 1, 0); anything else is absent. */
function bool(v: unknown): boolean | undefined {
  if (v === true || v === 'true' || v === '1' || v === 1) return true;
  if (v === false || v === 'false' || v === '0' || v === 0) return false;
  return undefined;
}

/** `yyyy-MM-dd HH:mm:ss` (or with T), no offset: a local time of the deployment (Asia/Shanghai, UTC+8). */
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?$/;

/** OsmAnd sends Unix seconds; Traccar Client milliseconds or ISO 8601; some a local time without an offset. */
function timeOf(v: unknown, errors: FieldError[], path: string): string | undefined {
  if (v === undefined || v === '') return new Date().toISOString(); // a tracker that sends none means "now"
  if (typeof v === 'string') {
    const local = LOCAL_TIME.exec(v);
    if (local) {
      const [, y, mo, d, h, mi, s, frac] = local;
      const ms = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, frac ? Math.round(Number(frac) * 1000) : 0);
      const back = new Date(ms);
      if (back.getUTCDate() !== +d! || back.getUTCMonth() !== +mo! - 1) {
        errors.push({ path, message: `is not a real date: ${show(v)}` });
        return undefined;
      }
      return new Date(ms - LOCAL_OFFSET_MS).toISOString();
    }
  }
  if (typeof v === 'string' && /[T-]/.test(v) && !/^\d+(\.\d+)?$/.test(v)) {
    const t = Date.parse(v);
    if (Number.isNaN(t)) {
      errors.push({ path, message: `is not a time: ${show(v)}` });
      return undefined;
    }
    return new Date(t).toISOString();
  }
  const n = typeof v === 'number' ? v : Number(v);
  const ms = n > 1e12 ? n : n * 1000;
  if (!Number.isFinite(n) || n <= 0 || ms > MAX_DATE_MS) {
    errors.push({ path, message: `must be Unix seconds, milliseconds or ISO 8601, got ${show(v)}` });
    return undefined;
  }
  return new Date(ms).toISOString();
}

const obj = (v: unknown): Fields | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Fields) : undefined;

/** Flattens the Traccar Client JSON form into the OsmAnd field names. */
function flatten(body: Fields): { fields: Fields; json: boolean } {
  const location = body.location;
  if (!location || typeof location !== 'object') return { fields: body, json: false };
  const loc = (obj(location) ?? {}) as Fields;
  const coords = obj(loc.coords) ?? {};
  const battery = obj(loc.battery) ?? {};
  const extras = obj(loc.extras) ?? obj(body.extras) ?? {};
  // 0–1 here; -1 when the phone does not know
  const level = typeof battery.level === 'number' ? (battery.level < 0 ? -1 : battery.level * 100) : battery.level;
  // A JSON report without coords is a heartbeat; coords that are there must be an object of numbers.
  const broken = loc.coords !== undefined && !obj(loc.coords) ? { invalid: true } : undefined;
  const coord = (v: unknown) => (loc.coords === undefined ? undefined : (broken ?? v ?? ''));
  return {
    json: true,
    fields: {
      id: body.device_id ?? body.id,
      lat: coord(coords.latitude),
      lon: coord(coords.longitude),
      timestamp: loc.timestamp,
      speed: coords.speed,
      bearing: coords.heading,
      altitude: coords.altitude,
      accuracy: coords.accuracy,
      batt: level,
      charge: battery.is_charging,
      is_moving: loc.is_moving,
      odometer: loc.odometer,
      activity: obj(loc.activity)?.type,
      mock: loc.mock,
      alarm: extras.alarm,
      crs: body.crs,
    },
  };
}

/** Device ids as people type them: letters and digits of any script, spaces, dashes, and _ . : */
const DEVICE_ID = /^[\p{L}\p{N}][\p{L}\p{N}\p{M} _.:-]{0,99}$/u;
const REF = /^[A-Za-z0-9_.:-]{1,100}$/;

/** A device id as a safe identifier (event ids, ranger ids): itself when it is one, else a stable digest. */
export function deviceRef(deviceId: string): string {
  return REF.test(deviceId) ? deviceId : `dev-${createHash('sha256').update(deviceId).digest('hex').slice(0, 20)}`;
}

export interface OsmandOptions {
  /** Device id → its ranger (and speed unit). Absent: the device id is the ranger id. */
  devices?: ReadonlyMap<string, DeviceEntry>;
}

export function mapOsmand(input: Fields, options: OsmandOptions = {}): OsmandMapped {
  const { fields, json } = flatten(input);
  const errors: FieldError[] = [];
  const rawId = fields.id ?? fields.deviceid;
  const deviceId = (typeof rawId === 'number' ? String(rawId) : typeof rawId === 'string' ? rawId : '').trim();
  if (deviceId === '') errors.push({ path: '/id', message: 'is required (the device id)' });
  else if (!DEVICE_ID.test(deviceId))
    errors.push({ path: '/id', message: 'must be letters, digits, spaces and - _ . : (at most 100)' });
  // location=lat,lon (Traccar's decoder reads it; some clients send it instead of lat and lon)
  if (typeof fields.location === 'string' && fields.lat === undefined && fields.lon === undefined) {
    const [la, lo, ...more] = fields.location.split(',');
    if (la === undefined || lo === undefined || more.length > 0)
      errors.push({ path: '/location', message: `must be lat,lon, got ${show(fields.location)}` });
    else {
      fields.lat = la.trim();
      fields.lon = lo.trim();
    }
  }
  // No lat and no lon at all: a heartbeat. One of them alone is a broken position.
  const heartbeat = fields.lat === undefined && fields.lon === undefined;
  const lat = heartbeat ? undefined : num(fields, 'lat', errors, true);
  const lon = heartbeat ? undefined : num(fields, 'lon', errors, true);
  const time = timeOf(fields.timestamp, errors, '/timestamp');
  const speed = num(fields, 'speed', errors);
  const bearing = num(fields, 'bearing', errors) ?? num(fields, 'heading', errors);
  const altitude = num(fields, 'altitude', errors);
  const accuracy = num(fields, 'accuracy', errors) ?? num(fields, 'hdop', errors);
  const batt = num(fields, 'batt', errors);
  const odometer = num(fields, 'odometer', errors);
  const crs = fields.crs === 'gcj02' || fields.crs === 'bd09' ? fields.crs : undefined;
  if (errors.length > 0) return { ok: false, errors };
  let rangerId = deviceRef(deviceId);
  let unit: SpeedUnit = json ? 'ms' : 'knots';
  if (options.devices) {
    const mapped = options.devices.get(deviceId);
    if (!mapped)
      return {
        ok: false,
        errors: [{ path: '/id', message: `unknown device ${show(deviceId)}: not registered to a ranger` }],
      };
    rangerId = mapped.rangerId;
    if (mapped.speed) unit = mapped.speed;
  }
  // Battery below 0 is "unknown" (Traccar Client sends -1), not empty.
  const battery = batt !== undefined && batt >= 0 ? Math.min(100, batt) : undefined;
  const charging = bool(fields.charge ?? fields.is_charging);
  const alarm = typeof fields.alarm === 'string' ? fields.alarm.trim().toLowerCase() : '';
  const sos = alarm.split(',').includes('sos');
  const common = {
    deviceId,
    rangerId,
    time: time!,
    sos,
    ...(battery !== undefined ? { battery } : {}),
    ...(charging !== undefined ? { charging } : {}),
  };
  if (lat === undefined || lon === undefined)
    return { ok: true, report: { ...common, position: null, unplaced: 'no_fix' } };
  if (lat === 0 && lon === 0) return { ok: true, report: { ...common, position: null, unplaced: 'null_island' } };
  const meta: Record<string, string | number | boolean> = {};
  if (deviceId !== rangerId) meta.deviceId = deviceId;
  if (charging !== undefined) meta.charging = charging;
  const moving = bool(fields.is_moving);
  if (moving !== undefined) meta.moving = moving;
  if (typeof fields.activity === 'string' && fields.activity !== '') meta.activity = fields.activity.slice(0, 64);
  if (odometer !== undefined) meta.odometer = odometer;
  const hdop = num(fields, 'hdop', []);
  if (hdop !== undefined) meta.hdop = hdop;
  const mock = bool(fields.mock);
  if (mock !== undefined) meta.mock = mock;
  const event = {
    id: `osmand-${deviceRef(deviceId)}-${Date.parse(time!)}`,
    kind: 'patrol.position',
    time,
    source: 'osmand',
    rangerId,
    location: { lon, lat, ...(crs ? { crs } : {}) },
    ...(speed !== undefined && speed >= 0
      ? { speed: Math.round((unit === 'ms' ? speed : speed * KNOT_MS) * 100) / 100 }
      : {}),
    ...(bearing !== undefined && bearing >= 0 ? { bearing: bearing % 360 } : {}),
    ...(altitude !== undefined ? { altitude } : {}),
    ...(accuracy !== undefined && accuracy >= 0 ? { accuracy } : {}),
    ...(battery !== undefined ? { battery } : {}),
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
  } as unknown as OpsEvent;
  return { ok: true, report: { ...common, position: event, unplaced: null } };
}
