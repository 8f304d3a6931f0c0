// Keyframes of the in-memory store: lost with the process, like its log; the same contract as SQLite's.
import type { KeyframeStore, StoredKeyframe } from './types';

export function memoryKeyframes(): KeyframeStore {
  const rows = new Map<number, StoredKeyframe>();
  return {
    async save(k) {
      rows.set(k.seq, { ...k, body: Uint8Array.from(k.body) });
    },
    async latest(bounds = {}) {
      let best: StoredKeyframe | undefined;
      for (const k of rows.values()) {
        if (k.seq > (bounds.maxSeq ?? Infinity)) continue;
        if (k.takenMs > (bounds.maxTakenMs ?? Infinity)) continue;
        if (k.envelopeMs > (bounds.maxEnvelopeMs ?? Infinity)) continue;
        if (!best || k.seq > best.seq) best = k;
      }
      return best && { ...best, body: Uint8Array.from(best.body) };
    },
    async prune({ keepPeriodic, historySinceMs }) {
      const periodic = [...rows.values()].filter((k) => k.kind === 'periodic').sort((a, b) => b.seq - a.seq);
      for (const k of periodic.slice(Math.max(0, keepPeriodic))) rows.delete(k.seq);
      for (const k of [...rows.values()]) if (k.kind !== 'periodic' && k.takenMs < historySinceMs) rows.delete(k.seq);
    },
  };
}
