// The admin API's shapes (users and device tokens), as the server sends them: never a password hash or a
// token hash; a device token appears once, in the answer that created it. No Node imports here.
import Type, { type Static } from 'typebox';
import { AreaKeySchema } from './live';

export const UserRoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('officer'), Type.Literal('leader')]);
export const DeviceRoleSchema = Type.Union([Type.Literal('wall'), Type.Literal('feed')]);

const Username = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const Name = Type.String({ minLength: 1, maxLength: 120 });
const Password = Type.String({ minLength: 8, maxLength: 256 });
/** A key (district:110112, town:110112105) or a town's name; the server checks it against the tree. */
const ScopeInput = Type.String({ minLength: 1, maxLength: 64 });

export const UserView = Type.Object({
  username: Type.String(),
  name: Type.String(),
  role: UserRoleSchema,
  scope: AreaKeySchema,
  createdAt: Type.Integer(),
  disabled: Type.Boolean(),
});
export type UserView = Static<typeof UserView>;

export const DeviceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: DeviceRoleSchema,
  scope: AreaKeySchema,
  createdAt: Type.Integer(),
  revokedAt: Type.Union([Type.Integer(), Type.Null()]),
});
export type DeviceView = Static<typeof DeviceView>;

export const CreateUserRequest = Type.Object(
  {
    username: Username,
    name: Type.Optional(Name),
    role: UserRoleSchema,
    scope: ScopeInput,
    /** Omitted: the server generates one and returns it once. */
    password: Type.Optional(Password),
  },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

export const CreatedUser = Type.Object({
  user: UserView,
  /** Only when the server generated it. */
  password: Type.Optional(Type.String()),
});

export const UpdateUserRequest = Type.Object(
  { password: Type.Optional(Password), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

export const CreateDeviceRequest = Type.Object(
  { name: Name, role: DeviceRoleSchema, scope: ScopeInput },
  { additionalProperties: false },
);
export type CreateDeviceRequest = Static<typeof CreateDeviceRequest>;

export const CreatedDevice = Type.Object({
  device: DeviceView,
  /** The device token, shown this once; a wall is set up by opening `/wall?device=<token>`. */
  token: Type.String(),
});

export const UserList = Type.Object({ users: Type.Array(UserView) });
export const DeviceList = Type.Object({ devices: Type.Array(DeviceView) });
