// The one accept() pipeline every ingest path ends in (REST batch, Open311, OsmAnd, MQTT, simulator):
// validate against the contract → coordinates to WGS84 → time sanity → locate → append to the bus.
// Each item gets its own answer; a bad item never costs the good ones of the same batch.
import type { LayerPropsMap } from '../contract/areas';
import { validateEvent, type OpsEvent, type Place } from '../contract/events';
import type { FieldError } from '../contract/validate';
import type { EventBus } from '../bus/types';
import type { Geo } from '../geo/load';
import type { Locator } from '../geo/locate';
import { toWgs84 } from '../geo/crs';
import type { AppendItem } from '../store/types';

export type ItemResult =
  | { status: 'accepted'; seq: number }
  | { status: 'duplicate'; seq: number }
  | { status: 'rejected'; errors: FieldError[]; reason?: UnplacedReason };

/** Why a well-formed event could not be placed: a tracker's report is then kept as its device status instead. */
export type UnplacedReason = 'outside_district' | 'clock_ahead';

export interface AcceptSummary {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: ItemResult[];
}

export interface AcceptorOptions {
  geo: Geo;
  locator: Locator;
  bus: EventBus;
  /** How far in the future an event time may be (clock skew of devices), ms. */
  maxFutureSkewMs: number;
  now?: () => number;
}

export type Acceptor = (items: readonly unknown[]) => Promise<AcceptSummary>;

const reject = (path: string, message: string, reason?: UnplacedReason): ItemResult => ({
  status: 'rejected',
  errors: [{ path, message }],
  ...(reason ? { reason } : {}),
});

export function createAcceptor(options: AcceptorOptions): Acceptor {
  const now = options.now ?? Date.now;
  const checkpoints = new Map<string, { at: [number, number]; props: LayerPropsMap['checkpoints'] }>();
  for (const f of options.geo.layers.checkpoints.features) {
    checkpoints.set(f.properties.id, { at: f.geometry.coordinates as [number, number], props: f.properties });
  }
  const clusters = new Set(options.geo.layers.forest.features.map((f) => f.properties.id));
  const patrolPoints = new Set(options.geo.layers.patrolPoints.features.map((f) => f.properties.id));

  /** Validates and prepares one item; returns the item for the log or the reason it cannot go there. */
  function prepare(raw: unknown, receivedAt: string, nowMs: number): AppendItem | ItemResult {
    const checked = validateEvent(raw);
    if (!checked.ok) return { status: 'rejected', errors: checked.errors };
    let event: OpsEvent = checked.event;
    const t = Date.parse(event.time);
    if (t > nowMs + options.maxFutureSkewMs) {
      return reject(
        '/time',
        `is ${Math.round((t - nowMs) / 1000)} s in the future; at most ${options.maxFutureSkewMs / 1000} s of clock skew is allowed`,
        'clock_ahead',
      );
    }
    let place: Place | undefined;
    if ('location' in event && event.location) {
      const [lon, lat] = toWgs84(event.location.lon, event.location.lat, event.location.crs);
      const found = options.locator.locate(lon, lat);
      if (!found)
        return reject(
          '/location',
          `(${lon.toFixed(6)}, ${lat.toFixed(6)} WGS84) lies outside the district`,
          'outside_district',
        );
      // Stored canonical: WGS84, the system said once, so a replay never converts twice. A copy: the caller's
      // object (a simulator's, a test's) stays as it was.
      event = { ...event, location: { lon, lat, crs: 'wgs84' } } as OpsEvent;
      place = found;
    } else if ('checkpointId' in event) {
      const cp = checkpoints.get(event.checkpointId);
      if (!cp) return reject('/checkpointId', `unknown checkpoint '${event.checkpointId}'`);
      place = options.locator.locate(cp.at[0], cp.at[1]) ?? { townId: cp.props.townId };
    }
    if (event.kind === 'patrol.started' && !clusters.has(event.clusterId)) {
      return reject('/clusterId', `unknown forest cluster '${event.clusterId}'`);
    }
    if (event.kind === 'patrol.checkin' && !patrolPoints.has(event.pointId)) {
      return reject('/pointId', `unknown patrol point '${event.pointId}'`);
    }
    return place ? { event, receivedAt, place } : { event, receivedAt };
  }

  return async function accept(items) {
    const nowMs = now();
    const receivedAt = new Date(nowMs).toISOString();
    const results: ItemResult[] = new Array(items.length);
    const batch: AppendItem[] = [];
    const positions: number[] = [];
    items.forEach((raw, i) => {
      const prepared = prepare(raw, receivedAt, nowMs);
      if ('status' in prepared) results[i] = prepared;
      else {
        batch.push(prepared);
        positions.push(i);
      }
    });
    // The bus answers only once the batch is durable; if it throws, the caller answers 503, never a 2xx.
    const appended = batch.length > 0 ? await options.bus.append(batch) : [];
    appended.forEach((r, k) => {
      results[positions[k]!] =
        r.status === 'stored' ? { status: 'accepted', seq: r.stored.seq } : { status: 'duplicate', seq: r.seq };
    });
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    for (const r of results) {
      if (r.status === 'accepted') accepted++;
      else if (r.status === 'duplicate') duplicates++;
      else rejected++;
    }
    return { accepted, duplicates, rejected, results };
  };
}
