// Sizes on the wire, for metrics, tests and the benchmark: what Socket.IO actually writes, not an estimate.
import type { Delta, DeltaWire } from '../contract/live';

/**
 * Bytes of the text frame Socket.IO writes for `emit(event, payload)` on the main namespace: '4' (engine.io
 * message) + '2' (socket.io EVENT) + JSON of [event, payload]. Binary attachments would be separate frames.
 */
export function frameBytes(event: string, payload: unknown): number {
  return 2 + Buffer.byteLength(JSON.stringify([event, payload]));
}

export interface DeltaSize {
  aggregates: number;
  /** Only the patches (the array's brackets left out), per changed aggregate: what one more changed area costs. */
  patchBytesPerAggregate: number;
  /** The same aggregates as contract JSON objects (with property names), per aggregate, for comparison. */
  jsonBytesPerAggregate: number;
  /** Whole frames of the aggregate part of the delta (object changes left out), wire form and JSON objects. */
  wireFrameBytes: number;
  jsonFrameBytes: number;
}

/**
 * Measures the aggregate part of a wire delta against the contract Delta it stands for (decodeDelta's output).
 * Object changes are whole objects in both forms, so they are left out of the comparison.
 */
export function measureDelta(wire: DeltaWire, delta: Delta): DeltaSize {
  const n = Math.max(1, wire.patches.length);
  const { fromSeq, toSeq, scope, at } = wire;
  const empty = { upserts: [], removals: [] };
  return {
    aggregates: wire.patches.length,
    patchBytesPerAggregate: (Buffer.byteLength(JSON.stringify(wire.patches)) - 2) / n,
    jsonBytesPerAggregate: (Buffer.byteLength(JSON.stringify(delta.aggregates)) - 2) / n,
    wireFrameBytes: frameBytes('state:delta', { fromSeq, toSeq, scope, at, patches: wire.patches }),
    jsonFrameBytes: frameBytes('state:delta', {
      fromSeq,
      toSeq,
      scope,
      at,
      aggregates: delta.aggregates,
      tickets: empty,
      checkpoints: empty,
      rangers: empty,
    }),
  };
}
