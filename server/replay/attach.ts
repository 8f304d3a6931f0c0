// History mode over the gateway's sockets: replay:open / replay:control / replay:close from a client, one
// replay per socket, scope-checked like scope:follow (a town principal replays only its own town), played by a
// timer that moves the replay's clock by frameMs × speed per frame.
import type { AreaKey } from '../contract/areas';
import { isAreaKey } from '../contract/live';
import { checkReplayControl, checkReplayOpen, type ReplayAck, type ReplayOpenRequest } from '../contract/replay';
import type { GatewayServer, GatewaySocket } from '../gateway/gateway';
import { mayFollow } from '../gateway/rooms';
import { ReplaySession, STEP_MS, type ReplayDeps } from './session';

/** A frame every quarter second: the client publishes its view at most that often anyway. */
export const FRAME_MS = 250;
/** Replays a node runs at once: each holds a live state of the whole district. */
export const MAX_REPLAYS = 8;
/** The longest window one replay may cover. */
export const MAX_WINDOW_MS = 31 * 24 * 3600_000;

export interface ReplayServiceOptions extends ReplayDeps {
  io: GatewayServer;
  now: () => number;
  log: { warn(obj: object, msg: string): void };
  frameMs?: number;
  maxReplays?: number;
}

interface Slot {
  session?: ReplaySession;
  timer?: ReturnType<typeof setInterval>;
  /** Operations of one socket run one after another: a frame never interleaves with a seek. */
  queue: Promise<unknown>;
  /** A playback frame is queued or running. */
  framing: boolean;
  closed: boolean;
}

type Reply = (result: ReplayAck) => void;
const fail = (code: Extract<ReplayAck, { ok: false }>['error']['code'], message: string): ReplayAck => ({
  ok: false,
  error: { code, message },
});

export function attachReplay(options: ReplayServiceOptions): { active(): number; close(): void } {
  const { io, geo } = options;
  const frameMs = options.frameMs ?? FRAME_MS;
  const maxReplays = options.maxReplays ?? MAX_REPLAYS;
  const slots = new Map<string, Slot>();
  const active = () => [...slots.values()].filter((s) => s.session).length;

  const stopTimer = (slot: Slot) => {
    if (slot.timer) clearInterval(slot.timer);
    slot.timer = undefined;
  };

  const run = (slot: Slot, work: () => Promise<void>): void => {
    slot.queue = slot.queue.then(work).catch((error: unknown) => {
      options.log.warn({ err: error }, 'replay step failed');
      stopTimer(slot);
      if (slot.session) slot.session.playing = false;
    });
  };

  const validScope = (socket: GatewaySocket, scope: string): ReplayAck | null => {
    if (!isAreaKey(scope) || !geo.tree.nodes[scope]) return fail('unknown_area', `unknown area '${scope}'`);
    if (!mayFollow(socket.data, scope as AreaKey)) return fail('forbidden', `not in your area: ${scope}`);
    return null;
  };

  io.on('connection', (socket: GatewaySocket) => {
    const slot: Slot = { queue: Promise.resolve(), framing: false, closed: false };
    slots.set(socket.id, slot);

    const play = (session: ReplaySession) => {
      stopTimer(slot);
      slot.timer = setInterval(() => {
        if (!session.playing || slot.session !== session) return stopTimer(slot);
        // A frame still being folded (a slow store, 600× over a busy hour): skip this tick rather than queue up.
        if (slot.framing) return;
        slot.framing = true;
        run(slot, async () => {
          try {
            const delta = await session.moveTo(session.at + frameMs * session.speed);
            if (slot.closed || slot.session !== session) return;
            if (delta) socket.emit('replay:delta', delta);
            socket.emit('replay:status', session.status());
            if (!session.playing) stopTimer(slot);
          } finally {
            slot.framing = false;
          }
        });
      }, frameMs);
    };

    const open = async (request: ReplayOpenRequest, at?: number): Promise<ReplaySession> => {
      const session = await ReplaySession.open(options, {
        scope: request.scope,
        fromMs: request.from,
        toMs: request.to,
        ...(at !== undefined ? { atMs: at } : request.at !== undefined ? { atMs: request.at } : {}),
        ...(request.speed !== undefined ? { speed: request.speed } : {}),
      });
      return session;
    };

    socket.on('replay:open', (raw, ack) => {
      const reply: Reply = typeof ack === 'function' ? ack : () => {};
      const checked = checkReplayOpen(raw);
      if (!checked.ok)
        return reply(fail('invalid', checked.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')));
      const request = checked.value;
      const refused = validScope(socket, request.scope);
      if (refused) return reply(refused);
      if (request.to <= request.from) return reply(fail('invalid', '/to must be after /from'));
      if (request.to - request.from > MAX_WINDOW_MS)
        return reply(fail('invalid', `a replay covers at most ${MAX_WINDOW_MS / 86_400_000} days`));
      if (request.from > options.now()) return reply(fail('invalid', '/from lies in the future'));
      if (!slot.session && active() >= maxReplays)
        return reply(fail('busy', `this server runs ${maxReplays} replays at once; try again shortly`));
      run(slot, async () => {
        stopTimer(slot);
        slot.session = undefined;
        const session = await open(request);
        if (slot.closed) return;
        slot.session = session;
        socket.emit('replay:snapshot', session.snapshot());
        reply({ ok: true, status: session.status() });
      });
      void slot.queue.catch(() => reply(fail('internal', 'the replay could not be opened')));
    });

    socket.on('replay:control', (raw, ack) => {
      const reply: Reply = typeof ack === 'function' ? ack : () => {};
      const checked = checkReplayControl(raw);
      if (!checked.ok)
        return reply(fail('invalid', checked.errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')));
      const control = checked.value;
      if (control.action === 'scope') {
        const refused = validScope(socket, control.scope);
        if (refused) return reply(refused);
      }
      run(slot, async () => {
        const session = slot.session;
        if (!session) return reply(fail('not_open', 'no replay is open on this connection: replay:open first'));
        switch (control.action) {
          case 'play':
            if (session.at >= session.toMs) break;
            session.playing = true;
            play(session);
            break;
          case 'pause':
            session.playing = false;
            stopTimer(slot);
            break;
          case 'speed':
            session.speed = control.speed;
            break;
          case 'step': {
            session.playing = false;
            stopTimer(slot);
            const delta = await session.moveTo(session.at + STEP_MS);
            if (delta) socket.emit('replay:delta', delta);
            break;
          }
          case 'seek': {
            session.playing = false;
            stopTimer(slot);
            const at = Math.min(Math.max(control.at, session.fromMs), session.toMs);
            if (at >= session.at) {
              // Forward: fold on, then one snapshot instead of a delta that could carry the whole district.
              await session.moveTo(at);
              socket.emit('replay:snapshot', session.snapshot());
            } else {
              // Back: the fold cannot run backwards; a new session folds from the start of the log.
              const again = await open(
                { scope: session.scope, from: session.fromMs, to: session.toMs, speed: session.speed },
                at,
              );
              if (slot.closed) return;
              slot.session = again;
              socket.emit('replay:snapshot', again.snapshot());
              return reply({ ok: true, status: again.status() });
            }
            break;
          }
          case 'scope':
            session.rescope(control.scope);
            socket.emit('replay:snapshot', session.snapshot());
            break;
        }
        reply({ ok: true, status: session.status() });
      });
    });

    socket.on('replay:close', () => {
      stopTimer(slot);
      slot.session = undefined;
    });

    socket.on('disconnect', () => {
      slot.closed = true;
      stopTimer(slot);
      slot.session = undefined;
      slots.delete(socket.id);
    });
  });

  return {
    active,
    close() {
      for (const slot of slots.values()) {
        slot.closed = true;
        stopTimer(slot);
        slot.session = undefined;
      }
      slots.clear();
    },
  };
}
