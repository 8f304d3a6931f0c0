// Ticket events for fold tests: a feed that numbers them as the log would, and the ticket lifecycle's events.
import type { OpsEvent, Place, StoredEvent } from '../../server/contract/events';
import { interiorPoint } from '../../server/geo/interior';
import type { Geo } from '../../server/geo/load';
import type { Locator } from '../../server/geo/locate';

export type Bare<T> = T extends unknown ? Omit<T, 'id' | 'source'> : never;
/** A point and where locate puts it. */
export interface Spot {
  lon: number;
  lat: number;
  place: Place;
}

/** Hands out gap-free sequence numbers and event ids, as the log would. */
export class Feed {
  seq = 0;
  make(event: Bare<OpsEvent>, place?: Place): StoredEvent {
    this.seq++;
    const stored: StoredEvent = {
      seq: this.seq,
      receivedAt: event.time,
      event: { ...event, id: `e${this.seq}`, source: 'simulator' } as OpsEvent,
    };
    if (place) stored.place = place;
    return stored;
  }
}

export const at = (s: string) => Date.parse(s);

/** An inner point of a feature of the geography, and where the locator puts it. */
export function spotIn(geo: Geo, locator: Locator, layer: 'property' | 'grid' | 'towns', id: string): Spot {
  const f = geo.layers[layer].features.find((x) => x.properties.id === id)!;
  const [lon, lat] = interiorPoint(f.geometry as never);
  return { lon, lat, place: locator.locate(lon, lat)! };
}

export const created = (
  ticketId: string,
  time: string,
  spot: Spot,
  extra: Partial<Bare<Extract<OpsEvent, { kind: 'ticket.created' }>>> = {},
): Bare<OpsEvent> => ({
  kind: 'ticket.created',
  time,
  ticketId,
  category: 'e_bike',
  urgency: 'normal',
  channel: 'hotline_12345',
  title: `工单 ${ticketId}`,
  location: { lon: spot.lon, lat: spot.lat },
  ...extra,
});
export const updated = (
  ticketId: string,
  time: string,
  status: 'dispatched' | 'in_progress' | 'replied' | 'closed' | 'received',
): Bare<OpsEvent> => ({
  kind: 'ticket.updated',
  time,
  ticketId,
  status,
});
export const closed = (ticketId: string, time: string, resolved: boolean): Bare<OpsEvent> => ({
  kind: 'ticket.closed',
  time,
  ticketId,
  resolved,
});
export const rated = (ticketId: string, time: string, satisfied: boolean): Bare<OpsEvent> => ({
  kind: 'ticket.rated',
  time,
  ticketId,
  satisfied,
});
