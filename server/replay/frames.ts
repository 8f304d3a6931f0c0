// What a replay sends one client: the gateway's protocol for one room (snapshot, then wire deltas chained by
// seq), computed from a replay's own live state. The client applies them with the same LiveStore as live data,
// so every layer and panel shows the past without knowing it. Simpler than the gateway because one socket and
// one scope are served: no rooms, no history, rangers always travel with their whole trail.
import type { AreaKey, AreaTree } from '../contract/areas';
import {
  diffAggregateRows,
  toWireRow,
  wireCheckpoint,
  wireIncident,
  wireRanger,
  wireTicket,
  type AggregateRow,
  type DeltaWire,
  type Snapshot,
} from '../contract/live';
import { scopeKeys, townKeyOf } from '../gateway/rooms';
import type { LiveChanges, LiveState, ObjectKind } from '../live/types';

const KINDS: readonly ObjectKind[] = ['tickets', 'checkpoints', 'rangers', 'incidents'];

export interface ScopeFrames {
  /** The scope's state now, as the gateway's snapshots carry it; the deltas after it start at its seq. */
  snapshot(): Snapshot;
  /** What changed since the last frame, or null when nothing in the scope did. */
  delta(changes: LiveChanges, atIso: string): DeltaWire | null;
}

export function scopeFrames(live: LiveState, tree: AreaTree, scope: AreaKey, trailMs: number): ScopeFrames {
  const keys = scopeKeys(tree, scope);
  const position = new Map(keys.map((k, i) => [k, i]));
  const sent = new Map<AreaKey, AggregateRow>();
  const held: Record<ObjectKind, Set<string>> = {
    tickets: new Set(),
    checkpoints: new Set(),
    rangers: new Set(),
    incidents: new Set(),
  };
  let head = 0;
  const district = scope === tree.root;
  const inScope = (town: string | undefined): boolean => district || townKeyOf(tree, town) === scope;

  const wireOf = (kind: ObjectKind, id: string) => {
    switch (kind) {
      case 'tickets': {
        const o = live.ticket(id);
        return o && wireTicket(o);
      }
      case 'checkpoints': {
        const o = live.checkpoint(id);
        return o && wireCheckpoint(o);
      }
      case 'rangers': {
        const o = live.ranger(id);
        return o && wireRanger(o);
      }
      case 'incidents': {
        const o = live.incident(id);
        return o && wireIncident(o);
      }
    }
  };

  return {
    snapshot() {
      const s = live.snapshot(scope);
      head = s.seq;
      sent.clear();
      for (const a of s.aggregates) sent.set(a.key, toWireRow(a));
      for (const kind of KINDS) held[kind].clear();
      for (const t of s.tickets) held.tickets.add(t.id);
      for (const c of s.checkpoints) held.checkpoints.add(c.id);
      for (const r of s.rangers) held.rangers.add(r.id);
      for (const i of s.incidents ?? []) held.incidents.add(i.id);
      return {
        ...s,
        keys,
        trailMs,
        tickets: s.tickets.map(wireTicket),
        checkpoints: s.checkpoints.map(wireCheckpoint),
        rangers: s.rangers.map(wireRanger),
        ...(s.incidents ? { incidents: s.incidents.map(wireIncident) } : {}),
      };
    },

    delta(changes, atIso) {
      const wire: DeltaWire = { fromSeq: head, toSeq: changes.toSeq, scope, at: atIso, patches: [] };
      for (const key of changes.aggregates) {
        const p = position.get(key);
        if (p === undefined) continue;
        const aggregate = live.aggregate(key);
        if (!aggregate) continue;
        const row = toWireRow(aggregate);
        const cells = diffAggregateRows(sent.get(key), row);
        sent.set(key, row);
        if (cells.length > 0) wire.patches.push([p, ...cells]);
      }
      let objects = 0;
      for (const kind of KINDS) {
        const upserts: unknown[] = [];
        const removals: string[] = [];
        const ids = new Set([...changes.upserts[kind].keys(), ...changes.removals[kind].keys()]);
        for (const id of ids) {
          const copy = changes.upserts[kind].has(id) ? wireOf(kind, id) : undefined;
          const town = changes.upserts[kind].get(id) ?? live.townOf(kind, id);
          if (copy && inScope(town)) {
            upserts.push(copy);
            held[kind].add(id);
          } else if (held[kind].delete(id)) {
            removals.push(id);
          }
        }
        if (upserts.length === 0 && removals.length === 0) continue;
        objects += upserts.length + removals.length;
        // The four groups share one shape ({ upserts, removals }); each copy came from its kind's wire function.
        (wire as unknown as Record<ObjectKind, { upserts: unknown[]; removals: string[] }>)[kind] = {
          upserts,
          removals,
        };
      }
      // Nothing of this scope changed: no frame, and the chain stays at its head (as a gateway room's does).
      if (wire.patches.length === 0 && objects === 0) return null;
      head = changes.toSeq;
      return wire;
    },
  };
}
