// Sessions for tests without the rate-limited login: the principal is put into the app's user store (so the
// per-request check against the store passes), then a session cookie is issued for it.
// `await sessionHeaders(app, principals.townLeader)` → headers for app.inject and socket.io-client extraHeaders.
import type { App } from '../../server/app';
import { CSRF_HEADER, SESSION_COOKIE, type Principal } from '../../server/contract/auth';
import { hashDeviceToken, newDeviceToken } from '../../server/auth/device-token';
import type { DeviceRole, UserRole } from '../../server/auth/types';

/** Area keys of data/geo (towns.geojson `id`): the district, 张家湾镇, 宋庄镇. */
export const DISTRICT = 'district:110112' as const;
export const ZHANGJIAWAN = 'town:110112105' as const;
export const SONGZHUANG = 'town:110112104' as const;

export const principals = {
  admin: { kind: 'user', id: 'admin-test', name: '测试管理员', role: 'admin', scope: DISTRICT },
  districtOfficer: { kind: 'user', id: 'officer-district', name: '区值班员', role: 'officer', scope: DISTRICT },
  townOfficer: { kind: 'user', id: 'officer-zjw', name: '张家湾值班员', role: 'officer', scope: ZHANGJIAWAN },
  townLeader: { kind: 'user', id: 'leader-zjw', name: '张家湾镇领导', role: 'leader', scope: ZHANGJIAWAN },
  otherTownLeader: { kind: 'user', id: 'leader-sz', name: '宋庄镇领导', role: 'leader', scope: SONGZHUANG },
  wall: { kind: 'device', id: 'wall-0000000a', name: '指挥中心大屏', role: 'wall', scope: DISTRICT },
  feed: { kind: 'device', id: 'feed-0000000b', name: '测试数据源', role: 'feed', scope: DISTRICT },
} as const satisfies Record<string, Principal>;

const tokens = new WeakMap<App, Map<string, string>>();

/** Makes the principal exist in the app's user store (a user with an unusable password, or a device). */
async function enrol(app: App, p: Principal): Promise<void> {
  const users = app.services.auth.users;
  if (p.kind === 'user') {
    if (!(await users.getUser(p.id))) {
      await users.putUser({
        username: p.id,
        name: p.name,
        role: p.role as UserRole,
        scope: p.scope,
        passwordHash: 'none',
        createdAt: Date.now(),
      });
    }
    return;
  }
  await deviceToken(app, p);
}

/** A valid device token (Bearer / socket `auth.token`) for a wall or feed principal, created on first use. */
export async function deviceToken(app: App, p: Principal): Promise<string> {
  const perApp = tokens.get(app) ?? new Map<string, string>();
  tokens.set(app, perApp);
  const known = perApp.get(p.id);
  if (known && (await app.services.auth.users.getDevice(p.id))) return known;
  const token = newDeviceToken(p.id);
  await app.services.auth.users.putDevice({
    id: p.id,
    name: p.name,
    role: p.role as DeviceRole,
    scope: p.scope,
    tokenHash: hashDeviceToken(token),
    createdAt: Date.now(),
  });
  perApp.set(p.id, token);
  return token;
}

/** `{ cookie, 'x-csrf-token' }` of a fresh session for the principal. */
export async function sessionHeaders(app: App, p: Principal): Promise<{ cookie: string; [CSRF_HEADER]: string }> {
  await enrol(app, p);
  const { cookieValue } = app.services.auth.issueSession(p);
  const csrf = app.services.auth.csrfTokenOf(cookieValue);
  if (!csrf) throw new Error('issued session has no CSRF token');
  return { cookie: `${SESSION_COOKIE}=${cookieValue}`, [CSRF_HEADER]: csrf };
}

/** `{ authorization: 'Bearer …' }` for a device principal (wall, feed): no cookie, no CSRF. */
export async function bearerHeaders(app: App, p: Principal): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await deviceToken(app, p)}` };
}
