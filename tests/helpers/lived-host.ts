// A projection host over an app's log with its own live state (part 'live', as `{ live }`) and, if asked, what a
// past brief restores besides it: an alert book (part 'alerts') and the 督办 counts (part 'supervision'), and the
// brief's day-end facts (part 'facts', the live state folded through them as the app does), writing keyframes
// only when told: a server that "lived through" simulated time, for the keyframe tests and the replay benchmark.
import type { EventBus } from '../../server/bus/types';
import type { Geo } from '../../server/geo/load';
import { createProjectionHost, projectionOf } from '../../server/live/host';
import { createSupervisionFold } from '../../server/live/supervision';
import { createLiveState } from '../../server/live/state';
import { createAlertBook } from '../../server/rules/alerts';
import { createBriefFacts } from '../../server/reports/brief-facts';
import type { EventStore } from '../../server/store/types';

export function livedHost(o: {
  geo: Geo;
  store: EventStore;
  bus: EventBus;
  now: () => number;
  version: string;
  alerts?: boolean;
  /** With the day-end facts (implies `alerts`); the live state's clock then starts at the log's first event. */
  facts?: boolean;
}) {
  const supervision = createSupervisionFold(o.geo);
  const alerts = o.alerts || o.facts;
  const live = createLiveState(o.geo, {}, o.facts ? undefined : o.now(), alerts ? supervision.observer : undefined);
  const book = createAlertBook();
  const facts = o.facts
    ? createBriefFacts({
        geo: o.geo,
        live,
        supervision,
        book,
        fold: (events) => live.apply(events),
        advance: (t) => live.advance(t),
      })
    : undefined;
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
    apply: (events) => (facts ? facts.apply(events) : live.apply(events)),
    advance: (t) => (facts ? facts.advance(t) : live.advance(t)),
    snapshot: () => ({ live: live.snapshotState() }),
    restore: (data) => live.restoreState((data as { live: unknown }).live),
  });
  if (alerts) {
    host.register({
      name: 'alerts',
      apply: (events) => void book.apply(events),
      // As the app's book, which forgets resolved alerts: the facts keep those of their days themselves.
      ...(o.facts ? { advance: (t: number) => book.advance(t) } : {}),
      snapshot: () => book.snapshotState(),
      restore: (data) => book.restoreState(data),
    });
    host.register(projectionOf('supervision', supervision));
  }
  if (facts)
    host.register({
      name: 'facts',
      apply: (events) => facts.applyAlerts(events),
      snapshot: () => facts.snapshotState(),
      restore: (data) => facts.restoreState(data),
    });
  return { host, live, facts };
}
