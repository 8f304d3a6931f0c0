// The delta benchmark page: the real client store (LiveStore) and layer factories, drawn by a standalone
// deck.gl Deck (no basemap). tests/bench/dashboard.ts loads it in headless Chromium and calls
// window.__bench.run(); each delta is timed from applyDelta to the end of a forced synchronous redraw.
import { Deck, Layer } from '@deck.gl/core';
import { LiveStore } from '../../../client/live/store';
import { encodeDelta, type DeltaWire } from '../../../server/contract/live';
import { createLayerBuilder, FACTORIES, type TicketMode } from './layers';
import { createWorld, FULL_SIZE, SCOPE, VIEW, type SyntheticSize } from './synthetic';

export interface RunOptions {
  size?: SyntheticSize;
  tickets: TicketMode;
  /** Diagnostic: the same layers without their attribute transitions. */
  withoutTransitions?: boolean;
  warmup: number;
  deltas: number;
  /** Stops measuring after this many ms (after the warm-up) even if fewer deltas were measured. */
  budgetMs?: number;
  /** Real ms between deltas (the gateway flushes every FLUSH_MS, 150 by default). */
  intervalMs: number;
  /** Diagnostic (tests/bench/profile-delta.ts): ms per layer id in deck.gl's update and draw, over the measured deltas. */
  layerTimes?: boolean;
}

/** Per measured delta, main-thread ms of each step. */
export interface DeltaTiming {
  apply: number;
  publish: number;
  build: number;
  setProps: number;
  redraw: number;
  /** apply + publish + build + setProps + redraw: the synchronous handling of the delta. */
  sync: number;
  /** The animation loop's frames until the next delta (transitions, their GPU read-backs), ms in all. */
  loopFrames: number;
  loopFrameCount: number;
  /** sync + loopFrames: the delta's JavaScript and deck.gl's draw calls (the row's figure until 2026-12-07). */
  total: number;
  /**
   * The frame that shows the delta, after its animation-frame callbacks: style, paint and the commit. Headless
   * Chromium composites in software, so the commit reads the WebGL canvas back and the main thread waits there
   * until the GPU process has drawn the frame (docs/BENCHMARKS.md).
   */
  frame: number;
  /** total + frame: all main-thread time the delta cost. */
  withFrame: number;
  wireBytes: number;
}

export interface RunResult {
  factories: string[];
  tickets: TicketMode;
  size: SyntheticSize;
  snapshotMs: number;
  firstDrawMs: number;
  timings: DeltaTiming[];
  renderer: string;
  patchesPerDelta: number;
  /** With `layerTimes`: per layer id (sublayers included), ms of its update and of its draw, summed. */
  layers?: Record<string, { update: number; draw: number }>;
}

declare global {
  interface Window {
    __bench: { run(options: RunOptions): Promise<RunResult> };
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Main-thread ms of the next frame from the last of its animation-frame callbacks to the end of its task: a
 * message posted there runs once the frame's style, paint and commit are done.
 */
const frameAfterCallbacks = () =>
  new Promise<number>((resolve) =>
    requestAnimationFrame(() => {
      const t = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now() - t);
      channel.port2.postMessage(null);
    }),
  );
const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * Times every frame of deck.gl's animation loop. The loop binds Deck's frame method when a Deck is made,
 * so the prototype is wrapped once, before the first Deck; this touches only this page's copy of deck.gl.
 */
function timeLoopFrames(onFrame: (ms: number) => void): void {
  const proto = Deck.prototype as unknown as { _onRenderFrame(this: Deck): void };
  const frameOf = proto._onRenderFrame;
  proto._onRenderFrame = function (this: Deck) {
    const t = performance.now();
    frameOf.call(this);
    onFrame(performance.now() - t);
  };
}

/** Wraps each layer's update and draw with a timer (sublayers are timed in their own right, and in their parent's). */
function timeLayers(into: Record<string, { update: number; draw: number }>, on: () => boolean): void {
  const proto = Layer.prototype as unknown as Record<'_update' | '_drawLayer', (this: Layer, ...a: unknown[]) => void>;
  for (const [method, key] of [
    ['_update', 'update'],
    ['_drawLayer', 'draw'],
  ] as const) {
    const original = proto[method];
    proto[method] = function (this: Layer, ...a: unknown[]) {
      const t = performance.now();
      original.apply(this, a);
      if (on()) (into[this.id] ??= { update: 0, draw: 0 })[key] += performance.now() - t;
    };
  }
}

async function run(options: RunOptions): Promise<RunResult> {
  const size = options.size ?? FULL_SIZE;
  const world = createWorld(size);
  const store = new LiveStore(SCOPE);
  const parent = document.getElementById('deck') as HTMLDivElement;
  const layers = createLayerBuilder(
    world.grid.features,
    world.sites,
    options.tickets,
    options.withoutTransitions ?? false,
  );
  const layerTimes: Record<string, { update: number; draw: number }> = {};
  if (options.layerTimes) timeLayers(layerTimes, () => measuringSince !== Infinity);
  timeLoopFrames((ms) => {
    loopFrames += ms;
    loopFrameCount++;
  });

  // The animation loop's own frames between two deltas (deck.gl's layer updates, attribute transitions,
  // redraws) are main-thread work the delta caused too: each frame is timed and summed per delta.
  let loopFrames = 0;
  let loopFrameCount = 0;
  let measuringSince = Infinity;
  let renderer = '';
  const deck = await new Promise<Deck>((resolve) => {
    const d: Deck = new Deck({
      parent,
      initialViewState: VIEW,
      controller: false,
      useDevicePixels: 1,
      layers: [],
      onLoad: () => resolve(d),
    });
  });
  const canvas = parent.querySelector('canvas');
  const gl = canvas?.getContext('webgl2');
  if (gl) {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  }

  let clock = Date.parse(world.snapshot.at);
  let t = performance.now();
  store.applySnapshot(world.snapshot, clock);
  store.publish();
  const snapshotMs = performance.now() - t;
  t = performance.now();
  deck.setProps({ layers: layers.build(store.getView(), clock) });
  deck.redraw('snapshot');
  const firstDrawMs = performance.now() - t;
  for (let i = 0; i < 5; i++) await frame();

  const timings: DeltaTiming[] = [];
  let patches = 0;
  for (let i = 0; i < options.warmup + options.deltas; i++) {
    if (i === options.warmup) {
      // A profiler (tests/bench/profile-delta.ts) starts here: the warm-up and the snapshot are not its concern.
      await (window as { __benchMeasuring?: () => Promise<void> }).__benchMeasuring?.();
      measuringSince = performance.now();
    }
    if (performance.now() - measuringSince > (options.budgetMs ?? Infinity)) break;
    clock += options.intervalMs;
    // The wire delta is what the gateway would send this client: encoded against what the store holds.
    const view = store.getView();
    const wire: DeltaWire = encodeDelta(world.nextDelta(clock), view.keys, (k) => view.aggregates.get(k), {
      ranger: (id) => view.rangers.get(id),
      trailMs: world.snapshot.trailMs,
    });
    // Parsed from JSON, as the socket hands it over: objects the store has never seen.
    const text = JSON.stringify(wire);
    const received = JSON.parse(text) as DeltaWire;

    const t0 = performance.now();
    const outcome = store.applyDelta(received, clock);
    const t1 = performance.now();
    store.publish();
    const t2 = performance.now();
    const built = layers.build(store.getView(), clock);
    const t3 = performance.now();
    deck.setProps({ layers: built });
    const t4 = performance.now();
    deck.redraw('delta');
    const t5 = performance.now();
    if (outcome !== 'applied') throw new Error(`delta ${i} was not applied: ${outcome}`);

    loopFrames = 0;
    loopFrameCount = 0;
    const frame = await frameAfterCallbacks();
    await sleep(Math.max(0, options.intervalMs - (performance.now() - t5)));
    if (i >= options.warmup) {
      patches += received.patches.length;
      timings.push({
        apply: t1 - t0,
        publish: t2 - t1,
        build: t3 - t2,
        setProps: t4 - t3,
        redraw: t5 - t4,
        sync: t5 - t0,
        loopFrames,
        loopFrameCount,
        total: t5 - t0 + loopFrames,
        frame,
        withFrame: t5 - t0 + loopFrames + frame,
        wireBytes: text.length,
      });
    }
  }
  deck.finalize();
  return {
    factories: FACTORIES,
    tickets: options.tickets,
    size,
    snapshotMs,
    firstDrawMs,
    timings,
    renderer,
    patchesPerDelta: patches / Math.max(1, timings.length),
    ...(options.layerTimes ? { layers: layerTimes } : {}),
  };
}

window.__bench = { run };
document.body.dataset.ready = 'true';
