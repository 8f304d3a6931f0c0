// The delta benchmark's synthetic world (tests/bench/page) feeds the real client store: its snapshot applies,
// and its deltas, encoded with the contract's reference encoder, apply in sequence without a gap.
import { describe, expect, it } from 'vitest';
import { LiveStore } from '../../client/live/store';
import { encodeDelta } from '../../server/contract/live';
import { createWorld, DELTA_SHAPE, SCOPE } from '../bench/page/synthetic';

describe('the delta benchmark world', () => {
  it('applies its snapshot and a run of wire deltas to LiveStore', () => {
    const size = { cells: 200, tickets: 300, rangers: 10, checkpoints: 5 };
    const world = createWorld(size);
    const store = new LiveStore(SCOPE);
    let now = Date.parse(world.snapshot.at);
    store.applySnapshot(world.snapshot, now);
    store.publish();
    expect(store.getView().aggregates.size).toBe(size.cells + 1);
    expect(store.getView().tickets.size).toBe(size.tickets);
    for (let i = 0; i < 5; i++) {
      now += 150;
      const view = store.getView();
      const wire = encodeDelta(world.nextDelta(now), view.keys, (k) => view.aggregates.get(k), {
        ranger: (id) => view.rangers.get(id),
        trailMs: world.snapshot.trailMs,
      });
      expect(wire.patches.length).toBeGreaterThan(0);
      // A ranger the client holds moves by a trail tail, not a whole trail.
      expect(wire.rangers?.upserts.every((r) => r.trailTail?.length === 1 && r.trail === undefined)).toBe(true);
      expect(store.applyDelta(JSON.parse(JSON.stringify(wire)), now)).toBe('applied');
      store.publish();
    }
    const view = store.getView();
    expect(view.tickets.size).toBe(size.tickets + 5 * (DELTA_SHAPE.ticketsCreated - DELTA_SHAPE.ticketsClosed));
    expect(view.rangers.get('R0')?.trail.at(-1)?.[2]).toBe(now);
  });
});
