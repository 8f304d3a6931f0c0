// The contract's map objects, built from the fold's records only when read, so the hot path never allocates a
// wire object.
import { WARNING_ORDER } from '../../contract/areas';
import type { CheckpointObject, IncidentObject, RangerObject, TicketObject } from '../../contract/live';
import { isoLocal } from '../../contract/time';
import type { CheckpointRec, IncidentRec, RangerRec, TicketRec } from '../records';

export function ticketObject(t: TicketRec): TicketObject {
  const o: TicketObject = {
    id: t.id,
    category: t.category,
    urgency: t.urgency,
    status: t.status,
    title: t.title,
    position: [t.lon, t.lat],
    createdAt: t.createdAt,
    responseDueAt: t.respDueAt ?? isoLocal(t.respDueMs),
    resolveDueAt: t.resolveDueAt ?? isoLocal(t.resolveDueMs),
    overdue: t.overdue,
    nearDeadline: t.near,
    escalatedTo: [...t.escalatedTo],
  };
  if (t.place) o.place = { ...t.place };
  if (t.assignee !== undefined) o.assignee = t.assignee;
  if (t.address !== undefined) o.address = t.address;
  if (t.mediaUrl !== undefined) o.mediaUrl = t.mediaUrl;
  if (t.supervision) o.supervision = { ...t.supervision };
  if (t.followUp) o.followUp = { ...t.followUp };
  return o;
}

export function rangerObject(r: RangerRec): RangerObject {
  return {
    id: r.id,
    patrolId: r.patrolId,
    clusterId: r.clusterId,
    position: [r.lon, r.lat],
    trail: r.trail.toArray(),
    status: r.patrolId !== null ? 'patrolling' : 'idle',
    lastSeen: r.seenAt,
    signalLost: r.lost,
    battery: r.battery,
    ...(r.device ? { device: { ...r.device } } : {}),
  };
}

export function checkpointObject(cp: CheckpointRec): CheckpointObject {
  return {
    id: cp.id,
    level: cp.level,
    rainfall: cp.rainfall,
    trend: cp.trend,
    color: WARNING_ORDER[cp.color]!,
    obstructionStatus: cp.obstruction,
    readingAt: cp.readingAt,
    inspectedAt: cp.inspectedAt,
  };
}

export function incidentObject(i: IncidentRec): IncidentObject {
  return {
    id: i.id,
    rangerId: i.rangerId,
    type: i.type,
    severity: i.severity,
    position: [i.lon, i.lat],
    reportedAt: i.reportedAt,
  };
}
