// How a brief is built from what it reads of its days (brief-day.ts): the same for the brief's replay of the log
// (brief.ts) and for the day-end facts (brief-facts.ts).
import type { AreaKey } from '../contract/areas';
import { WARNING_ORDER, type WarningColor } from '../contract/areas';
import type { Alert } from '../contract/alerts';
import { inScope } from '../contract/auth';
import type { Brief, BriefAlert, BriefCheckpoint } from '../contract/brief';
import { DAY_MS, dayStartMs, isoLocal } from '../contract/time';
import type { Geo } from '../geo/load';
import type { BriefDays, ResponseDay } from './brief-day';

/** 'YYYY-MM-DD' of a local day number (days since 1970-01-01, Asia/Shanghai). */
export const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The middle value (the mean of the two middle ones for an even count), rounded to the millisecond. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return Math.round(s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
}

export function createBriefBuilder(geo: Geo) {
  const tree = geo.tree;
  const townName = (townId: string | undefined) => (townId ? (tree.nodes[`town:${townId}`]?.name ?? null) : null);
  const checkpointProps = new Map(geo.layers.checkpoints.features.map((f) => [f.properties.id, f.properties]));
  const townsWithRiver = new Map<string, Set<AreaKey>>();
  for (const p of checkpointProps.values()) {
    const set = townsWithRiver.get(p.riverId) ?? new Set<AreaKey>();
    set.add(`town:${p.townId}`);
    townsWithRiver.set(p.riverId, set);
  }

  /** A response concerns a town when it changed the town's level, names the town (or an area above or in it), or its river runs past a checkpoint of the town. */
  const responseConcerns = (x: ResponseDay, area: AreaKey): boolean => {
    if (area === tree.root || x.changed.includes(area)) return true;
    const { r } = x;
    if (r.area !== undefined && (inScope(tree, r.area, area) || inScope(tree, area, r.area))) return true;
    if (r.area === undefined && r.riverId === undefined) return true;
    return r.area === undefined && r.riverId !== undefined && (townsWithRiver.get(r.riverId)?.has(area) ?? false);
  };

  /**
   * The brief of `area` from its days; `alerts`: the alerts of the area (AlertBook.list order), as they are
   * now, of which those raised on the brief's day are read.
   */
  function build(
    area: AreaKey,
    d: BriefDays,
    alerts: readonly Alert[],
    generatedAtMs: number,
    source: Brief['source'],
  ): Brief {
    const node = tree.nodes[area]!;
    const end = d.end.get(area)!;
    const days = d.daily.map((m) => m.get(area)!);
    const from = dayStartMs(d.day);
    const to = dayStartMs(d.day + 1);
    const inArea = (townId: string) => area === tree.root || area === `town:${townId}`;
    const flood: BriefCheckpoint[] = [...d.checkpoints]
      .filter((c) => c.color > 0 && inArea(checkpointProps.get(c.id)?.townId ?? ''))
      .sort((a, b) => b.color - a.color || a.firstWarningMs - b.firstWarningMs || a.id.localeCompare(b.id))
      .map((c) => {
        const p = checkpointProps.get(c.id)!;
        return {
          id: c.id,
          name: p.name,
          town: townName(p.townId),
          color: WARNING_ORDER[c.color] as WarningColor,
          peakLevel: c.peakLevel,
          peakAt: isoLocal(c.peakMs),
          firstWarningAt: isoLocal(c.firstWarningMs),
          readings: c.readings,
        };
      });
    const raised = alerts.filter((a) => {
      const ms = Date.parse(a.raisedAt);
      return ms >= from && ms < to;
    });
    const items: BriefAlert[] = raised.map((a) => {
      const ack =
        a.acknowledgedAt === undefined ? null : Math.max(0, Date.parse(a.acknowledgedAt) - Date.parse(a.raisedAt));
      const item: BriefAlert = {
        id: a.id,
        rule: a.rule,
        severity: a.severity,
        title: a.title,
        area: a.area,
        raisedAt: a.raisedAt,
        status: a.status,
        ackMs: ack,
        escalated: a.escalatedAt !== undefined,
      };
      if (a.acknowledgedAt !== undefined) item.acknowledgedAt = a.acknowledgedAt;
      if (a.facts !== undefined) item.facts = { ...a.facts };
      return item;
    });
    const acks = items.flatMap((a) => (a.ackMs === null ? [] : [a.ackMs]));
    const bySeverity = { info: 0, warning: 0, severe: 0 };
    for (const a of items) bySeverity[a.severity]++;
    const brief: Brief = {
      area: { key: area, name: node.name, level: node.level === 'district' ? 'district' : 'town' },
      date: dateOfDay(d.day),
      from: isoLocal(from),
      to: isoLocal(to),
      generatedAt: isoLocal(generatedAtMs),
      source,
      seq: d.seq,
      tickets: { day: days[days.length - 1]!, weekBefore: days[0]!, daily: days, byCategory: end.byCategory },
      overdue: end.overdue,
      worstCells: end.worstCells,
      flood: {
        checkpoints: flood,
        responses: d.responses.filter((x) => responseConcerns(x, area)).map((x) => x.r),
        responseLevelAtEnd: end.responseLevel,
      },
      patrol: { coverage: end.coverage, clusters: end.clusters },
      alerts: {
        raised: items.length,
        bySeverity,
        acknowledged: acks.length,
        unacknowledged: items.length - acks.length,
        medianAckMs: median(acks),
        worstAckMs: acks.length > 0 ? Math.max(...acks) : null,
        items,
      },
    };
    if (end.towns) brief.towns = end.towns;
    return brief;
  }

  return { build };
}
