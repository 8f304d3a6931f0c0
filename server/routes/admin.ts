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
import { deviceView, userView, type AccountResult, type Accounts } from '../auth/accounts';
import { requireAbility } from '../auth/guard';
import type { UserStore } from '../auth/types';

export interface AdminRouteOptions {
  users: UserStore;
  accounts: Accounts;
  /** Called after a device is revoked: its open live connections are cut off at once (gateway.cutOff). */
  onDeviceRevoked?: (id: string) => void;
}

const ApiError = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  code: Type.String(),
  message: Type.String(),
});
const errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError };

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

  app.get('/api/v1/admin/users', { schema: { response: { 200: UserList, ...errors } } }, async () => ({
    users: (await users.listUsers()).map(userView),
  }));

  app.post(
    '/api/v1/admin/users',
    { schema: { body: CreateUserRequest, response: { 201: CreatedUser, ...errors } } },
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

  app.get('/api/v1/admin/devices', { schema: { response: { 200: DeviceList, ...errors } } }, async () => ({
    devices: (await users.listDevices()).map(deviceView),
  }));

  app.post(
    '/api/v1/admin/devices',
    { schema: { body: CreateDeviceRequest, response: { 201: CreatedDevice, ...errors } } },
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
