// The Socket.IO gateway: scope → rooms, snapshot, coalesced deltas with sequence numbers, resume.
// One timer drains the live state's change set (takeChanges) every flushMs and sends each room that has
// something one delta, serialised once per room by Socket.IO's broadcast. README.md in this folder describes
// the protocol (ordering, wire form, resume) for whoever writes a client.
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { AreaKey, AreaTree } from '../contract/areas';
import type { Principal } from '../contract/auth';
import {
  diffAggregateRows,
  socketAggregate,
  toWireRow,
  trailMark,
  trailTail,
  wireCheckpoint,
  wireIncident,
  wireRanger,
  wireRangerTail,
  wireTicket,
  type AggregatePatch,
  type AggregateRow,
  type CheckpointObject,
  type DeltaWire,
  type IncidentObject,
  type RangerObject,
  type RangerWire,
  type Snapshot,
  type TicketObject,
  type TrailMark,
} from '../contract/live';
import {
  checkFollowRequest,
  checkHandshakeAuth,
  checkResumeRequest,
  roomFor,
  type AckError,
  type AckErrorCode,
  type ClientToServerEvents,
  type FollowAck,
  type InterServerEvents,
  type ResumeAck,
  type ServerToClientEvents,
  type SocketData,
} from '../contract/socket';
import { DEFAULT_LIVE_OPTIONS } from '../live/options';
import type { LiveChanges, LiveState, ObjectKind } from '../live/types';
import { ResumeBuffer } from './resume-buffer';
import { allowedRooms, isFollowable, mayFollow, scopeKeys, townKeyOf } from './rooms';
import { frameBytes } from './wire';

export type GatewayServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type GatewaySocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The part of a pino / Fastify logger the gateway uses. */
export interface GatewayLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What the gateway needs of a Fastify instance: its http server, and a hook to close with it. */
export interface FastifyLike {
  server: HttpServer;
  addHook(name: 'preClose', hook: () => Promise<void>): unknown;
}

/** What a socket presents when it connects: its HTTP headers (the session cookie) and its `auth` object. */
export interface HandshakeCredentials {
  headers: IncomingHttpHeaders;
  auth: Record<string, unknown>;
}

/** Who a handshake belongs to; null: no valid session or device token (revoked, expired, missing). */
export type Authenticate = (handshake: HandshakeCredentials) => Promise<Principal | null>;

export interface GatewayOptions {
  /** The http server to attach to, or a Fastify instance (attach before ready(): the gateway closes in preClose). */
  httpServer: HttpServer | FastifyLike;
  live: LiveState;
  tree: AreaTree;
  /** Coalescing window (100–250 ms suits a wall); 0 turns the timer off and leaves flush() to the caller. */
  flushMs?: number;
  /**
   * A room that had no change for this long gets an empty delta (its seq moves to the log's head): clients
   * can then tell a quiet district from a dead connection, and show stale data only when it is. 0: never.
   */
  heartbeatMs?: number;
  /** Deltas kept per room for resume. */
  resumeLimit?: number;
  /** ... and for at most this long. Also how long an empty room (and its resume buffer) outlives its last socket. */
  resumeMs?: number;
  logger?: GatewayLogger;
  /** Who may follow what; default: SocketData.allowed (null: everyone, everything). */
  authorize?: (data: SocketData, scope: AreaKey) => boolean;
  /**
   * Decides who a handshake belongs to. Given, every socket needs a principal that may read, and may follow
   * only the rooms of its scope (allowedRooms); absent (gateway tests, benchmarks), no access control.
   */
  authenticate?: Authenticate;
  /**
   * With authenticate: how often every connected socket's handshake is checked again, so that a revoked
   * device or an ended session is cut off while connected (ms; 0: only at the handshake).
   */
  recheckMs?: number;
  /** Clock for delta timestamps and the resume buffer's age (tests). */
  now?: () => number;
  /**
   * The live state's trail window (LiveOptions.trailMs; default: its default). Sent in snapshots: clients trim
   * the trails they extend with deltas' trail tails to it, so it must be the window the live state keeps.
   */
  trailMs?: number;
  /** Count bytes of every delta (one extra JSON.stringify per room and flush); default true. */
  measureBytes?: boolean;
  /** Passed to Socket.IO (path, cors, …). */
  serverOptions?: Partial<ServerOptions>;
}

export interface GatewayMetrics {
  /** Sockets connected now. */
  sockets: number;
  /** Connections accepted since start. */
  connections: number;
  rooms: number;
  flushes: number;
  /** Room broadcasts of a delta (one serialisation each). */
  deltasEmitted: number;
  /** Deltas received by sockets: each broadcast times its recipients, plus resume replays. */
  deltasDelivered: number;
  /** Socket.IO text frames of the broadcast deltas, once per broadcast. */
  deltaBytes: number;
  /** deltaBytes times recipients: what left the process. */
  deltaBytesDelivered: number;
  /** Changed aggregates carried by broadcast deltas, and the bytes of their patches. */
  aggregatesSent: number;
  aggregateBytes: number;
  snapshotsSent: number;
  snapshotBytes: number;
  resumedWithDeltas: number;
  resumedWithSnapshot: number;
  /** Wall time of the last flush, and its process CPU time (µs), for the benchmark. */
  lastFlushMs: number;
  flushCpuMicros: number;
  flushErrors: number;
}

export interface Gateway {
  readonly io: GatewayServer;
  /** Drains the change set now and sends what it holds (the timer calls this). */
  flush(): void;
  metrics(): GatewayMetrics;
  /**
   * Disconnects the sockets whose principal matches now (a device just revoked, a user disabled); they are
   * refused when they come back. Returns how many were cut off.
   */
  cutOff(match: (principal: Principal) => boolean): number;
  /** Checks every socket's handshake again (the recheck timer calls this); returns how many were cut off. */
  recheck(): Promise<number>;
  /** Disconnects every socket and closes Socket.IO (and with it the http server it is attached to). */
  close(): Promise<void>;
}

export const DEFAULT_FLUSH_MS = 150;
export const DEFAULT_RESUME_LIMIT = 256;
export const DEFAULT_RESUME_MS = 120_000;
/** Well under the clients' 10 s stale threshold, so a quiet room never looks stale while connected. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** A revoked device or an ended session loses its live connection within this time. */
export const DEFAULT_RECHECK_MS = 60_000;
/** Clients send small requests only; a large frame is a mistake or an attack. */
const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;

const OBJECT_KINDS: readonly ObjectKind[] = ['tickets', 'checkpoints', 'rangers', 'incidents'];

/** Objects as the live state gives them ... */
interface ObjectOf {
  tickets: TicketObject;
  checkpoints: CheckpointObject;
  rangers: RangerObject;
  incidents: IncidentObject;
}
/** ... and as a delta carries them (rounded; rangers with a trail tail where the room holds the trail). */
interface WireOf {
  tickets: TicketObject;
  checkpoints: CheckpointObject;
  rangers: RangerWire;
  incidents: IncidentObject;
}
type ObjectGroups = { [K in ObjectKind]: { upserts: WireOf[K][]; removals: string[] } };

/** A socket waiting for its snapshot; it joins the room when the snapshot goes out, at the next flush. */
interface Pending {
  socket: GatewaySocket;
  /** Called after the snapshot was sent, with its seq (answers the ack). */
  done?: (seq: number) => void;
  /** Called when a later request replaces this one (answers the ack with an error). */
  superseded?: () => void;
}

interface Room {
  scope: AreaKey;
  name: string;
  keys: AreaKey[];
  position: Map<AreaKey, number>;
  /** toSeq of the last delta sent (or the seq of the first snapshot); null until the room's first flush. */
  head: number | null;
  resume: ResumeBuffer | null;
  pending: Map<string, Pending>;
  /** When the room last had neither members nor pending sockets, for garbage collection. */
  emptySince: number | null;
  /** When the room's last delta went out (or its first snapshot), for the heartbeat. */
  lastDeltaAt: number;
}

/** What one flush collects for one room. */
interface Outgoing {
  patches: AggregatePatch[];
  objects: ObjectGroups;
  aggregates: number;
}

interface Intent {
  scope: AreaKey;
  lastSeq: number | undefined;
}

const noop = () => {};
const SILENT: GatewayLogger = { debug: noop, info: noop, warn: noop, error: noop };

const emptyGroups = (): ObjectGroups => ({
  tickets: { upserts: [], removals: [] },
  checkpoints: { upserts: [], removals: [] },
  rangers: { upserts: [], removals: [] },
  incidents: { upserts: [], removals: [] },
});

const hasChanges = (group: { upserts: unknown[]; removals: unknown[] }): boolean =>
  group.upserts.length > 0 || group.removals.length > 0;

const ackError = (code: AckErrorCode, message: string): AckError => ({ ok: false, error: { code, message } });

function gatewayError(code: AckErrorCode, message: string): Error & { data: { code: AckErrorCode } } {
  return Object.assign(new Error(message), { data: { code } });
}

const credentialsOf = (socket: GatewaySocket): HandshakeCredentials => ({
  headers: socket.handshake.headers,
  auth: (socket.handshake.auth ?? {}) as Record<string, unknown>,
});

/** The refusal of an area outside the socket's scope, in the words of the REST routes' 403. */
function notYours(data: SocketData, scope: AreaKey): string {
  return data.principal ? `not in your area: ${scope} lies outside ${data.principal.scope}` : `may not follow ${scope}`;
}

const isFastify = (target: HttpServer | FastifyLike): target is FastifyLike =>
  'server' in target && typeof (target as FastifyLike).addHook === 'function';

export function attachGateway(options: GatewayOptions): Gateway {
  return new SocketGateway(options);
}

class SocketGateway implements Gateway {
  readonly io: GatewayServer;
  private readonly live: LiveState;
  private readonly tree: AreaTree;
  private readonly log: GatewayLogger;
  private readonly authorize: (data: SocketData, scope: AreaKey) => boolean;
  private readonly authenticate: Authenticate | null;
  private readonly recheckTimer: NodeJS.Timeout | null;
  private readonly now: () => number;
  private readonly measureBytes: boolean;
  private readonly trailMs: number;
  private readonly resumeLimit: number;
  private readonly resumeMs: number;
  private readonly heartbeatMs: number;
  private readonly timer: NodeJS.Timeout | null;
  private readonly rooms = new Map<AreaKey, Room>();
  /** Room each socket waits in for a snapshot. */
  private readonly pendingRoom = new Map<string, Room>();
  private readonly intents = new WeakMap<GatewaySocket, Intent>();
  /**
   * The wire row of each aggregate as last sent (patches are computed against it). Present only while the
   * key is in a live room: a key changing outside every room is dropped, so its next patch is complete.
   */
  private readonly sent = new Map<AreaKey, AggregateRow>();
  /**
   * The span of each ranger's trail as last sent (delta or snapshot), which is what every room showing the
   * ranger holds: a ranger's change goes to all of them in the same flush, and a snapshot is taken after the
   * flush's deltas. A delta to a room that held the ranger carries only the points after it (trailTail).
   * Dropped when a ranger changes outside every live room or leaves the map, so a stale span is never used.
   */
  private readonly trailSent = new Map<string, TrailMark>();
  /** Town room each object was last routed to (null: outside every town), to remove it when it moves. */
  private readonly objectTown: Record<ObjectKind, Map<string, AreaKey | null>> = {
    tickets: new Map(),
    checkpoints: new Map(),
    rangers: new Map(),
    incidents: new Map(),
  };
  /** The live seq the last takeChanges() reached. */
  private seq: number;
  private closing: Promise<void> | null = null;
  private readonly counters: Omit<GatewayMetrics, 'sockets' | 'rooms'> = {
    connections: 0,
    flushes: 0,
    deltasEmitted: 0,
    deltasDelivered: 0,
    deltaBytes: 0,
    deltaBytesDelivered: 0,
    aggregatesSent: 0,
    aggregateBytes: 0,
    snapshotsSent: 0,
    snapshotBytes: 0,
    resumedWithDeltas: 0,
    resumedWithSnapshot: 0,
    lastFlushMs: 0,
    flushCpuMicros: 0,
    flushErrors: 0,
  };

  constructor(options: GatewayOptions) {
    this.live = options.live;
    this.tree = options.tree;
    this.log = options.logger ?? SILENT;
    this.authorize = options.authorize ?? mayFollow;
    this.authenticate = options.authenticate ?? null;
    this.now = options.now ?? Date.now;
    this.measureBytes = options.measureBytes ?? true;
    this.trailMs = options.trailMs ?? DEFAULT_LIVE_OPTIONS.trailMs;
    // Snapshot.trailMs is a positive integer: refuse a value clients could not trim by, at start.
    if (!(Number.isInteger(this.trailMs) && this.trailMs > 0)) {
      throw new RangeError(`gateway trailMs must be a positive integer, got ${this.trailMs}`);
    }
    this.resumeLimit = options.resumeLimit ?? DEFAULT_RESUME_LIMIT;
    this.resumeMs = options.resumeMs ?? DEFAULT_RESUME_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;

    // Changes folded before the gateway existed concern no client: every client starts from a snapshot.
    this.seq = this.live.takeChanges().toSeq;
    this.seedObjectTowns();

    const target = options.httpServer;
    const httpServer = isFastify(target) ? target.server : target;
    this.io = new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>(httpServer, {
      serveClient: false,
      maxHttpBufferSize: MAX_CLIENT_MESSAGE_BYTES,
      ...options.serverOptions,
    });
    // Fastify closes its http server after preClose; closing sockets first keeps server.close() from waiting
    // on open WebSockets. Registering after ready() throws, which is the right time to find out.
    if (isFastify(target)) target.addHook('preClose', () => this.close());

    this.io.use((socket, next) => {
      this.admit(socket).then(
        (intent) => {
          if ('error' in intent) return next(intent.error);
          this.intents.set(socket, intent);
          next();
        },
        (error: unknown) => {
          this.log.error({ err: error }, 'socket handshake could not be checked');
          next(gatewayError('internal', 'the handshake could not be checked; retry'));
        },
      );
    });
    this.io.on('connection', (socket) => this.onConnection(socket));

    const flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.timer = flushMs > 0 ? setInterval(() => this.flush(), flushMs) : null;
    // The http server keeps the process alive while it serves; the timer alone should not.
    this.timer?.unref();
    const recheckMs = options.recheckMs ?? DEFAULT_RECHECK_MS;
    this.recheckTimer = this.authenticate && recheckMs > 0 ? setInterval(() => void this.recheck(), recheckMs) : null;
    this.recheckTimer?.unref();
  }

  // ---- connections and requests ----

  /** Who the socket is (with authenticate), then what it asks for (readHandshake). */
  private async admit(socket: GatewaySocket): Promise<Intent | { error: Error }> {
    if (this.closing) return { error: gatewayError('internal', 'the server is shutting down') };
    if (!this.authenticate) return this.readHandshake(socket, undefined);
    const principal = await this.authenticate(credentialsOf(socket));
    if (!principal) return { error: gatewayError('unauthenticated', 'log in first (session cookie or device token)') };
    if (allowedRooms(this.tree, principal).length === 0) {
      return {
        error: gatewayError('forbidden', `a ${principal.role} with scope ${principal.scope} may not follow live state`),
      };
    }
    return this.readHandshake(socket, principal);
  }

  private readHandshake(socket: GatewaySocket, principal: Principal | undefined): Intent | { error: Error } {
    if (this.closing) return { error: gatewayError('internal', 'the server is shutting down') };
    const auth: Record<string, unknown> = socket.handshake.auth ?? {};
    const query = socket.handshake.query.scope;
    const raw = {
      ...(auth.scope !== undefined ? { scope: auth.scope } : typeof query === 'string' ? { scope: query } : {}),
      ...(auth.lastSeq !== undefined ? { lastSeq: auth.lastSeq } : {}),
    };
    const checked = checkHandshakeAuth(raw);
    if (!checked.ok) {
      const why = checked.errors.map((e) => `${e.path} ${e.message}`).join('; ');
      return { error: gatewayError('invalid', `handshake: ${why}`) };
    }
    // A socket that names no scope follows its principal's own (a town leader lands on their town).
    const home = principal && isFollowable(this.tree, principal.scope) ? principal.scope : (this.tree.root as AreaKey);
    const scope = checked.value.scope ?? home;
    if (!isFollowable(this.tree, scope)) return { error: gatewayError('unknown_area', `no followable area ${scope}`) };
    socket.data = principal
      ? { principal, allowed: allowedRooms(this.tree, principal), following: null, lastSeq: -1 }
      : { allowed: null, following: null, lastSeq: -1 };
    if (!this.authorize(socket.data, scope)) return { error: gatewayError('forbidden', notYours(socket.data, scope)) };
    return { scope, lastSeq: checked.value.lastSeq };
  }

  private onConnection(socket: GatewaySocket): void {
    this.counters.connections += 1;
    const intent = this.intents.get(socket);
    if (intent?.lastSeq !== undefined) this.resume(socket, intent.scope, intent.lastSeq);
    else this.follow(socket, intent?.scope ?? (this.tree.root as AreaKey));

    socket.on('scope:follow', (request, ack) => {
      const reply = typeof ack === 'function' ? ack : noop;
      const checked = checkFollowRequest(request);
      if (!checked.ok)
        return reply(ackError('invalid', checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')));
      const refusal = this.refusal(socket, checked.value.key);
      if (refusal) return reply(refusal);
      const key = checked.value.key;
      this.follow(socket, key, (seq) => reply({ ok: true, key, seq }), reply);
    });

    socket.on('state:resume', (request, ack) => {
      const reply = typeof ack === 'function' ? ack : noop;
      const checked = checkResumeRequest(request);
      if (!checked.ok)
        return reply(ackError('invalid', checked.errors.map((e) => `${e.path} ${e.message}`).join('; ')));
      const scope = checked.value.scope ?? socket.data.following;
      if (scope === null) return reply(ackError('not_following', 'name the scope to resume'));
      const refusal = this.refusal(socket, scope);
      if (refusal) return reply(refusal);
      this.resume(socket, scope, checked.value.lastSeq, reply);
    });

    socket.on('disconnect', () => this.cancelPending(socket));
  }

  private refusal(socket: GatewaySocket, scope: AreaKey): AckError | null {
    if (!isFollowable(this.tree, scope))
      return ackError('unknown_area', `no followable area ${scope} (district or town)`);
    if (!this.authorize(socket.data, scope)) return ackError('forbidden', notYours(socket.data, scope));
    return null;
  }

  // ---- revocation ----

  cutOff(match: (principal: Principal) => boolean): number {
    let n = 0;
    for (const socket of this.io.of('/').sockets.values()) {
      const p = socket.data.principal;
      if (!p || !match(p)) continue;
      this.drop(socket);
      n += 1;
    }
    return n;
  }

  async recheck(): Promise<number> {
    if (!this.authenticate || this.closing) return 0;
    const gone = new Set<GatewaySocket>();
    for (const socket of [...this.io.of('/').sockets.values()]) {
      const was = socket.data.principal;
      if (!was) continue;
      let now: Principal | null;
      try {
        now = await this.authenticate(credentialsOf(socket));
      } catch (error) {
        // A store that cannot answer right now is no reason to drop a wall; the next round tries again.
        this.log.warn({ err: error }, 'socket recheck could not be done');
        continue;
      }
      // Changed rights (another role or scope) also end the connection: the reconnect gets the new ones.
      if (!now || now.id !== was.id || now.role !== was.role || now.scope !== was.scope) gone.add(socket);
    }
    for (const socket of gone) this.drop(socket);
    return gone.size;
  }

  private drop(socket: GatewaySocket): void {
    const p = socket.data.principal;
    this.log.info(
      { socket: socket.id, principal: p?.id, role: p?.role },
      'socket cut off: its credentials no longer hold',
    );
    socket.disconnect(true);
  }

  /** Moves the socket to `scope`: it leaves its room now and joins the new one with its snapshot, at the next flush. */
  private follow(
    socket: GatewaySocket,
    scope: AreaKey,
    done?: (seq: number) => void,
    reply?: (result: FollowAck) => void,
  ): void {
    this.leaveAll(socket);
    const superseded = reply ? () => reply(ackError('invalid', 'superseded by a later request')) : undefined;
    this.wait(socket, this.room(scope), { socket, done, superseded });
  }

  /**
   * Brings a reconnected client from lastSeq to the room's head: the missed deltas now, in order, when the
   * resume buffer proves them complete; otherwise a snapshot at the next flush.
   */
  private resume(socket: GatewaySocket, scope: AreaKey, lastSeq: number, reply?: (result: ResumeAck) => void): void {
    this.leaveAll(socket);
    const room = this.room(scope);
    const missed = room.head !== null && room.resume ? room.resume.since(lastSeq, room.head) : null;
    if (missed && room.head !== null) {
      for (const wire of missed) socket.emit('state:delta', wire);
      void socket.join(room.name);
      socket.data.following = scope;
      socket.data.lastSeq = room.head;
      this.counters.resumedWithDeltas += 1;
      this.counters.deltasDelivered += missed.length;
      this.log.debug({ socket: socket.id, scope, lastSeq, replayed: missed.length }, 'resumed with deltas');
      reply?.({ ok: true, mode: 'delta' });
      return;
    }
    this.counters.resumedWithSnapshot += 1;
    this.log.debug({ socket: socket.id, scope, lastSeq, head: room.head }, 'resume needs a snapshot');
    this.wait(socket, room, {
      socket,
      done: reply ? () => reply({ ok: true, mode: 'snapshot' }) : undefined,
      superseded: reply ? () => reply(ackError('invalid', 'superseded by a later request')) : undefined,
    });
  }

  private wait(socket: GatewaySocket, room: Room, pending: Pending): void {
    room.pending.set(socket.id, pending);
    room.emptySince = null;
    this.pendingRoom.set(socket.id, room);
    socket.data.following = room.scope;
  }

  /** Leaves every area room and answers a pending request as superseded. */
  private leaveAll(socket: GatewaySocket): void {
    const waiting = this.cancelPending(socket);
    waiting?.superseded?.();
    for (const room of this.rooms.values()) {
      if (socket.rooms.has(room.name)) void socket.leave(room.name);
    }
  }

  private cancelPending(socket: GatewaySocket): Pending | undefined {
    const room = this.pendingRoom.get(socket.id);
    if (!room) return undefined;
    this.pendingRoom.delete(socket.id);
    const pending = room.pending.get(socket.id);
    room.pending.delete(socket.id);
    return pending;
  }

  private room(scope: AreaKey): Room {
    let room = this.rooms.get(scope);
    if (!room) {
      const keys = scopeKeys(this.tree, scope);
      room = {
        scope,
        name: roomFor(scope),
        keys,
        position: new Map(keys.map((k, i) => [k, i])),
        head: null,
        resume: null,
        pending: new Map(),
        emptySince: null,
        lastDeltaAt: this.now(),
      };
      this.rooms.set(scope, room);
    }
    return room;
  }

  // ---- the flush ----

  flush(): void {
    if (this.closing) return;
    const started = performance.now();
    const cpu = process.cpuUsage();
    try {
      this.flushOnce();
    } catch (error) {
      // A half-sent flush leaves clients unable to trust their seq: everyone starts again from a snapshot.
      this.counters.flushErrors += 1;
      this.log.error({ err: error }, 'gateway flush failed; every socket gets a fresh snapshot');
      this.resyncAll();
    }
    const used = process.cpuUsage(cpu);
    this.counters.flushCpuMicros += used.user + used.system;
    this.counters.lastFlushMs = performance.now() - started;
    this.counters.flushes += 1;
  }

  private flushOnce(): void {
    const changes = this.live.takeChanges();
    if (changes.fromSeq !== this.seq) {
      // Someone else drained the change set: those changes were never sent. The gateway must be its only reader.
      this.log.error({ expected: this.seq, fromSeq: changes.fromSeq }, 'live changes were taken by someone else');
      this.seq = changes.toSeq;
      throw new Error(`change set starts at ${changes.fromSeq}, gateway is at ${this.seq}`);
    }
    this.seq = changes.toSeq;
    const nowMs = this.now();
    const out = new Map<Room, Outgoing>();
    const outgoing = (room: Room): Outgoing => {
      let o = out.get(room);
      if (!o) out.set(room, (o = { patches: [], objects: emptyGroups(), aggregates: 0 }));
      return o;
    };

    this.collectAggregates(changes, outgoing);
    this.collectObjects(changes, 'tickets', (id) => this.live.ticket(id), wireTicket, outgoing);
    this.collectObjects(changes, 'checkpoints', (id) => this.live.checkpoint(id), wireCheckpoint, outgoing);
    this.collectObjects(
      changes,
      'rangers',
      (id) => this.live.ranger(id),
      (r, held) => this.rangerFor(r, held),
      outgoing,
      (id, r) => this.noteTrail(id, r),
    );
    this.collectObjects(changes, 'incidents', (id) => this.live.incident(id), wireIncident, outgoing);

    if (this.heartbeatMs > 0) {
      for (const room of this.rooms.values()) {
        if (room.head !== null && !out.has(room) && nowMs - room.lastDeltaAt >= this.heartbeatMs) outgoing(room);
      }
    }

    const at = new Date(nowMs).toISOString();
    const members = this.io.of('/').adapter.rooms;
    for (const [room, o] of out) {
      if (room.head === null || !room.resume) continue;
      const wire: DeltaWire = { fromSeq: room.head, toSeq: this.seq, scope: room.scope, at, patches: o.patches };
      const { tickets, checkpoints, rangers, incidents } = o.objects;
      if (hasChanges(tickets)) wire.tickets = tickets;
      if (hasChanges(checkpoints)) wire.checkpoints = checkpoints;
      if (hasChanges(rangers)) wire.rangers = rangers;
      if (hasChanges(incidents)) wire.incidents = incidents;
      room.resume.push(wire, nowMs);
      room.head = this.seq;
      room.lastDeltaAt = nowMs;
      const recipients = members.get(room.name)?.size ?? 0;
      if (recipients > 0) this.io.to(room.name).emit('state:delta', wire);
      this.count(wire, o.aggregates, recipients);
    }

    this.serveSnapshots();
    this.collectRooms(nowMs);
  }

  /** Patches for changed aggregates, computed once per key and routed to the rooms that show the key. */
  private collectAggregates(changes: LiveChanges, outgoing: (room: Room) => Outgoing): void {
    for (const key of changes.aggregates) {
      const own = this.rooms.get(key);
      const parentKey = this.tree.nodes[key]?.parent;
      const parent = parentKey ? this.rooms.get(parentKey as AreaKey) : undefined;
      const targets = [own, parent].filter((r): r is Room => r !== undefined && r.head !== null);
      const aggregate = targets.length > 0 ? this.live.aggregate(key) : undefined;
      if (!aggregate) {
        // No room shows it: forget what was sent, so a later room gets a complete patch, never a stale diff.
        this.sent.delete(key);
        continue;
      }
      const row = toWireRow(aggregate);
      const cells = diffAggregateRows(this.sent.get(key), row);
      this.sent.set(key, row);
      if (cells.length === 0) continue;
      for (const room of targets) {
        const position = room.position.get(key);
        if (position === undefined) continue;
        const o = outgoing(room);
        o.patches.push([position, ...cells]);
        o.aggregates += 1;
      }
    }
  }

  /**
   * Upserts and removals of one kind, routed by town: the district room gets all, a town room those in the
   * town, and the town an object left gets its removal. Upserts go as wire copies (`copy`: rounded, and deep,
   * because the resume buffer must keep the object as it was when sent while the live state may mutate it in place);
   * `held` tells the copy whether the room showed the object before this flush. `sent` hears, per id, the
   * object sent (undefined: removed, or shown in no live room).
   */
  private collectObjects<K extends ObjectKind>(
    changes: LiveChanges,
    kind: K,
    get: (id: string) => ObjectOf[K] | undefined,
    copy: (object: ObjectOf[K], held: boolean) => WireOf[K],
    outgoing: (room: Room) => Outgoing,
    sent?: (id: string, object: ObjectOf[K] | undefined) => void,
  ): void {
    const upserts = changes.upserts[kind];
    const removals = changes.removals[kind];
    if (upserts.size === 0 && removals.size === 0) return;
    const district = this.activeRoom(this.tree.root as AreaKey);
    const towns = this.objectTown[kind];
    const ids = new Set([...upserts.keys(), ...removals.keys()]);
    for (const id of ids) {
      const object = get(id);
      const before = towns.get(id);
      if (object) {
        const town = townKeyOf(this.tree, upserts.get(id) ?? this.live.townOf(kind, id)) ?? null;
        towns.set(id, town);
        const here = town ? this.activeRoom(town) : undefined;
        // One copy per flavour, shared by the rooms that get it (a ranger moving towns: the district held it,
        // the town it entered did not). Rooms become live only after the deltas, at their snapshot, so a live
        // room showed the object iff it was in the room's scope after the previous flush.
        let forHolder: WireOf[K] | undefined;
        let forNewcomer: WireOf[K] | undefined;
        const wire = (held: boolean) =>
          held ? (forHolder ??= copy(object, true)) : (forNewcomer ??= copy(object, false));
        if (district) outgoing(district).objects[kind].upserts.push(wire(before !== undefined));
        if (here) outgoing(here).objects[kind].upserts.push(wire(before === town));
        const left = before && before !== town ? this.activeRoom(before) : undefined;
        if (left) outgoing(left).objects[kind].removals.push(id);
        sent?.(id, district || here ? object : undefined);
      } else {
        const town = before !== undefined ? before : (townKeyOf(this.tree, removals.get(id)) ?? null);
        towns.delete(id);
        if (district) outgoing(district).objects[kind].removals.push(id);
        const here = town ? this.activeRoom(town) : undefined;
        if (here) outgoing(here).objects[kind].removals.push(id);
        sent?.(id, undefined);
      }
    }
  }

  /**
   * A ranger for a room: with only the new trail points when the room held it and its trail still continues
   * what was sent (trailTail decides), else whole.
   */
  private rangerFor(r: RangerObject, held: boolean): RangerWire {
    const mark = held ? this.trailSent.get(r.id) : undefined;
    const tail = mark ? trailTail(r.trail, mark, this.trailMs) : null;
    return tail ? wireRangerTail(r, tail) : wireRanger(r);
  }

  /** Records the trail span a ranger was sent with, or forgets it (removed, or sent to no room). */
  private noteTrail(id: string, r: RangerObject | undefined): void {
    const mark = r ? trailMark(r.trail) : null;
    if (mark) this.trailSent.set(id, mark);
    else this.trailSent.delete(id);
  }

  private activeRoom(scope: AreaKey): Room | undefined {
    const room = this.rooms.get(scope);
    return room && room.head !== null ? room : undefined;
  }

  /**
   * Sends each room's waiting sockets one snapshot (one serialisation for all of them), right after the
   * deltas: the snapshot then equals the room's state at its head, so the next delta follows it.
   */
  private serveSnapshots(): void {
    for (const room of this.rooms.values()) {
      if (room.pending.size === 0) continue;
      if (room.head === null || !room.resume) {
        room.head = this.seq;
        room.resume = new ResumeBuffer(this.seq, this.resumeLimit, this.resumeMs);
      }
      // The live state is at this.seq; the room's scope has not changed since its head (else a delta would
      // just have moved the head), so the snapshot is the state at the head and carries the head's seq.
      const live = this.live.snapshot(room.scope);
      // Objects rounded as in deltas, so that a client's state does not depend on how an object reached it.
      const snapshot: Snapshot = {
        ...live,
        // The year and the 30 days are on request (GET /api/v1/aggregates), in snapshots as in deltas.
        aggregates: live.aggregates.map(socketAggregate),
        seq: room.head,
        keys: room.keys,
        trailMs: this.trailMs,
        tickets: live.tickets.map(wireTicket),
        checkpoints: live.checkpoints.map(wireCheckpoint),
        rangers: live.rangers.map(wireRanger),
        ...(live.incidents ? { incidents: live.incidents.map(wireIncident) } : {}),
      };
      // The snapshot is what these clients hold now: the next change of each aggregate can be a small patch
      // against it instead of a complete row. (A key already in `sent` is in another live room, and equal.)
      for (const a of snapshot.aggregates) if (!this.sent.has(a.key)) this.sent.set(a.key, toWireRow(a));
      // Likewise trails: the next delta carries only the points after these (every room showing a ranger
      // holds the same trail, so this overwrites nothing but an equal span).
      for (const r of live.rangers) this.noteTrail(r.id, r);
      const waiting = [...room.pending.values()];
      room.pending.clear();
      this.io.to(waiting.map((p) => p.socket.id)).emit('state:snapshot', snapshot);
      this.counters.snapshotsSent += waiting.length;
      if (this.measureBytes) this.counters.snapshotBytes += frameBytes('state:snapshot', snapshot) * waiting.length;
      for (const p of waiting) {
        this.pendingRoom.delete(p.socket.id);
        void p.socket.join(room.name);
        p.socket.data.lastSeq = room.head;
        p.done?.(room.head);
      }
    }
  }

  /** Drops rooms that have been empty for resumeMs: nobody can resume into them any more. */
  private collectRooms(nowMs: number): void {
    const members = this.io.of('/').adapter.rooms;
    for (const [scope, room] of this.rooms) {
      room.resume?.trim(nowMs);
      if ((members.get(room.name)?.size ?? 0) > 0 || room.pending.size > 0) {
        room.emptySince = null;
        continue;
      }
      room.emptySince ??= nowMs;
      if (nowMs - room.emptySince >= this.resumeMs) this.rooms.delete(scope);
    }
  }

  private count(wire: DeltaWire, aggregates: number, recipients: number): void {
    this.counters.deltasEmitted += 1;
    this.counters.deltasDelivered += recipients;
    this.counters.aggregatesSent += aggregates;
    if (!this.measureBytes) return;
    const bytes = frameBytes('state:delta', wire);
    this.counters.deltaBytes += bytes;
    this.counters.deltaBytesDelivered += bytes * recipients;
    // The patches' share of the frame: their JSON without the array's own brackets.
    if (aggregates > 0) this.counters.aggregateBytes += Buffer.byteLength(JSON.stringify(wire.patches)) - 2;
  }

  /** After a failed flush: every member waits for a fresh snapshot, histories start over. */
  private resyncAll(): void {
    try {
      // Whatever the change set holds now is covered by the snapshots to come.
      this.seq = this.live.takeChanges().toSeq;
    } catch (error) {
      this.log.error({ err: error }, 'live state cannot give its changes');
    }
    this.sent.clear();
    this.trailSent.clear();
    this.seedObjectTowns();
    for (const room of this.rooms.values()) {
      room.head = null;
      room.resume = null;
      for (const socket of this.io.of('/').sockets.values()) {
        if (!socket.rooms.has(room.name)) continue;
        void socket.leave(room.name);
        this.wait(socket, room, { socket });
      }
    }
  }

  /** The town of every object the live state holds now, so that an object's first move is routed right. */
  private seedObjectTowns(): void {
    const all = this.live.snapshot(this.tree.root as AreaKey);
    const lists: { [K in ObjectKind]: { id: string }[] } = {
      tickets: all.tickets,
      checkpoints: all.checkpoints,
      rangers: all.rangers,
      incidents: all.incidents ?? [],
    };
    for (const kind of OBJECT_KINDS) {
      const towns = this.objectTown[kind];
      towns.clear();
      for (const { id } of lists[kind]) towns.set(id, townKeyOf(this.tree, this.live.townOf(kind, id)) ?? null);
    }
  }

  // ---- metrics and close ----

  metrics(): GatewayMetrics {
    return { ...this.counters, sockets: this.io.of('/').sockets.size, rooms: this.rooms.size };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.timer) clearInterval(this.timer);
      if (this.recheckTimer) clearInterval(this.recheckTimer);
      for (const room of this.rooms.values()) room.pending.clear();
      this.pendingRoom.clear();
      this.io.disconnectSockets(true);
      await this.io.close();
    })();
    return this.closing;
  }
}
