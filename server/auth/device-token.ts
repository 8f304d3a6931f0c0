// Device tokens: `<id>.<32 random bytes, base64url>`. The id part finds the record; only the sha256 of the
// whole token is stored, so a copy of the database does not let anyone act as a wall or a feed.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DeviceRole } from './types';

const ID_RE = /^[a-z]+-[0-9a-f]{8,32}$/;

/** A new device id, e.g. `wall-5f0c9a2e1b7d`: the role first, so a log line or a list reads at a glance. */
export const newDeviceId = (role: DeviceRole): string => `${role}-${randomBytes(6).toString('hex')}`;

export function newDeviceToken(id: string): string {
  return `${id}.${randomBytes(32).toString('base64url')}`;
}

export const hashDeviceToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The id part of a well-formed token; undefined for anything else (no store lookup for garbage). */
export function deviceIdOf(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 200) return undefined;
  const id = token.slice(0, dot);
  return ID_RE.test(id) && /^[A-Za-z0-9_-]{43}$/.test(token.slice(dot + 1)) ? id : undefined;
}

export function deviceTokenMatches(token: string, tokenHash: string): boolean {
  const a = Buffer.from(hashDeviceToken(token), 'hex');
  const b = Buffer.from(tokenHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
