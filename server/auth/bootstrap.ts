// `npm start` must work at once: with no users at all, the server creates the documented demo admin.
import type { AreaKey } from '../contract/areas';
import { hashPassword } from './password';
import type { UserStore } from './types';

export const DEMO_ADMIN = 'admin';
export const DEFAULT_ADMIN_PASSWORD = 'opsmap-admin';

interface Warn {
  warn(obj: object, msg: string): void;
}

/** Creates `admin` (scope: the whole district) when the store has no user; true when it did. */
export async function ensureDemoAdmin(
  users: UserStore,
  options: { password: string; scope: AreaKey; now: () => number; log: Warn },
): Promise<boolean> {
  if ((await users.countUsers()) > 0) return false;
  await users.putUser({
    username: DEMO_ADMIN,
    name: '系统管理员',
    role: 'admin',
    scope: options.scope,
    passwordHash: await hashPassword(options.password),
    createdAt: options.now(),
  });
  const isDefault = options.password === DEFAULT_ADMIN_PASSWORD;
  // The password itself is never logged, only whether it is the published default.
  options.log.warn(
    { username: DEMO_ADMIN, defaultPassword: isDefault },
    isDefault
      ? `no users yet: created the demo admin "${DEMO_ADMIN}" with the default password "${DEFAULT_ADMIN_PASSWORD}"; change it now with \`npm run users -- passwd ${DEMO_ADMIN}\` (or start with ADMIN_PASSWORD set)`
      : `no users yet: created the admin "${DEMO_ADMIN}" with the password from ADMIN_PASSWORD; change it with \`npm run users -- passwd ${DEMO_ADMIN}\``,
  );
  return true;
}
