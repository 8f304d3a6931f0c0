// OsmAnd / Traccar Client positions → patrol.position events. The OsmAnd protocol sends one position as
// query-string or form fields: id, lat, lon, timestamp, speed, bearing, altitude, accuracy, batt. Newer Traccar
// Client versions POST JSON instead: { device_id, location: { timestamp, coords: { latitude, longitude,
// speed, heading, altitude, accuracy }, battery: { level } } }. Both are read here (docs/INGEST.md).
// Units: in the flat protocol speed is in knots (as Traccar reads it); in the JSON form m/s; battery is a
// percentage in the flat form and 0–1 in the JSON form. Positions are WGS84 (GPS), unless `crs` says otherwise.
import type { OpsEvent } from '../contract/events';
import type { FieldError } from '../contract/validate';

const KNOT_MS = 0.514444;
/** The largest time a Date can hold (ms either side of 1970); beyond it toISOString() throws. */
const MAX_DATE_MS = 8.64e15;

/** A field's value as an error message quotes it; nested values are named, never serialised (deep ones overflow). */
const show = (v: unknown): string =>
  v !== null && typeof v === 'object' ? (Array.isArray(v) ? 'a list' : 'an object') : String(JSON.stringify(v));

export type OsmandMapped = { ok: true; event: OpsEvent } | { ok: false; errors: FieldError[] };

type Fields = Record<string, unknown>;

function num(fields: Fields, name: string, errors: FieldError[], required = false): number | undefined {
  const v = fields[name];
  if (v === undefined || v === '') {
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

/** OsmAnd sends Unix seconds; some trackers send milliseconds or ISO 8601. */
function timeOf(v: unknown, errors: FieldError[], path: string): string | undefined {
  if (v === undefined || v === '') return new Date().toISOString(); // a tracker that sends none means "now"
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

/** Flattens the Traccar Client JSON form into the OsmAnd field names. */
function flatten(body: Fields): { fields: Fields; json: boolean } {
  const location = body.location as Fields | undefined;
  if (!location || typeof location !== 'object') return { fields: body, json: false };
  const coords = (location.coords ?? {}) as Fields;
  const battery = (location.battery ?? {}) as Fields;
  const level = typeof battery.level === 'number' ? battery.level * 100 : undefined;
  return {
    json: true,
    fields: {
      id: body.device_id ?? body.id,
      lat: coords.latitude,
      lon: coords.longitude,
      timestamp: location.timestamp,
      speed: coords.speed,
      bearing: coords.heading,
      altitude: coords.altitude,
      accuracy: coords.accuracy,
      batt: level,
      crs: body.crs,
    },
  };
}

export interface OsmandOptions {
  /** Device id → ranger id. Absent: the device id is the ranger id. */
  devices?: ReadonlyMap<string, string>;
}

export function mapOsmand(input: Fields, options: OsmandOptions = {}): OsmandMapped {
  const { fields, json } = flatten(input);
  const errors: FieldError[] = [];
  const rawId = fields.id ?? fields.deviceid;
  const deviceId = typeof rawId === 'number' ? String(rawId) : rawId;
  if (typeof deviceId !== 'string' || deviceId === '')
    errors.push({ path: '/id', message: 'is required (the device id)' });
  else if (!/^[A-Za-z0-9_.:-]{1,100}$/.test(deviceId))
    errors.push({ path: '/id', message: 'must contain only letters, digits and _ . : -' });
  const lat = num(fields, 'lat', errors, true);
  const lon = num(fields, 'lon', errors, true);
  const time = timeOf(fields.timestamp, errors, '/timestamp');
  const speed = num(fields, 'speed', errors);
  const bearing = num(fields, 'bearing', errors) ?? num(fields, 'heading', errors);
  const altitude = num(fields, 'altitude', errors);
  const accuracy = num(fields, 'accuracy', errors);
  const battery = num(fields, 'batt', errors);
  const crs = fields.crs === 'gcj02' || fields.crs === 'bd09' ? fields.crs : undefined;
  if (errors.length > 0) return { ok: false, errors };
  let rangerId = deviceId as string;
  if (options.devices) {
    const mapped = options.devices.get(rangerId);
    if (!mapped)
      return {
        ok: false,
        errors: [{ path: '/id', message: `unknown device '${rangerId}': not registered to a ranger` }],
      };
    rangerId = mapped;
  }
  const event = {
    id: `osmand-${deviceId}-${Date.parse(time!)}`,
    kind: 'patrol.position',
    time,
    source: 'osmand',
    rangerId,
    location: { lon, lat, ...(crs ? { crs } : {}) },
    ...(speed !== undefined && speed >= 0 ? { speed: Math.round((json ? speed : speed * KNOT_MS) * 100) / 100 } : {}),
    ...(bearing !== undefined && bearing >= 0 ? { bearing: bearing % 360 } : {}),
    ...(altitude !== undefined ? { altitude } : {}),
    ...(accuracy !== undefined && accuracy >= 0 ? { accuracy } : {}),
    ...(battery !== undefined ? { battery: Math.max(0, Math.min(100, battery)) } : {}),
  } as unknown as OpsEvent;
  return { ok: true, event };
}
