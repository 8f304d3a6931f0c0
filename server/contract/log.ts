// The log's full event schema: the producers' events and the server's alert events together. Separate from
// events.ts because alerts.ts builds on events.ts; this module sits above both. No Node imports here.
import Type from 'typebox';
import { AlertEvent } from './alerts';
import { ALERT_KIND_PREFIX, OpsEvent, Place, StoredEvent, Timestamp, validateEvent, type LogEvent } from './events';
import { checker, pointer, type CheckResult, type FieldError } from './validate';

export const LogEventSchema = Type.Union([...OpsEvent.anyOf, ...AlertEvent.anyOf]);

/** One checker per alert kind, so errors name the field of that kind rather than "matches no branch". */
const alertCheckers = new Map(
  AlertEvent.anyOf.map((schema) => [schema.properties.kind.const as string, checker(schema)]),
);

/** Any event the log may hold, checked by its kind (alert kinds against alerts.ts, the rest as validateEvent). */
export function checkLogEvent(value: unknown, base = ''): CheckResult<LogEvent> {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  if (typeof kind === 'string' && kind.startsWith(ALERT_KIND_PREFIX)) {
    const check = alertCheckers.get(kind);
    if (!check)
      return { ok: false, errors: [{ path: `${base}/kind`, message: `unknown alert kind ${JSON.stringify(kind)}` }] };
    const r = check(value);
    if (r.ok) return { ok: true, value: r.value as LogEvent };
    return { ok: false, errors: r.errors.map((e: FieldError) => ({ path: base + e.path, message: e.message })) };
  }
  const r = validateEvent(value, base);
  return r.ok ? { ok: true, value: r.event } : r;
}

const checkShell = checker(
  Type.Object(
    { seq: StoredEvent.properties.seq, receivedAt: Timestamp, event: Type.Unknown(), place: Type.Optional(Place) },
    { additionalProperties: false },
  ),
);

/** Checks a stored record of any kind (a store's read-back, an export). */
export function checkStoredLogEvent(value: unknown): CheckResult<StoredEvent> {
  const shell = checkShell(value);
  const errors: FieldError[] = shell.ok ? [] : [...shell.errors];
  const inner =
    typeof value === 'object' && value !== null && 'event' in value ? (value as { event: unknown }).event : undefined;
  if (inner !== undefined) {
    const ev = checkLogEvent(inner, pointer('', 'event'));
    if (!ev.ok) errors.push(...ev.errors);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: value as StoredEvent };
}
