// The replay contract (history mode): a client asks for the district as it was over a past window and the
// server plays it back at a chosen speed over the same socket, as a snapshot and wire deltas like live data
// (contract/live.ts), on replay:* events so that the live state of the page is never mixed with the past.
import Type, { type Static } from 'typebox';
import { AreaKeySchema } from './live';
import { checker } from './validate';

/** Playback speeds the time bar offers: seconds of history per second. */
export const REPLAY_SPEEDS = [1, 10, 60, 600] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

const Speed = Type.Union([Type.Literal(1), Type.Literal(10), Type.Literal(60), Type.Literal(600)]);
/** Epoch milliseconds: the time bar works in instants, not in local text. */
const Instant = Type.Integer({ minimum: 0, maximum: 8.64e15 });

/** Open (or reopen) the replay of `scope` over [from, to]; it starts paused at `at` (default `from`). */
export const ReplayOpenRequest = Type.Object(
  { scope: AreaKeySchema, from: Instant, to: Instant, at: Type.Optional(Instant), speed: Type.Optional(Speed) },
  { additionalProperties: false },
);
export type ReplayOpenRequest = Static<typeof ReplayOpenRequest>;

/**
 * play / pause; speed; step (one minute of history forward, paused); seek (to `at`, paused); scope (follow
 * another area at the same moment: a drill-down while in history).
 */
export const ReplayControl = Type.Union([
  Type.Object({ action: Type.Literal('play') }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('pause') }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('speed'), speed: Speed }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('step') }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('seek'), at: Instant }, { additionalProperties: false }),
  Type.Object({ action: Type.Literal('scope'), scope: AreaKeySchema }, { additionalProperties: false }),
]);
export type ReplayControl = Static<typeof ReplayControl>;

/** Where a replay stands; sent after every change of it and with the frames while it plays. */
export const ReplayStatus = Type.Object({
  scope: AreaKeySchema,
  from: Instant,
  to: Instant,
  /** The moment shown now. */
  at: Instant,
  speed: Speed,
  playing: Type.Boolean(),
  /** The last log seq folded: the state shown is the log up to here. */
  seq: Type.Integer({ minimum: 0 }),
  /** `at` reached `to`: playback stopped at the end of the window. */
  ended: Type.Boolean(),
});
export type ReplayStatus = Static<typeof ReplayStatus>;

export type ReplayAck =
  | { ok: true; status: ReplayStatus }
  | {
      ok: false;
      error: { code: 'invalid' | 'forbidden' | 'unknown_area' | 'not_open' | 'busy' | 'internal'; message: string };
    };

export const checkReplayOpen = checker(ReplayOpenRequest);
export const checkReplayControl = checker(ReplayControl);
