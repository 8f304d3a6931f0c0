// The detail of one picked map object: a ticket (deadlines, escalation), a flood checkpoint (level against its
// thresholds, trend, obstruction clearance), a ranger (status, last position, battery, signal) or a forest
// incident. Live objects come from the store; a checkpoint's name, river and thresholds from its static layer.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { useLayer } from '../geo/layers';
import { formatters } from '../i18n';
import { useLive } from '../live/SocketController';
import type { ObjectSelection } from '../view/selection';
import { countdown, formatDuration } from './countdown';
import { Field } from './Field';
import { gauge } from './gauge';
import { ticketAreaNames } from './table';
import { FollowUpField, SuperviseAction, SupervisionField, useTicket } from './TicketOversight';
import { useNow } from './useNow';

interface Props {
  tree: AreaTree;
  selection: ObjectSelection;
  onOpenArea: (key: AreaKey) => void;
}

export function ObjectDetail({ tree, selection, onOpenArea }: Props) {
  switch (selection.kind) {
    case 'ticket':
      return <TicketDetail tree={tree} id={selection.id} onOpenArea={onOpenArea} />;
    case 'checkpoint':
      return <CheckpointDetail tree={tree} id={selection.id} />;
    case 'ranger':
      return <RangerDetail tree={tree} id={selection.id} onOpenArea={onOpenArea} />;
    case 'incident':
      return <IncidentDetail tree={tree} id={selection.id} onOpenArea={onOpenArea} />;
  }
}

function Head({ kind, title }: { kind: string; title: string }) {
  return (
    <header className="detail-head">
      <span className="detail-kind">{kind}</span>
      <h2>{title}</h2>
    </header>
  );
}

function Gone({ kind, message }: { kind: string; message: string }) {
  return (
    <div className="detail-body">
      <Head kind={kind} title="—" />
      <p className="panel-empty">{message}</p>
    </div>
  );
}

/** A link to an area by key, or plain text when the tree does not know it. */
function AreaLink({ tree, area, onOpenArea }: { tree: AreaTree; area: string; onOpenArea: (key: AreaKey) => void }) {
  const node = tree.nodes[area];
  if (!node) return <>—</>;
  return (
    <button type="button" className="detail-link" data-area-link={area} onClick={() => onOpenArea(area as AreaKey)}>
      {node.name}
    </button>
  );
}

function useUnits() {
  const { t } = useTranslation('panels');
  return { day: t('unit.day'), hour: t('unit.hour'), minute: t('unit.minute') };
}

function TicketDetail({ tree, id, onOpenArea }: { tree: AreaTree; id: string; onOpenArea: (key: AreaKey) => void }) {
  const { t, i18n } = useTranslation('panels');
  const live = useLive();
  const f = formatters(i18n.language);
  const now = useNow(15_000);
  const units = useUnits();
  const tk = useTicket(id, live.tickets.get(id));
  if (tk === null) return <Gone kind={t('detail.ticket')} message={t('detail.ticketLoading', { id })} />;
  if (!tk) return <Gone kind={t('detail.ticket')} message={t('detail.ticketGone', { id })} />;
  const due = (iso: string) => {
    // A closed ticket's clocks have stopped: its deadlines are dates, not countdowns.
    if (tk.status === 'closed') return f.dateTime(iso);
    const c = countdown(Date.parse(iso), now);
    const text = t(c.state === 'overdue' ? 'countdown.overdue' : 'countdown.remaining', {
      duration: formatDuration(c.minutes, units, f.number),
    });
    return (
      <>
        {f.dateTime(iso)}{' '}
        <span className={`deadline deadline--${c.state}${c.soon ? ' deadline--soon' : ''}`}>{text}</span>
      </>
    );
  };
  const where = ticketAreaNames(tk, tree);
  return (
    <div className="detail-body" data-detail-ticket={tk.id}>
      <Head kind={`${t('detail.ticket')} · ${tk.id}`} title={tk.title} />
      <dl className="detail-fields">
        <Field label={t('detail.category')} value={t(`category.${tk.category}`)} />
        <Field
          label={t('detail.urgency')}
          value={t(`urgency.${tk.urgency}`)}
          tone={tk.urgency === 'urgent' ? 'warn' : undefined}
        />
        <Field label={t('detail.status')} value={t(`status.${tk.status}`)} />
        <Field
          label={t('detail.location')}
          value={
            <>
              {tk.place?.townId ? (
                <AreaLink tree={tree} area={`town:${tk.place.townId}`} onOpenArea={onOpenArea} />
              ) : (
                '—'
              )}
              {where.grid && tk.place?.gridId && (
                <>
                  {' · '}
                  <AreaLink tree={tree} area={`grid:${tk.place.gridId}`} onOpenArea={onOpenArea} />
                </>
              )}
            </>
          }
        />
        <Field label={t('detail.createdAt')} value={f.dateTime(tk.createdAt)} />
        <Field label={t('detail.responseDueAt')} value={due(tk.responseDueAt)} />
        <Field
          label={t('detail.resolveDueAt')}
          value={due(tk.resolveDueAt)}
          tone={tk.overdue ? 'warn' : tk.nearDeadline ? 'caution' : undefined}
        />
        <SupervisionField tk={tk} />
        <FollowUpField tk={tk} />
        <Field
          label={t('detail.escalatedTo')}
          value={
            tk.escalatedTo.length > 0 ? tk.escalatedTo.map((d) => t(`department.${d}`)).join('、') : t('detail.none')
          }
        />
        {tk.assignee && <Field label={t('detail.assignee')} value={tk.assignee} />}
        {tk.address && <Field label={t('detail.address')} value={tk.address} />}
        {tk.mediaUrl && /^https?:\/\//i.test(tk.mediaUrl) && (
          <Field
            label={t('detail.media')}
            value={
              // A link only: the reporter's host is not ours, so it opens in a new tab without our page as opener
              // or referrer, and nothing is loaded from it until a person clicks.
              <a href={tk.mediaUrl} target="_blank" rel="noopener noreferrer" data-ticket-media>
                {t('detail.openMedia')}
              </a>
            }
          />
        )}
      </dl>
      <SuperviseAction tk={tk} />
    </div>
  );
}

function CheckpointDetail({ tree, id }: { tree: AreaTree; id: string }) {
  const { t, i18n } = useTranslation('panels');
  const live = useLive();
  const f = formatters(i18n.language);
  const layer = useLayer('checkpoints');
  const rivers = useLayer('rivers');
  const info = layer?.features.find((c) => c.properties.id === id)?.properties;
  const river = rivers?.features.find((r) => r.properties.id === info?.riverId)?.properties.name;
  const cp = live.checkpoints.get(id);
  const g = useMemo(() => (info ? gauge(info, cp?.level ?? null) : null), [info, cp?.level]);
  if (!info && !cp) return <Gone kind={t('detail.checkpoint')} message={t('detail.checkpointGone', { id })} />;
  const color = cp?.color ?? 'none';
  return (
    <div className="detail-body" data-detail-checkpoint={id}>
      <Head kind={t('detail.checkpoint')} title={info?.name ?? id} />
      {g && (
        <div className="gauge" role="img" aria-label={`${t('detail.level')} ${f.metres(cp?.level)}`}>
          <div className="gauge-bar">
            {g.marks.map((m) => (
              <span key={m.color} className={`gauge-mark gauge-mark--${m.color}`} style={{ bottom: `${m.at * 100}%` }}>
                <span>{`${t(`color.${m.color}`)} ${f.metres(m.level)}`}</span>
              </span>
            ))}
            {g.level !== null && (
              <span className={`gauge-fill gauge-fill--${color}`} style={{ height: `${g.level * 100}%` }} />
            )}
          </div>
        </div>
      )}
      <dl className="detail-fields">
        <Field label={t('detail.river')} value={river ?? '—'} />
        {info && (
          <Field
            label={t('detail.kind')}
            value={info.kind === 'gauge' ? t('detail.gauge') : t('detail.obstructionPoint')}
          />
        )}
        {info && <Field label={t('detail.location')} value={tree.nodes[`town:${info.townId}`]?.name ?? '—'} />}
        <Field label={t('detail.level')} value={f.metres(cp?.level)} tone={`flood-${color}`} />
        <Field label={t('detail.warning')} value={t(`color.${color}`)} tone={`flood-${color}`} />
        {g?.next && (
          <Field
            label={t('detail.nextThreshold', { color: t(`color.${g.next.color}`) })}
            value={f.metres(g.next.metres)}
          />
        )}
        <Field
          label={t('detail.waterTrend')}
          value={cp ? `${TREND_ARROW[cp.trend]} ${t(`waterTrend.${cp.trend}`)}` : '—'}
        />
        {info && <Field label={t('detail.warningLevel')} value={f.metres(info.warningLevel)} />}
        {info && <Field label={t('detail.guaranteedLevel')} value={f.metres(info.guaranteedLevel)} />}
        <Field
          label={t('detail.rainfall')}
          value={cp?.rainfall != null ? t('detail.rainfallValue', { value: f.number(cp.rainfall) }) : '—'}
        />
        {cp?.obstructionStatus && (
          <Field
            label={t('detail.obstruction')}
            value={t(`obstruction.${cp.obstructionStatus}`)}
            tone={cp.obstructionStatus === 'cleared' ? 'ok' : 'caution'}
          />
        )}
        <Field label={t('detail.readingAt')} value={cp?.readingAt ? f.dateTime(cp.readingAt) : t('detail.never')} />
        <Field
          label={t('detail.inspectedAt')}
          value={cp?.inspectedAt ? f.dateTime(cp.inspectedAt) : t('detail.never')}
        />
      </dl>
    </div>
  );
}

const TREND_ARROW = { rising: '↑', steady: '→', falling: '↓' } as const;

function RangerDetail({ tree, id, onOpenArea }: { tree: AreaTree; id: string; onOpenArea: (key: AreaKey) => void }) {
  const { t, i18n } = useTranslation('panels');
  const live = useLive();
  const f = formatters(i18n.language);
  const now = useNow(15_000);
  const units = useUnits();
  const r = live.rangers.get(id);
  if (!r) return <Gone kind={t('detail.ranger')} message={t('detail.rangerGone', { id })} />;
  const age = Math.max(0, Math.floor((now - Date.parse(r.lastSeen)) / 60_000));
  return (
    <div className="detail-body" data-detail-ranger={r.id}>
      <Head kind={t('detail.ranger')} title={r.id} />
      <dl className="detail-fields">
        <Field
          label={t('detail.rangerStatus')}
          value={t(`rangerStatus.${r.status}`)}
          tone={r.status === 'patrolling' ? 'ok' : undefined}
        />
        <Field
          label={t('detail.cluster')}
          value={r.clusterId ? <AreaLink tree={tree} area={`forest:${r.clusterId}`} onOpenArea={onOpenArea} /> : '—'}
        />
        <Field
          label={t('detail.lastSeen')}
          value={`${f.dateTime(r.lastSeen)} · ${t('detail.ago', { duration: formatDuration(age, units, f.number) })}`}
        />
        <Field
          label={t('detail.battery')}
          value={r.battery === null ? '—' : f.percent(r.battery / 100, 0)}
          tone={r.battery !== null && r.battery < 20 ? 'warn' : undefined}
        />
        <Field
          label={t('detail.signal')}
          value={r.signalLost ? t('detail.signalLost') : t('detail.signalOk')}
          tone={r.signalLost ? 'warn' : 'ok'}
        />
        {r.device && (
          <Field
            label={t('detail.device')}
            value={[
              r.device.id,
              r.device.unplaced ? t(`unplaced.${r.device.unplaced}`) : t('detail.deviceOk'),
              r.device.charging ? t('detail.charging') : null,
              r.device.moving === undefined ? null : r.device.moving ? t('detail.moving') : t('detail.still'),
              r.device.activity ?? null,
              r.device.accuracy === undefined ? null : `±${f.number(Math.round(r.device.accuracy))} m`,
              r.device.odometer === undefined ? null : `${f.number(Math.round(r.device.odometer / 100) / 10)} km`,
              r.device.mock ? t('detail.mock') : null,
            ]
              .filter((x) => x !== null)
              .join(' · ')}
            tone={r.device.unplaced || r.device.mock ? 'warn' : undefined}
          />
        )}
      </dl>
    </div>
  );
}

function IncidentDetail({ tree, id, onOpenArea }: { tree: AreaTree; id: string; onOpenArea: (key: AreaKey) => void }) {
  const { t, i18n } = useTranslation('panels');
  const live = useLive();
  const f = formatters(i18n.language);
  const inc = live.incidents.get(id);
  if (!inc) return <Gone kind={t('detail.incident')} message={t('detail.incidentGone', { id })} />;
  const cluster = live.rangers.get(inc.rangerId)?.clusterId;
  return (
    <div className="detail-body" data-detail-incident={inc.id}>
      <Head kind={t('detail.incident')} title={t(`incidentType.${inc.type}`)} />
      <dl className="detail-fields">
        <Field
          label={t('detail.severity')}
          value={t(`severity.${inc.severity}`)}
          tone={inc.severity === 'high' ? 'warn' : inc.severity === 'medium' ? 'caution' : undefined}
        />
        <Field label={t('detail.reportedAt')} value={f.dateTime(inc.reportedAt)} />
        <Field label={t('detail.reportedBy')} value={inc.rangerId} />
        {cluster && (
          <Field
            label={t('detail.cluster')}
            value={<AreaLink tree={tree} area={`forest:${cluster}`} onOpenArea={onOpenArea} />}
          />
        )}
      </dl>
    </div>
  );
}
