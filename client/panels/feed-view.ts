// How a feed item reads: its line of text (an i18n key of the panels namespace and its values), its icon and
// tone, and the area it happened in where the client knows it. Pure, so the wording rules are tested.
import { shortName } from '../geo/names';
import type { AreaTree } from '../../server/contract/areas';
import type { IncidentObject, RangerObject, TicketObject } from '../../server/contract/live';
import type { FeedItem } from '../live/feed';

/** Tones map to colours in panels.css: tickets amber, flood blue→red, forest green, alarms red. */
export type FeedTone = 'ticket' | 'ticket-done' | 'alarm' | 'flood' | 'forest' | 'forest-done';

export interface FeedLine {
  key: string;
  values: Record<string, string>;
  tone: FeedTone;
  icon: string;
}

/** What the line needs translated: category, status, colour and incident-type names of the locale. */
export interface FeedNames {
  category(c: string): string;
  status(s: string): string;
  color(c: string): string;
  incidentType(t: string): string;
  checkpoint(id: string): string;
  level(m: number | null): string;
}

const ICON = { ticket: '◆', flood: '≋', forest: '▲', alarm: '!', done: '✓' } as const;

export function feedLine(item: FeedItem, n: FeedNames): FeedLine {
  switch (item.kind) {
    case 'ticket.created':
      return {
        key: item.params.urgent ? 'feed.ticketCreatedUrgent' : 'feed.ticketCreated',
        values: { category: n.category(item.params.category), title: item.params.title },
        tone: item.params.urgent ? 'alarm' : 'ticket',
        icon: item.params.urgent ? ICON.alarm : ICON.ticket,
      };
    case 'ticket.status': {
      const done = item.params.status === 'closed';
      return {
        key: 'feed.ticketStatus',
        values: { status: n.status(item.params.status), title: item.params.title },
        tone: done ? 'ticket-done' : 'ticket',
        icon: done ? ICON.done : ICON.ticket,
      };
    }
    case 'ticket.overdue':
      return { key: 'feed.ticketOverdue', values: { title: item.params.title }, tone: 'alarm', icon: ICON.alarm };
    case 'checkpoint.color':
      return {
        key: item.params.rising ? 'feed.checkpointUp' : 'feed.checkpointDown',
        values: { name: n.checkpoint(item.subject.id), to: n.color(item.params.to), level: n.level(item.params.level) },
        tone: item.severe ? 'alarm' : 'flood',
        icon: ICON.flood,
      };
    case 'incident.reported':
      return {
        key: 'feed.incidentReported',
        values: { type: n.incidentType(item.params.type), ranger: item.params.rangerId },
        tone: item.severe ? 'alarm' : 'forest',
        icon: item.severe ? ICON.alarm : ICON.forest,
      };
    case 'incident.closed':
      return { key: 'feed.incidentClosed', values: {}, tone: 'forest-done', icon: ICON.done };
    case 'ranger.patrolStarted':
      return { key: 'feed.patrolStarted', values: { ranger: item.subject.id }, tone: 'forest', icon: ICON.forest };
    case 'ranger.patrolEnded':
      return { key: 'feed.patrolEnded', values: { ranger: item.subject.id }, tone: 'forest-done', icon: ICON.forest };
    case 'ranger.signalLost':
      return { key: 'feed.signalLost', values: { ranger: item.subject.id }, tone: 'alarm', icon: ICON.alarm };
  }
}

/** What the client holds that can place an item: the live objects, and each checkpoint's town. */
export interface FeedPlaces {
  tree: AreaTree;
  tickets: ReadonlyMap<string, TicketObject>;
  rangers: ReadonlyMap<string, RangerObject>;
  incidents: ReadonlyMap<string, IncidentObject>;
  checkpointTown(id: string): string | undefined;
}

const nameOf = (tree: AreaTree, key: string): string | null => tree.nodes[key]?.name ?? null;

function rangerArea(p: FeedPlaces, rangerId: string): string | null {
  const cluster = p.rangers.get(rangerId)?.clusterId;
  if (!cluster) return null;
  const node = p.tree.nodes[`forest:${cluster}`];
  if (!node) return null;
  // "永乐店镇 · 小务组团": the cluster alone means little on the district wall.
  const town = node.parent ? nameOf(p.tree, node.parent) : null;
  return town ? `${town} · ${node.name}` : node.name;
}

/**
 * The area an item happened in, as a name ("玉桥街道 · 网格 3"), or null when the client does not know it
 * (a closed ticket has left the store, so its place went with it).
 */
export function feedArea(item: FeedItem, p: FeedPlaces): string | null {
  switch (item.subject.kind) {
    case 'ticket': {
      const place = p.tickets.get(item.subject.id)?.place;
      if (!place?.townId) return null;
      const town = nameOf(p.tree, `town:${place.townId}`);
      const grid =
        place.gridId && p.tree.nodes[`grid:${place.gridId}`] ? shortName(p.tree, `grid:${place.gridId}`) : null;
      return town && grid ? `${town} · ${grid}` : town;
    }
    case 'checkpoint': {
      const town = p.checkpointTown(item.subject.id);
      return town ? nameOf(p.tree, `town:${town}`) : null;
    }
    case 'ranger':
      return rangerArea(p, item.subject.id);
    case 'incident': {
      const ranger =
        item.kind === 'incident.reported' ? item.params.rangerId : p.incidents.get(item.subject.id)?.rangerId;
      return ranger ? rangerArea(p, ranger) : null;
    }
  }
}
