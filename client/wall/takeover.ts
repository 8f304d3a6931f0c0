// Which alert takes the wall over. Pure: the wall's component feeds it the alert list and what holds now.
//
// A severe alert that is open (nobody acknowledged it, it is not resolved) inside the wall's scope takes the
// screen: the tour pauses, the map flies to it, a banner names it, until someone acknowledges it. The one on
// screen keeps it while it stays open, even when a newer one comes in: a banner that changed under the eyes
// of the person reading it would be missed. The others queue, newest first, and follow one by one.
import { inScope } from '../../server/contract/auth';
import { compareAlerts, type Alert } from '../../server/contract/alerts';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { DEFAULT_RATE_WINDOW } from '../../server/contract/live';
import { isSubLevel, levelOf, type ViewState } from '../view/url';

export interface Takeover {
  /** The alert on screen, or null: the tour runs. */
  current: Alert | null;
  /** Waiting behind it, in the order they will come (newest first). */
  queued: Alert[];
}

/** An alert that may take the wall: severe, still open, in the wall's scope. */
export function takesOver(alert: Alert, tree: Pick<AreaTree, 'nodes'>, scope: AreaKey): boolean {
  return alert.severity === 'severe' && alert.status === 'open' && inScope(tree, scope, alert.area);
}

/** @param holding the id of the alert on screen now (null when the tour runs). */
export function pickTakeover(
  alerts: Iterable<Alert>,
  tree: Pick<AreaTree, 'nodes'>,
  scope: AreaKey,
  holding: string | null,
): Takeover {
  const open: Alert[] = [];
  for (const a of alerts) if (takesOver(a, tree, scope)) open.push(a);
  open.sort(compareAlerts);
  const held = holding === null ? -1 : open.findIndex((a) => a.id === holding);
  const at = held >= 0 ? held : 0;
  const current = open[at] ?? null;
  return { current, queued: current ? open.filter((_, i) => i !== at) : [] };
}

/** Where the map goes for an alert: its point when it has one, else its area (its grid cell, cluster or town). */
export interface AlertFocus {
  area: AreaKey;
  point: { lon: number; lat: number } | null;
}

export function focusOf(alert: Alert, tree: Pick<AreaTree, 'nodes'>, scope: AreaKey): AlertFocus {
  const area = tree.nodes[alert.area] ? alert.area : (alert.town ?? scope);
  return { area: area as AreaKey, point: alert.location ?? null };
}

/** What the map shows during a take-over: the alert's area, coloured and overlaid for its kind of rule. */
export function takeoverView(alert: Alert, focus: AlertFocus): ViewState {
  const level = levelOf(focus.area);
  const look: Pick<ViewState, 'metric' | 'overlays' | 'sub'> =
    alert.rule === 'flood_warning'
      ? { metric: 'flood', overlays: ['checkpoints'], sub: 'grid' }
      : alert.rule === 'fire_risk' ||
          alert.rule === 'ranger_sos' ||
          alert.rule === 'forest_unpatrolled' ||
          alert.rule === 'ranger_signal_lost'
        ? // Coverage is a figure of forest clusters (and towns); a grid cell has none, so it shows its tickets.
          {
            metric: level === 'grid' || level === 'property' ? 'open' : 'coverage',
            overlays: ['rangers'],
            sub: 'forest',
          }
        : { metric: 'overdue', overlays: ['tickets'], sub: 'grid' };
  return {
    area: focus.area,
    ...look,
    sub: isSubLevel(level) ? level : look.sub,
    theme: 'wall',
    rates: DEFAULT_RATE_WINDOW,
  };
}
