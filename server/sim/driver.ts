// The real-time driver: advances a simulator's clock at `speed` simulated seconds per real second and hands
// each tick's events to a sink (the in-process ingest pipeline, or the CLI's HTTP poster). One tick at a time:
// the next tick is only scheduled once the sink has taken the previous batch, so a slow sink gets larger
// batches rather than overlapping calls, and the simulated clock keeps to real time on average.
import type { OpsEvent } from '../contract/events';
import type { Simulator } from './engine';

export type Sink = (events: OpsEvent[]) => Promise<unknown>;

export interface DriverOptions {
  simulator: Pick<Simulator, 'next' | 'take' | 'now' | 'speed'>;
  sink: Sink;
  /** Simulated seconds per real second; default the simulator's own speed. */
  speed?: number;
  /** Real milliseconds between ticks; default 1000. */
  tickMs?: number;
  /** Largest batch handed to the sink; a tick with more events calls the sink several times, in order. */
  maxBatch?: number;
  /**
   * Load mode: events per real second, whatever simulated time they span (speed is then ignored).
   * The simulated clock still never passes `notAfter`.
   */
  rate?: number;
  /**
   * The simulated clock never passes this (read each tick). A live server rejects events too far in its
   * future, so a driver feeding one passes Date.now: an accelerated run that catches up with the present
   * goes on at real time.
   */
  notAfter?: () => number;
  /** Simulated time at which the run ends by itself (done resolves). */
  until?: number;
  /** Real clock, epoch ms; default Date.now (read at each call, so fake timers in tests apply). */
  clock?: () => number;
  /** Called after every tick, for progress reports. */
  onTick?: (tick: TickReport) => void;
  /** Start at once (default) or wait for start(). */
  autoStart?: boolean;
}

export interface TickReport {
  simNow: number;
  events: number;
  totalEvents: number;
  /** Real ms the sink took this tick. */
  sinkMs: number;
}

export interface DriverHandle {
  /** Starts, or resumes after pause(): the simulated clock continues from where it paused, it does not jump. */
  start(): void;
  /** Pauses after the tick in flight; resolves when its batch has reached the sink. */
  pause(): Promise<void>;
  /** Ends the run after the tick in flight (done resolves); a stopped driver does not start again. */
  stop(): Promise<void>;
  readonly running: boolean;
  /** Simulated time reached. */
  readonly simNow: number;
  /** Events handed to the sink so far. */
  readonly sent: number;
  /** Resolves when the run reaches `until` or is stopped; rejects with the sink's error (the run stops). */
  readonly done: Promise<void>;
}

export function runSimulator(options: DriverOptions): DriverHandle {
  const { simulator, sink } = options;
  const speed = options.speed ?? simulator.speed;
  const tickMs = options.tickMs ?? 1000;
  const maxBatch = options.maxBatch ?? Infinity;
  const clock = options.clock ?? (() => Date.now());
  if (!(speed > 0)) throw new Error('runSimulator: speed must be > 0');
  if (!(tickMs > 0)) throw new Error('runSimulator: tickMs must be > 0');
  if (!(maxBatch >= 1)) throw new Error('runSimulator: maxBatch must be ≥ 1');
  if (options.rate !== undefined && !(options.rate > 0)) throw new Error('runSimulator: rate must be > 0');

  let running = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;
  let realAnchor = 0;
  let simAnchor = simulator.now;
  let lastReal = 0;
  let owed = 0; // load mode: events due but not yet taken (fractions carry over between ticks)
  let sent = 0;
  let finished = false;
  // Each start() begins a new chain of ticks; a tick that completes after a pause() belongs to an old chain
  // and must not schedule a second one beside the new.
  let chain = 0;
  let resolveDone: () => void = () => {};
  let rejectDone: (e: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  // A caller that never awaits done must not get an unhandled rejection; the error still reaches awaiters.
  done.catch(() => {});

  const limit = (t: number): number => Math.min(t, options.notAfter?.() ?? Infinity, options.until ?? Infinity);

  async function tick(): Promise<void> {
    const real = clock();
    let events: OpsEvent[];
    if (options.rate !== undefined) {
      owed += (options.rate * (real - lastReal)) / 1000;
      const n = Math.floor(owed);
      events = n > 0 ? simulator.take(n, limit(Infinity)) : [];
      owed -= events.length;
      // Whatever could not be produced (held back by notAfter) is not owed forever.
      if (events.length < n) owed = 0;
    } else {
      const target = limit(simAnchor + (real - realAnchor) * speed);
      events = target > simulator.now ? simulator.next(target) : [];
    }
    lastReal = real;
    const began = clock();
    for (let i = 0; i < events.length; i += maxBatch) await sink(events.slice(i, i + maxBatch));
    sent += events.length;
    options.onTick?.({ simNow: simulator.now, events: events.length, totalEvents: sent, sinkMs: clock() - began });
  }

  function finish(error?: unknown): void {
    running = false;
    if (timer) clearTimeout(timer);
    timer = null;
    if (finished) return;
    finished = true;
    if (error === undefined) resolveDone();
    else rejectDone(error);
  }

  function schedule(delay: number): void {
    const mine = chain;
    timer = setTimeout(() => {
      timer = null;
      if (!running || mine !== chain) return;
      const began = clock();
      // After a quick pause()/start() the old chain's sink call may still be running: queue behind it.
      const previous = inFlight ?? Promise.resolve();
      const current: Promise<void> = previous
        .catch(() => {})
        .then(tick)
        .then(
          () => {
            if (inFlight === current) inFlight = null;
            if (options.until !== undefined && simulator.now >= options.until) return finish();
            if (running && mine === chain) schedule(Math.max(0, tickMs - (clock() - began)));
          },
          (error: unknown) => {
            if (inFlight === current) inFlight = null;
            finish(error);
          },
        );
      inFlight = current;
    }, delay);
  }

  const handle: DriverHandle = {
    start() {
      if (running || finished) return;
      running = true;
      chain++;
      realAnchor = clock();
      lastReal = realAnchor;
      simAnchor = simulator.now;
      schedule(0);
    },
    async pause() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      if (inFlight) await inFlight.catch(() => {});
    },
    async stop() {
      await handle.pause();
      finish();
    },
    get running() {
      return running;
    },
    get simNow() {
      return simulator.now;
    },
    get sent() {
      return sent;
    },
    done,
  };
  if (options.autoStart !== false) handle.start();
  return handle;
}
