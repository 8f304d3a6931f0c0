// Alert delivery: after each fold, every alert the batch changed goes out whole ('alert:changed') to the room of
// its town and to the district's room, and to no other room, so a town's sockets never hear of another town's
// alerts. Scoped sockets join only rooms of their scope (gateway.ts), which is what makes this filtering enough.
import type { AreaKey, AreaTree } from '../contract/areas';
import type { Alert } from '../contract/alerts';
import { townOfArea } from '../contract/auth';
import { roomFor } from '../contract/socket';
import type { GatewayServer } from './gateway';

/** The rooms an alert is announced in: its town's (when it has one) and the district's. */
export function alertRooms(tree: Pick<AreaTree, 'root' | 'nodes'>, alert: Pick<Alert, 'area' | 'town'>): string[] {
  const town = alert.town ?? townOfArea(tree, alert.area);
  const rooms = [roomFor(tree.root as AreaKey)];
  if (town !== undefined && town !== tree.root) rooms.push(roomFor(town));
  return rooms;
}

/** Emits the changed alerts; returns a function for the bus subscriber to call after the AlertBook's fold. */
export function createAlertDelivery(
  io: GatewayServer,
  tree: Pick<AreaTree, 'root' | 'nodes'>,
): (changed: readonly Alert[]) => void {
  return (changed) => {
    for (const alert of changed) {
      // One emit to both rooms: a socket in both (none today) would get it once.
      io.to(alertRooms(tree, alert)).emit('alert:changed', alert);
    }
  };
}
