// Users and device tokens, for admins only. Thin: accounts.ts holds the rules (scope, leader = a town,
// hashing); these routes map its answers to HTTP. Hashes never leave; a device token only in the 201.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import {
  CreateDeviceRequest,
  CreatedDevice,
  CreatedUser,
  CreateUserRequest,
  DeviceList,
  DeviceView,
  UpdateUserRequest,
  UserList,
  UserView,
} from '../contract/admin';
import { errorResponses } from '../contract/errors';
import { deviceView, userView, type AccountResult, type Accounts } from '../auth/accounts';
import { requireAbility } from '../auth/guard';
import type { UserStore } from '../auth/types';
import { doc, SESSION } from '../openapi/spec';

export interface AdminRouteOptions {
  users: UserStore;
  accounts: Accounts;
  /** Called after a device is revoked: its open live connections are cut off at once (gateway.cutOff). */
  onDeviceRevoked?: (id: string) => void;
}

const errors = errorResponses(400, 401, 403, 404, 409);
/** Admins are people: no device role may administer, so only the session cookie. */
const admin = (summary: string, description?: string) => doc('admin', summary, SESSION, description);

const STATUS = { invalid: [400, 'Bad Request'], exists: [409, 'Conflict'], not_found: [404, 'Not Found'] } as const;

function refuse(reply: FastifyReply, r: Extract<AccountResult<unknown>, { ok: false }>) {
  const [statusCode, error] = STATUS[r.code];
  return reply.code(statusCode).send({ statusCode, error, code: r.code, message: r.message });
}

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRouteOptions> = async (
  app,
  { users, accounts, onDeviceRevoked },
) => {
  app.addHook('preHandler', requireAbility('admin'));

  app.get(
    '/api/v1/admin/users',
    { schema: { ...admin('List the users (never a password hash)'), response: { 200: UserList, ...errors } } },
    async () => ({ users: (await users.listUsers()).map(userView) }),
  );

  app.post(
    '/api/v1/admin/users',
    {
      schema: {
        ...admin(
          'Add a user',
          'Without a password, one is generated and answered once. A leader’s scope must be a town.',
        ),
        body: CreateUserRequest,
        response: { 201: CreatedUser, ...errors },
      },
    },
    async (request, reply) => {
      const r = await accounts.addUser(request.body);
      if (!r.ok) return refuse(reply, r);
      const { user, generatedPassword } = r.value;
      return reply
        .code(201)
        .send({ user: userView(user), ...(generatedPassword !== undefined ? { password: generatedPassword } : {}) });
    },
  );

  app.patch(
    '/api/v1/admin/users/:username',
    {
      schema: {
        ...admin('Change a user: name, role, scope, password, or disable them (their sessions stop at once)'),
        params: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: UpdateUserRequest,
        response: { 200: UserView, ...errors },
      },
    },
    async (request, reply) => {
      const r = await accounts.updateUser(request.params.username, request.body);
      if (!r.ok) return refuse(reply, r);
      return reply.send(userView(r.value));
    },
  );

  app.get(
    '/api/v1/admin/devices',
    {
      schema: {
        ...admin('List the devices (walls and feeds; never a token)'),
        response: { 200: DeviceList, ...errors },
      },
    },
    async () => ({ devices: (await users.listDevices()).map(deviceView) }),
  );

  app.post(
    '/api/v1/admin/devices',
    {
      schema: {
        ...admin('Issue a device token', 'The token is in this answer only; the server keeps its hash.'),
        body: CreateDeviceRequest,
        response: { 201: CreatedDevice, ...errors },
      },
    },
    async (request, reply) => {
      const r = await accounts.addDevice(request.body);
      if (!r.ok) return refuse(reply, r);
      return reply.code(201).send({ device: deviceView(r.value.device), token: r.value.token });
    },
  );

  app.delete(
    '/api/v1/admin/devices/:id',
    {
      schema: {
        ...admin('Revoke a device', 'Its next request is refused, and its open live connections are cut off at once.'),
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: DeviceView, ...errors },
      },
    },
    async (request, reply) => {
      const r = await accounts.revokeDevice(request.params.id);
      if (!r.ok) return refuse(reply, r);
      onDeviceRevoked?.(r.value.id);
      return reply.send(deviceView(r.value));
    },
  );
};
