// NOTIFY_CONFIG: the channels alerts are told to, and how hard delivery tries. Checked once at start against a
// TypeBox schema, so that a typo in a field stops the start with the field's JSON pointer instead of a channel
// that stays silent on the night it is needed. Errors never repeat a value: URLs and secrets are credentials.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Type, { type Static } from 'typebox';
import { AlertRule, AlertSeverity, NotifyTransition, NOTIFY_TRANSITIONS } from '../contract/alerts';
import { AREA_KEY_PATTERN } from '../contract/events';
import { ChannelTypeSchema, type ChannelType } from '../contract/notify';
import { checker, describePattern, type FieldError } from '../contract/validate';

const Closed = { additionalProperties: false } as const;

// The channel types are the contract's: the admin page shows them too.
export { ChannelTypeSchema, type ChannelType };

/** Host names and IPv4/IPv6 literals; nothing that could smuggle a scheme, a path or a port. */
const HOST = '^[A-Za-z0-9:]([A-Za-z0-9.:-]{0,252}[A-Za-z0-9])?$';
const ADDRESS = '^[^\\s@<>",;]+@[^\\s@<>",;]+\\.[^\\s@<>",;]+$';
/** An address, or a display name and the address in angle brackets. */
const FROM =
  '^([^<>@"\\r\\n]{1,100} <[^\\s@<>",;]+@[^\\s@<>",;]+\\.[^\\s@<>",;]+>|[^\\s@<>",;]+@[^\\s@<>",;]+\\.[^\\s@<>",;]+)$';

const ClockTime = Type.String({
  pattern: describePattern('^([01]\\d|2[0-3]):[0-5]\\d$', 'must be a time HH:MM, e.g. 22:00'),
});

const ChannelSchema = Type.Object(
  {
    id: Type.String({
      pattern: describePattern('^[A-Za-z0-9_.-]{1,64}$', 'must be 1–64 letters, digits, _ . or -'),
    }),
    type: ChannelTypeSchema,
    /** The receiver's URL (WeCom: with its key=, DingTalk: with its access_token=); "env:NAME" reads a variable. */
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    /** HMAC key (webhook, sms: the signature header; dingtalk: 加签 SEC…); "env:NAME" reads a variable. */
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    /** Area key: the channel hears the alerts of this area's subtree. */
    scope: Type.String({ pattern: AREA_KEY_PATTERN }),
    minSeverity: Type.Optional(AlertSeverity),
    /** Only these rules; absent: every rule. */
    rules: Type.Optional(Type.Array(AlertRule, { minItems: 1, uniqueItems: true })),
    /** What is told; absent: all four. */
    transitions: Type.Optional(Type.Array(NotifyTransition, { minItems: 1, uniqueItems: true })),
    /** 'district': only the alerts the district must answer (raised at district level, or escalated to it). */
    level: Type.Optional(Type.Literal('district')),
    /** Local time (Asia/Shanghai) in which only alerts at or above quietHours.minSeverity (default severe) are sent. */
    quietHours: Type.Optional(
      Type.Object({ from: ClockTime, to: ClockTime, minSeverity: Type.Optional(AlertSeverity) }, Closed),
    ),
    language: Type.Optional(Type.Union([Type.Literal('zh'), Type.Literal('en')])),
    /** sms: the phone numbers (E.164 or 11-digit mainland numbers). */
    phones: Type.Optional(
      Type.Array(
        Type.String({ pattern: describePattern('^\\+?[0-9]{5,15}$', 'must be a phone number, e.g. 13800001111') }),
        { minItems: 1, maxItems: 100 },
      ),
    ),
    /** sms: the text, with {title} {severity} {area} {time} {transition} {link} filled in. */
    template: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** sms: the gateway's approved template id, passed through (Aliyun / Tencent SMS need one). */
    templateId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** smtp: the mail server (the relay that takes our mail), its port and whether TLS starts at once (465). */
    host: Type.Optional(Type.String({ pattern: describePattern(HOST, 'must be a host name or IP address') })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
    secure: Type.Optional(Type.Boolean()),
    /** smtp: the login; "env:NAME" reads a variable. The password is a secret like the webhook's. */
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    /** smtp: the sender, "ops@example.org" or "运行一张图 <ops@example.org>", and the recipients. */
    from: Type.Optional(
      Type.String({ pattern: describePattern(FROM, 'must be an e-mail address, e.g. 运行一张图 <ops@example.org>') }),
    ),
    to: Type.Optional(
      Type.Array(
        Type.String({ pattern: describePattern(ADDRESS, 'must be an e-mail address, e.g. duty@example.org') }),
        {
          minItems: 1,
          maxItems: 100,
        },
      ),
    ),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    /** Requests a minute at most; 0: no limit. Default 20 for wecom and dingtalk (their robots' limit), else none. */
    perMinute: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  },
  Closed,
);

const DeliverySchema = Type.Object(
  {
    /** Per request; a slow receiver is cut off after this and retried. */
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })),
    /** Retries after the first attempt, before the message is dead-lettered. */
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
    /** First wait before a retry; it doubles each time up to maxBackoffMs (with jitter). */
    backoffMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
    maxBackoffMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })),
    /** Requests in flight per channel. */
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 32 })),
    /** Messages waiting per channel; beyond it the oldest is dead-lettered (a receiver down for days). */
    queueLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    /** At start, alert events younger than this that were never delivered are delivered now. */
    catchUpMin: Type.Optional(Type.Number({ minimum: 0, maximum: 7 * 24 * 60 })),
    /** A delivery another node claimed and never finished is taken over after this (BUS=nats). */
    claimLeaseMin: Type.Optional(Type.Number({ minimum: 0.01, maximum: 24 * 60 })),
  },
  Closed,
);

const NotifyConfigSchema = Type.Object(
  { channels: Type.Array(ChannelSchema, { maxItems: 200 }), delivery: Type.Optional(DeliverySchema) },
  Closed,
);
export type ChannelConfigInput = Static<typeof ChannelSchema>;

/** An smtp channel's mail server and addresses. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); false: STARTTLS when the server offers it, required when logging in. */
  secure: boolean;
  user: string | undefined;
  /** A secret: never logged, never in an answer or an error. */
  password: string | undefined;
  from: string;
  to: readonly string[];
}

export interface ChannelConfig {
  id: string;
  type: ChannelType;
  /** The HTTP receiver; '' for smtp. */
  url: string;
  secret: string | undefined;
  scope: string;
  minSeverity: AlertSeverity;
  rules: readonly AlertRule[] | undefined;
  transitions: readonly NotifyTransition[];
  level: 'district' | undefined;
  quietHours: { fromMin: number; toMin: number; minSeverity: AlertSeverity } | undefined;
  language: 'zh' | 'en';
  phones: readonly string[];
  template: string | undefined;
  templateId: string | undefined;
  smtp: SmtpConfig | undefined;
  timeoutMs: number;
  retries: number;
  /** Requests a minute at most; undefined: no limit. */
  perMinute: number | undefined;
}

export interface DeliveryOptions {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  maxBackoffMs: number;
  concurrency: number;
  queueLimit: number;
  catchUpMs: number;
  claimLeaseMs: number;
}

export interface NotifyConfig {
  channels: readonly ChannelConfig[];
  delivery: DeliveryOptions;
}

/**
 * Defaults: a receiver gets 5 s (WeCom and DingTalk answer in well under a second); 5 retries from 2 s doubling
 * to a minute cover a receiver restarting or a network blip of about two minutes, then the message is
 * dead-lettered on the alert's trail; at start, anything of the last hour not yet delivered still goes out.
 */
export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 5000,
  retries: 5,
  backoffMs: 2000,
  maxBackoffMs: 60_000,
  concurrency: 4,
  queueLimit: 1000,
  catchUpMs: 60 * 60_000,
  claimLeaseMs: 10 * 60_000,
};

export class NotifyConfigError extends Error {
  override name = 'ConfigError';
}

const checkShape = checker(NotifyConfigSchema);
const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** WeCom and DingTalk group robots take 20 messages a minute; beyond, they answer an errcode (45009, 130101). */
const ROBOT_PER_MINUTE = 20;
function perMinute(type: ChannelType, configured: number | undefined): number | undefined {
  const n = configured ?? (type === 'wecom' || type === 'dingtalk' ? ROBOT_PER_MINUTE : 0);
  return n === 0 ? undefined : n;
}

const SMTP_FIELDS = ['host', 'port', 'secure', 'user', 'password', 'from', 'to'] as const;

/** Implicit TLS (SMTPS) is port 465; submission with STARTTLS is 587. */
const SMTPS_PORT = 465;
const SUBMISSION_PORT = 587;

/** An smtp channel's server and addresses, with the errors of what is missing or contradicts itself. */
function smtpOf(
  c: ChannelConfigInput,
  at: (field: string) => string,
  fromEnv: (value: string, at: string) => string | undefined,
  errors: FieldError[],
): SmtpConfig | undefined {
  for (const field of ['host', 'from', 'to'] as const)
    if (c[field] === undefined) errors.push({ path: at(field), message: 'is required for an smtp channel' });
  if (c.password !== undefined && c.user === undefined)
    errors.push({ path: at('user'), message: 'is required with a password' });
  if (c.user !== undefined && c.password === undefined)
    errors.push({ path: at('password'), message: 'is required with a user' });
  const secure = c.secure ?? c.port === SMTPS_PORT;
  const port = c.port ?? (secure ? SMTPS_PORT : SUBMISSION_PORT);
  const user = c.user === undefined ? undefined : fromEnv(c.user, at('user'));
  const password = c.password === undefined ? undefined : fromEnv(c.password, at('password'));
  if (c.host === undefined || c.from === undefined || c.to === undefined) return undefined;
  return { host: c.host, port, secure, user, password, from: c.from, to: c.to };
}

/** Validates parsed JSON; the errors name the field by JSON pointer and never repeat a value. */
export function resolveNotifyConfig(
  json: unknown,
  env: Record<string, string | undefined> = {},
): { ok: true; config: NotifyConfig } | { ok: false; errors: FieldError[] } {
  const shape = checkShape(json);
  if (!shape.ok) return { ok: false, errors: shape.errors };
  const input = shape.value;
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const delivery: DeliveryOptions = {
    ...DEFAULT_DELIVERY,
    ...Object.fromEntries(
      Object.entries(input.delivery ?? {}).filter(([k]) => k !== 'catchUpMin' && k !== 'claimLeaseMin'),
    ),
  };
  if (input.delivery?.catchUpMin !== undefined) delivery.catchUpMs = input.delivery.catchUpMin * 60_000;
  if (input.delivery?.claimLeaseMin !== undefined) delivery.claimLeaseMs = input.delivery.claimLeaseMin * 60_000;
  if (delivery.maxBackoffMs < delivery.backoffMs)
    errors.push({ path: '/delivery/maxBackoffMs', message: 'must not be less than backoffMs' });

  const fromEnv = (value: string, at: string): string | undefined => {
    const m = ENV_REF.exec(value);
    if (!m) return value;
    const v = env[m[1]!]?.trim();
    if (v === undefined || v === '') {
      errors.push({ path: at, message: `names the environment variable ${m[1]!}, which is not set` });
      return undefined;
    }
    return v;
  };

  const channels: ChannelConfig[] = input.channels.map((c, i) => {
    const at = (field: string) => `/channels/${i}/${field}`;
    if (seen.has(c.id)) errors.push({ path: at('id'), message: `is used by an earlier channel: ids must be unique` });
    seen.add(c.id);
    const smtp = c.type === 'smtp' ? smtpOf(c, at, fromEnv, errors) : undefined;
    if (c.type !== 'smtp' && c.url === undefined)
      errors.push({ path: at('url'), message: `is required for a ${c.type} channel` });
    if (c.type === 'smtp' && c.url !== undefined)
      errors.push({ path: at('url'), message: 'is not used by an smtp channel: give host and port' });
    const url = c.type === 'smtp' || c.url === undefined ? '' : (fromEnv(c.url, at('url')) ?? '');
    if (url !== '') {
      let parsed: URL | undefined;
      try {
        parsed = new URL(url);
      } catch {
        parsed = undefined;
      }
      if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
        errors.push({ path: at('url'), message: 'must be an http:// or https:// URL' });
    }
    const secret = c.secret === undefined ? undefined : fromEnv(c.secret, at('secret'));
    // A webhook or SMS gateway without a key could not tell our requests from anyone's.
    if ((c.type === 'webhook' || c.type === 'sms') && c.secret === undefined)
      errors.push({ path: at('secret'), message: `is required for a ${c.type} channel (it signs every request)` });
    if (c.type === 'sms' && c.phones === undefined)
      errors.push({ path: at('phones'), message: 'is required for an sms channel' });
    if (c.type !== 'sms') {
      for (const field of ['phones', 'template', 'templateId'] as const)
        if (c[field] !== undefined) errors.push({ path: at(field), message: 'is for sms channels only' });
    }
    if (c.type !== 'smtp') {
      for (const field of SMTP_FIELDS)
        if (c[field] !== undefined) errors.push({ path: at(field), message: 'is for smtp channels only' });
    }
    // The mail server's login is the password; a second key would only be one more secret to keep.
    if (c.type === 'smtp' && c.secret !== undefined)
      errors.push({ path: at('secret'), message: 'is not used by an smtp channel: give user and password' });
    return {
      id: c.id,
      type: c.type,
      url,
      secret,
      scope: c.scope,
      minSeverity: c.minSeverity ?? 'info',
      rules: c.rules,
      transitions: c.transitions ?? NOTIFY_TRANSITIONS,
      level: c.level,
      quietHours: c.quietHours && {
        fromMin: minutesOf(c.quietHours.from),
        toMin: minutesOf(c.quietHours.to),
        minSeverity: c.quietHours.minSeverity ?? 'severe',
      },
      language: c.language ?? 'zh',
      phones: c.phones ?? [],
      template: c.template,
      templateId: c.templateId,
      smtp,
      timeoutMs: c.timeoutMs ?? delivery.timeoutMs,
      retries: c.retries ?? delivery.retries,
      perMinute: perMinute(c.type, c.perMinute),
    };
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: { channels, delivery } };
}

/**
 * NOTIFY_CONFIG: empty (no channels), inline JSON (starts with "{"), or a JSON file (relative to `root`).
 * Throws NotifyConfigError naming the variable and the fields. Inline JSON holds secrets, so it is never quoted,
 * not even the parser's excerpt of it.
 */
export function loadNotifyConfig(
  value: string,
  root: string,
  env: Record<string, string | undefined> = {},
): NotifyConfig | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const inline = text.startsWith('{');
  const where = inline ? 'NOTIFY_CONFIG (inline JSON)' : `NOTIFY_CONFIG=${JSON.stringify(text)}`;
  let json: unknown;
  try {
    json = JSON.parse(inline ? text : readFileSync(path.resolve(root, text), 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const position = /position (\d+)/.exec(err.message)?.[1];
    const why =
      err.code !== undefined
        ? `cannot read the file (${err.code})`
        : `is not valid JSON${position !== undefined ? ` (at character ${position})` : ''}`;
    throw new NotifyConfigError(`${where} ${why}`);
  }
  const r = resolveNotifyConfig(json, env);
  if (!r.ok) {
    const why = r.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    throw new NotifyConfigError(`${where} is not valid: ${why}`);
  }
  return r.config;
}
