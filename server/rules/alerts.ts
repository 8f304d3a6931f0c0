// The AlertBook: the alerts as a fold of the alert events in the log (alert.raised … alert.resolved). Every
// event becomes one line of the alert's audit trail (who, when, what), so the trail is the log itself, seen
// per alert. Resolved alerts stay listed for a day (the officer's "today" and the wall's recent history), then
// leave memory; the log keeps them forever.
import type { AreaKey, AreaTree } from '../contract/areas';
import {
  compareAlerts,
  type Alert,
  type AlertAction,
  type AlertEvent,
  type AlertRule,
  type AlertStatus,
  type AlertSubject,
} from '../contract/alerts';
import { inScope } from '../contract/auth';
import { ALERT_KIND_PREFIX, type StoredEvent } from '../contract/events';
import { HOUR_MS } from '../contract/time';

/** Resolved alerts are listed this long after they were resolved. */
export const DEFAULT_RESOLVED_RETENTION_MS = 24 * HOUR_MS;

/** 'active': open or acknowledged, i.e. not resolved. */
export type AlertStatusFilter = AlertStatus | 'active';

/** The one-open-alert-per-rule-and-subject key: the rule and the first object behind the alert. */
export const alertSubjectKey = (rule: AlertRule, subject: AlertSubject): string =>
  `${rule}|${subject.kind}:${subject.id}`;

export interface AlertBook {
  /** The last seq folded (every event counts, so it matches the log). */
  readonly seq: number;
  /** Folds stored events in seq order (other kinds are skipped); returns the alerts this batch changed. */
  apply(events: readonly StoredEvent[]): Alert[];
  /** Drops resolved alerts older than the retention. */
  advance(nowMs: number): void;
  get(id: string): Alert | undefined;
  /** The open or acknowledged alert of this rule and subject (alertSubjectKey), if any. */
  activeFor(subjectKey: string): Alert | undefined;
  /** Every alert not resolved, in no particular order (the engine's escalation scan). */
  active(): IterableIterator<Alert>;
  /** Alerts whose area lies in `scope`, newest and most severe first (compareAlerts). */
  list(tree: Pick<AreaTree, 'nodes'>, scope: AreaKey, status?: AlertStatusFilter): Alert[];
  /** Its state for a keyframe, and back (live/keyframes.ts). */
  snapshotState(): unknown;
  restoreState(data: unknown): void;
}

interface AlertBookSnapshot {
  alerts: Map<string, Alert>;
  activeByKey: Map<string, Alert>;
  active: Map<string, Alert>;
  resolved: { id: string; ms: number }[];
  seq: number;
}

export function createAlertBook(options: { resolvedRetentionMs?: number } = {}): AlertBook {
  const retentionMs = options.resolvedRetentionMs ?? DEFAULT_RESOLVED_RETENTION_MS;
  const alerts = new Map<string, Alert>();
  const activeByKey = new Map<string, Alert>();
  const active = new Map<string, Alert>();
  /** Resolved alerts in the order they were resolved (by the time of the event), for retention. */
  let resolved: { id: string; ms: number }[] = [];
  let seq = 0;

  const keyOf = (a: Alert): string | undefined => (a.subjects[0] ? alertSubjectKey(a.rule, a.subjects[0]) : undefined);

  function action(s: StoredEvent, e: AlertEvent): AlertAction {
    const a: AlertAction = { seq: s.seq, at: e.time, kind: e.kind };
    if ('by' in e && e.by) a.by = e.by;
    if ('note' in e && e.note !== undefined) a.note = e.note;
    if (e.kind === 'alert.whistled') a.departments = [...e.departments];
    if (e.kind === 'alert.raised' || e.kind === 'alert.updated') a.severity = e.severity;
    if (e.kind === 'alert.raised') a.level = e.level;
    if (e.kind === 'alert.escalated') a.level = e.to;
    if (e.kind === 'alert.notified') {
      a.channel = e.channel;
      a.transition = e.transition;
      a.result = e.result;
      if (e.reason !== undefined) a.note = e.reason;
    }
    return a;
  }

  /** Applies one event; true when the alert changed. */
  function fold(s: StoredEvent, e: AlertEvent): Alert | undefined {
    if (e.kind === 'alert.raised') {
      if (alerts.has(e.alertId)) return undefined; // the same alert raised twice (two nodes): the first one counts
      const alert: Alert = {
        id: e.alertId,
        rule: e.rule,
        severity: e.severity,
        status: 'open',
        level: e.level,
        area: e.area,
        title: e.title,
        subjects: e.subjects.map((x) => ({ ...x })),
        raisedAt: e.time,
        departments: [],
        actions: [action(s, e)],
        seq: s.seq,
      };
      if (e.town !== undefined) alert.town = e.town;
      if (e.facts !== undefined) alert.facts = { ...e.facts };
      if (e.location !== undefined) alert.location = { ...e.location };
      alerts.set(alert.id, alert);
      active.set(alert.id, alert);
      const key = keyOf(alert);
      if (key !== undefined) activeByKey.set(key, alert);
      return alert;
    }
    const alert = alerts.get(e.alertId);
    // An action on an alert this book no longer holds (resolved long ago) or never saw changes nothing here.
    if (!alert) return undefined;
    // A claim is the notifiers' bookkeeping between nodes (server/notify/), not something a person did or needs.
    if (e.kind === 'alert.notified' && e.result === 'claimed') return undefined;
    // After the resolution only notes and notifications (the resolution itself is told) still count: the record
    // can be annotated, but not reopened.
    if (alert.status === 'resolved' && e.kind !== 'alert.noted' && e.kind !== 'alert.notified') return undefined;
    switch (e.kind) {
      case 'alert.updated':
        alert.severity = e.severity;
        alert.title = e.title;
        if (e.facts !== undefined) alert.facts = { ...e.facts };
        break;
      case 'alert.acknowledged':
        if (alert.status === 'open') {
          alert.status = 'acknowledged';
          alert.acknowledgedAt = e.time;
          alert.acknowledgedBy = { ...e.by };
        }
        break;
      case 'alert.noted':
      case 'alert.notified':
        break;
      case 'alert.whistled':
        for (const d of e.departments) if (!alert.departments.includes(d)) alert.departments.push(d);
        break;
      case 'alert.escalated':
        alert.level = e.to;
        alert.escalatedAt = e.time;
        break;
      case 'alert.resolved': {
        alert.status = 'resolved';
        alert.resolvedAt = e.time;
        if (e.by) alert.resolvedBy = { ...e.by };
        active.delete(alert.id);
        const key = keyOf(alert);
        if (key !== undefined && activeByKey.get(key) === alert) activeByKey.delete(key);
        const ms = Date.parse(e.time);
        resolved.push({ id: alert.id, ms: Number.isNaN(ms) ? 0 : ms });
        break;
      }
    }
    alert.actions.push(action(s, e));
    alert.seq = s.seq;
    return alert;
  }

  return {
    snapshotState() {
      return { alerts, activeByKey, active, resolved, seq } satisfies AlertBookSnapshot;
    },
    restoreState(data) {
      const s = data as AlertBookSnapshot;
      for (const [into, from] of [
        [alerts, s.alerts],
        [activeByKey, s.activeByKey],
        [active, s.active],
      ] as const) {
        into.clear();
        for (const [k, v] of from) into.set(k, v);
      }
      resolved = s.resolved;
      seq = s.seq;
    },
    get seq() {
      return seq;
    },

    apply(events) {
      const changed = new Map<string, Alert>();
      for (const s of events) {
        if (s.seq <= seq) continue;
        seq = s.seq;
        const e = s.event;
        if (!e.kind.startsWith(ALERT_KIND_PREFIX)) continue;
        const alert = fold(s, e as AlertEvent);
        if (alert) changed.set(alert.id, alert);
      }
      return [...changed.values()];
    },

    advance(nowMs) {
      if (resolved.length === 0 || !Number.isFinite(nowMs)) return;
      const limit = nowMs - retentionMs;
      if (resolved[0]!.ms > limit) return;
      // Resolution times come in log order, nearly sorted; a late one only stays a little longer.
      const keep: { id: string; ms: number }[] = [];
      for (const r of resolved) {
        if (r.ms <= limit) alerts.delete(r.id);
        else keep.push(r);
      }
      resolved = keep;
    },

    get: (id) => alerts.get(id),
    activeFor: (key) => activeByKey.get(key),
    active: () => active.values(),

    list(tree, scope, status) {
      const source =
        status === 'active' || status === 'open' || status === 'acknowledged' ? active.values() : alerts.values();
      const out: Alert[] = [];
      for (const a of source) {
        if (status !== undefined && status !== 'active' && a.status !== status) continue;
        if (inScope(tree, scope, a.area)) out.push(a);
      }
      return out.sort(compareAlerts);
    },
  };
}
