// A projection host over an app's log with its own live state (part 'live', as `{ live }`) and, if asked, what a
// past brief restores besides it: an alert book (part 'alerts') and the 督办 counts (part 'supervision'), writing
// keyframes only when told: a server that "lived through" simulated time,
// for the keyframe tests and the replay benchmark.
import type { EventBus } from '../../server/bus/types';
import type { Geo } from '../../server/geo/load';
import { createProjectionHost, projectionOf } from '../../server/live/host';
import { createSupervisionFold } from '../../server/live/supervision';
import { createLiveState } from '../../server/live/state';
import { createAlertBook } from '../../server/rules/alerts';
import type { EventStore } from '../../server/store/types';

export function livedHost(o: {
  geo: Geo;
  store: EventStore;
  bus: EventBus;
  now: () => number;
  version: string;
  alerts?: boolean;
}) {
  const supervision = createSupervisionFold(o.geo);
  const live = createLiveState(o.geo, {}, o.now(), o.alerts ? supervision.observer : undefined);
  const host = createProjectionHost({
    store: o.store,
    bus: o.bus,
    now: o.now,
    keyframes: {
      everyEvents: 1e9,
      everyMs: 1e12,
      keepPeriodic: 2,
      keepDays: 35,
      store: o.store.keyframes!,
      version: o.version,
      envelope: () => live.envelopeMs,
      log: { info: () => {}, warn: () => {} },
    },
  });
  host.register({
    name: 'live',
    apply: (events) => live.apply(events),
    advance: (t) => live.advance(t),
    snapshot: () => ({ live: live.snapshotState() }),
    restore: (data) => live.restoreState((data as { live: unknown }).live),
  });
  if (o.alerts) {
    const book = createAlertBook();
    host.register({
      name: 'alerts',
      apply: (events) => void book.apply(events),
      snapshot: () => book.snapshotState(),
      restore: (data) => book.restoreState(data),
    });
    host.register(projectionOf('supervision', supervision));
  }
  return { host, live };
}
