// Who may log in: people (users, with a password) and devices (walls, feeds, with a long-lived token).
// The UserStore seam keeps them; domain code sees only this interface (SQLite and memory implement it in
// server/store/). Hashes never leave the server: no route returns a record as it is stored.
import type { AreaKey } from '../contract/areas';
import type { Role } from '../contract/auth';

/** Roles a person can hold; walls and feeds are devices. */
export type UserRole = Extract<Role, 'admin' | 'officer' | 'leader'>;
export const USER_ROLES: readonly UserRole[] = ['admin', 'officer', 'leader'];
/** Roles a device token can hold. */
export type DeviceRole = Extract<Role, 'wall' | 'feed'>;
export const DEVICE_ROLES: readonly DeviceRole[] = ['wall', 'feed'];

export interface UserRecord {
  /** Login name and the principal's id. */
  username: string;
  /** Display name, written into the audit trail. */
  name: string;
  role: UserRole;
  /** The district key, or a town key (leaders always a town). */
  scope: AreaKey;
  /** Self-describing scrypt hash: `scrypt$N$r$p$saltB64$hashB64` (see password.ts). */
  passwordHash: string;
  /** Epoch ms. */
  createdAt: number;
  /** A disabled user cannot log in, and their open sessions are refused on the next request. */
  disabled?: boolean;
}

export interface DeviceRecord {
  /** The id part of the token (`<id>.<secret>`), and the principal's id. */
  id: string;
  name: string;
  role: DeviceRole;
  scope: AreaKey;
  /** sha256 (hex) of the whole token; the token itself is shown once and never stored. */
  tokenHash: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms; a revoked device is refused on its next request or handshake. */
  revokedAt?: number;
}

export interface UserStore {
  getUser(username: string): Promise<UserRecord | undefined>;
  /** The users with these names, in one read (a burst of lookups); unknown names are left out, in any order. */
  getUsers(usernames: readonly string[]): Promise<UserRecord[]>;
  /** Ordered by username. */
  listUsers(): Promise<UserRecord[]>;
  /** Inserts or replaces the record with this username. */
  putUser(user: UserRecord): Promise<void>;
  countUsers(): Promise<number>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  /** The devices with these ids, in one read; unknown ids are left out, in any order. */
  getDevices(ids: readonly string[]): Promise<DeviceRecord[]>;
  /** Ordered by creation time, revoked ones included. */
  listDevices(): Promise<DeviceRecord[]>;
  /** Inserts or replaces the record with this id. */
  putDevice(device: DeviceRecord): Promise<void>;
  /** Marks the device revoked at `at` (epoch ms); false when there is no such device. Revoking twice keeps the first time. */
  revokeDevice(id: string, at: number): Promise<boolean>;
  close(): Promise<void>;
}
