// The Socket.IO contract, used as the generics of Server<...> on the server and Socket<...> on the client,
// so both sides agree on every event name and payload at compile time. Names are `entity:verb`; what the
// server announces is in the past tense. Payloads a client sends are also schemas: the server checks them,
// because a socket is as untrusted as an HTTP body. No Node imports and no socket.io import here.
import Type, { type Static } from 'typebox';
import type { AreaKey } from './areas';
import { AreaKeySchema, isAreaKey, type DeltaWire, type Snapshot } from './live';
import type { Alert } from './alerts';
import type { ReplayAck, ReplayControl, ReplayOpenRequest, ReplayStatus } from './replay';
import type { Principal } from './auth';
import { checker } from './validate';

// ---- what a client asks ----

/** Follow one area: the server moves the socket into that area's room and sends its snapshot. */
export const FollowRequest = Type.Object({ key: AreaKeySchema }, { additionalProperties: false });
export type FollowRequest = Static<typeof FollowRequest>;

/**
 * After a reconnect: "my state of `scope` is at lastSeq"; the server sends the missing deltas, or a snapshot.
 * Without scope, the scope the socket follows now (from the handshake, or the district).
 */
export const ResumeRequest = Type.Object(
  { lastSeq: Type.Integer({ minimum: 0 }), scope: Type.Optional(AreaKeySchema) },
  { additionalProperties: false },
);
export type ResumeRequest = Static<typeof ResumeRequest>;

/**
 * What a client may put in the Socket.IO handshake (`auth`; `scope` also as a query parameter). With lastSeq
 * the connection is a resume: the server sends the missed deltas or a snapshot at once, with no request to
 * race against. Open: auth will carry a token too.
 */
export const HandshakeAuth = Type.Object({
  scope: Type.Optional(AreaKeySchema),
  lastSeq: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type HandshakeAuth = Static<typeof HandshakeAuth>;

export const checkFollowRequest = checker(FollowRequest);
export const checkHandshakeAuth = checker(HandshakeAuth);
export const checkResumeRequest = checker(ResumeRequest);

/**
 * Why a request was refused. `unauthenticated`: the handshake carried no valid session or device token (a
 * connect error only); `forbidden`: the area lies outside the socket's scope.
 */
export const AckErrorCode = Type.Union([
  Type.Literal('unauthenticated'),
  Type.Literal('invalid'),
  Type.Literal('unknown_area'),
  Type.Literal('forbidden'),
  Type.Literal('not_following'),
  Type.Literal('internal'),
]);
export type AckErrorCode = Static<typeof AckErrorCode>;

export type AckError = { ok: false; error: { code: AckErrorCode; message: string } };
export type FollowAck = { ok: true; key: AreaKey; seq: number } | AckError;
/**
 * `delta`: the missing deltas follow; `snapshot`: the gap was too old, a fresh snapshot follows.
 * The gateway answers an ack after what it announces (FollowAck after the snapshot, ResumeAck after the deltas
 * or the snapshot), so a client that awaits the ack already holds the state.
 */
export type ResumeAck = { ok: true; mode: 'delta' | 'snapshot' } | AckError;

export interface ClientToServerEvents {
  'scope:follow': (request: FollowRequest, ack: (result: FollowAck) => void) => void;
  'state:resume': (request: ResumeRequest, ack: (result: ResumeAck) => void) => void;
  /** History mode (contract/replay.ts): open a replay of a past window; it starts paused. */
  'replay:open': (request: ReplayOpenRequest, ack: (result: ReplayAck) => void) => void;
  'replay:control': (request: ReplayControl, ack: (result: ReplayAck) => void) => void;
  /** Back to live: the replay and its state are dropped. */
  'replay:close': () => void;
}

// ---- what the server announces ----

export interface ServerToClientEvents {
  /** The whole state of the followed scope (after scope:follow, or when a resume cannot be served). */
  'state:snapshot': (snapshot: Snapshot) => void;
  /**
   * Coalesced changes since the previous message; apply only if delta.fromSeq equals the local seq. Sent in
   * its wire form (live.ts, DeltaWire): decodeDelta turns it into a Delta.
   */
  'state:delta': (delta: DeltaWire) => void;
  /**
   * An alert of the socket's scope was raised or changed (acknowledged, escalated, resolved …): the whole alert,
   * with the seq of its last event; a client keeps the copy with the higher seq. Sent to the rooms the alert's
   * area lies in (its town's room and the district's), so a town socket never hears of another town's alerts.
   * After a (re)connect the client loads the list from GET /api/v1/alerts.
   */
  'alert:changed': (alert: Alert) => void;
  /** The replay's state at its moment (after open, seek, a scope change), like state:snapshot. */
  'replay:snapshot': (snapshot: Snapshot) => void;
  /** The replay moving on, chained by seq like state:delta. */
  'replay:delta': (delta: DeltaWire) => void;
  'replay:status': (status: ReplayStatus) => void;
}

/**
 * Between gateway nodes, through the Socket.IO adapter (REDIS_URL) when several nodes serve clients. Only what is
 * not in the event log goes this way: every node reads the same ordered bus and computes its own deltas, but a
 * device revoked on one node must lose its sockets on every node at once, not at each node's next recheck, and
 * no node may keep answering from its cached copy of a changed user or device. Each node acknowledges once it has
 * acted, so the admin's answer comes after every node has.
 */
export interface InterServerEvents {
  /**
   * A device token was revoked: every node forgets its cached record and disconnects that device's sockets.
   * `done`: the acknowledgement; absent when a node of an earlier version sent it.
   */
  'device:revoked': (deviceId: string, done?: () => void) => void;
  /** A user was changed (disabled, enabled, new password): every node forgets its cached record. */
  'user:changed': (username: string, done?: () => void) => void;
}

/** Per-socket state the gateway keeps in socket.data. */
export interface SocketData {
  /** Set by auth from the session cookie or device token of the handshake. */
  principal?: Principal;
  /** Areas this socket may follow; null means any (no access control configured). */
  allowed: AreaKey[] | null;
  /** The area followed now, if any. */
  following: AreaKey | null;
  /** Last seq sent to this socket (snapshot or delta), for resume and gap checks. */
  lastSeq: number;
}

// ---- rooms ----

const ROOM_PREFIX = 'area:';

/**
 * One room per area ('area:district:110112', 'area:town:110112004'): a delta for an area is emitted to its
 * room only, and deciding who may join a room is the one place access control has to live.
 */
export const roomFor = (key: AreaKey): `area:${AreaKey}` => `${ROOM_PREFIX}${key}`;

/** The area key of a room name, or null when the name is not an area room. */
export function areaOfRoom(room: string): AreaKey | null {
  if (!room.startsWith(ROOM_PREFIX)) return null;
  const key = room.slice(ROOM_PREFIX.length);
  return isAreaKey(key) ? key : null;
}
