// The alert inbox: the alerts of the principal's scope, open and most severe first, newest first within a
// severity (compareAlerts); one picked shows its facts, the objects behind it (a button flies the map there),
// and its audit trail (who, when, what, note, departments). Officers and admins acknowledge, add notes, blow
// the whistle (吹哨: call named departments to report) and resolve; a leader reads and adds notes. The buttons
// follow can() from the contract; the server enforces the same table.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert, AlertAction, AlertSubject } from '../../server/contract/alerts';
import type { AreaTree } from '../../server/contract/areas';
import { can, type Actor, type Principal } from '../../server/contract/auth';
import { Department } from '../../server/contract/events';
import { useSession } from '../auth/SessionProvider';
import { apiJson } from '../auth/session';
import { formatters } from '../i18n';
import { useAlerts, useAlertStore } from '../live/SocketController';
import { openAlerts } from '../live/alerts';
import { factLines } from './alert-facts';
import { alertTitle } from './alert-title';
import { useAlertSound } from './alert-sound';
import { useNow } from './useNow';
import '../styles/alerts.css';

const DEPARTMENTS: readonly Department[] = Department.anyOf.map((b) => b.const);

export type AlertActionKind = 'acknowledge' | 'note' | 'whistle' | 'resolve';

/** What the principal may do with the alert now: the buttons the inbox shows. */
export function alertActions(p: Pick<Principal, 'role'>, a: Pick<Alert, 'status'>): AlertActionKind[] {
  const out: AlertActionKind[] = [];
  const act = can(p, 'alert.act');
  if (act && a.status === 'open') out.push('acknowledge');
  if (can(p, 'alert.comment')) out.push('note');
  if (act && a.status !== 'resolved') out.push('whistle', 'resolve');
  return out;
}

const PATHS: Record<AlertActionKind, string> = {
  acknowledge: 'acknowledge',
  note: 'notes',
  whistle: 'whistle',
  resolve: 'resolve',
};

const INBOX_KEY = 'opsmap.alertInbox';

/** Whether the inbox was left open on this screen. */
/**
 * The alert a link names (`?alert=<id>`: notifications link to `/?area=<its area>&alert=<id>`, docs/ALERTS.md):
 * the inbox opens with it picked.
 */
export function linkedAlertId(search: string = window.location.search): string | null {
  const id = new URLSearchParams(search).get('alert');
  return id !== null && id.length > 0 && id.length <= 128 ? id : null;
}

export function inboxPreference(): boolean {
  if (linkedAlertId() !== null) return true;
  try {
    return window.localStorage.getItem(INBOX_KEY) === 'open';
  } catch {
    return false;
  }
}

/** Remembers the inbox's state and returns it. */
export function storeInboxPreference(open: boolean): boolean {
  try {
    window.localStorage.setItem(INBOX_KEY, open ? 'open' : 'closed');
  } catch {
    // storage may be off: the choice lasts for this page only
  }
  return open;
}

/** The header's badge: open alerts; a click opens the inbox. */
export function AlertBadge({ onClick, expanded }: { onClick: () => void; expanded: boolean }) {
  const { t } = useTranslation('auth');
  const alerts = useAlerts();
  const count = openAlerts(alerts);
  const severe = alerts.some((a) => a.status === 'open' && a.severity === 'severe');
  return (
    <button
      type="button"
      className={`alert-badge${count > 0 ? ' alert-badge--open' : ''}${severe ? ' alert-badge--severe' : ''}`}
      aria-expanded={expanded}
      aria-label={`${t('alerts.open')} · ${t('alerts.badge', { count })}`}
      data-alert-count={count}
      onClick={onClick}
    >
      {t('alerts.title')} <span className="alert-count">{count}</span>
    </button>
  );
}

function useAge() {
  const { t } = useTranslation('auth');
  const now = useNow(30_000);
  return (at: string) => {
    const minutes = Math.max(0, Math.floor((now - Date.parse(at)) / 60_000));
    if (minutes < 1) return t('alerts.justNow');
    if (minutes < 120) return t('alerts.age', { minutes });
    return t('alerts.ageHours', { hours: Math.floor(minutes / 60) });
  };
}

export interface AlertInboxProps {
  tree: AreaTree;
  onClose: () => void;
  /** Opens the alert's area and picks the subject on the map. */
  onFlyTo: (alert: Alert, subject: AlertSubject | null) => void;
}

export function AlertInbox({ tree, onClose, onFlyTo }: AlertInboxProps) {
  const { t } = useTranslation('auth');
  const { principal } = useSession();
  const store = useAlertStore();
  const alerts = useAlerts();
  const [picked, setPicked] = useState<string | null>(() => linkedAlertId());
  const [sound, setSound] = useAlertSound(alerts, store.loads > 0);
  const age = useAge();
  const current = picked ? alerts.find((a) => a.id === picked) : undefined;
  const readOnly = !can(principal, 'alert.act');

  return (
    <aside className="panel alert-inbox" aria-label={t('alerts.label')} data-panel="alerts">
      <div className="panel-head">
        <h2>{t('alerts.title')}</h2>
        <span className="panel-sub">{t('alerts.badge', { count: openAlerts(alerts) })}</span>
        <button
          type="button"
          className="detail-close"
          onClick={onClose}
          aria-label={t('alerts.close')}
          title={t('alerts.close')}
        >
          ×
        </button>
      </div>
      <div className="alert-tools">
        <label className="alert-sound">
          <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} /> {t('alerts.sound')}
        </label>
        {readOnly && <span className="alert-readonly">{t('alerts.readOnly')}</span>}
      </div>
      {alerts.length === 0 ? (
        <p className="panel-empty">{t('alerts.empty')}</p>
      ) : (
        <ul className="alert-list">
          {alerts.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={`alert-row alert-row--${a.severity} alert-row--${a.status}`}
                aria-pressed={a.id === picked}
                data-alert={a.id}
                data-severity={a.severity}
                data-status={a.status}
                onClick={() => setPicked(a.id === picked ? null : a.id)}
              >
                <span className="alert-sev">{t(`alerts.severity.${a.severity}`)}</span>
                <span className="alert-rule">{t(`alerts.rule.${a.rule}`)}</span>
                <span className="alert-area">{tree.nodes[a.area]?.name ?? a.area}</span>
                <span className="alert-age">{age(a.raisedAt)}</span>
                <span className="alert-status">{t(`alerts.status.${a.status}`)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {current && <AlertDetail key={current.id} tree={tree} alert={current} onFlyTo={onFlyTo} />}
    </aside>
  );
}

function AlertDetail({ tree, alert, onFlyTo }: { tree: AreaTree; alert: Alert; onFlyTo: AlertInboxProps['onFlyTo'] }) {
  const { t, i18n } = useTranslation('auth');
  const { principal } = useSession();
  const actions = alertActions(principal, alert);
  const facts = factLines(alert.facts, t, formatters(i18n.language));
  const title = alertTitle(alert, t);
  return (
    <section className="alert-detail" aria-label={title} data-alert-detail={alert.id}>
      <h3>
        <span className={`alert-sev alert-sev--${alert.severity}`}>{t(`alerts.severity.${alert.severity}`)}</span>{' '}
        <span className="alert-title">{title}</span>
      </h3>
      <p className="alert-meta">
        {t(`alerts.rule.${alert.rule}`)} · {tree.nodes[alert.area]?.name ?? alert.area} ·{' '}
        {t(`alerts.level.${alert.level}`)} · {t(`alerts.status.${alert.status}`)}
      </p>
      {facts.length > 0 && (
        <dl className="alert-facts" aria-label={t('alerts.facts')}>
          {facts.map((fact) => (
            <div key={fact.key} data-fact={fact.key}>
              <dt>{fact.label}</dt>
              <dd>{fact.value}</dd>
            </div>
          ))}
        </dl>
      )}
      <div className="alert-subjects" aria-label={t('alerts.subjects')}>
        <button type="button" className="panel-button" onClick={() => onFlyTo(alert, null)}>
          {t('alerts.flyTo')}
        </button>
        {alert.subjects.map((s) => (
          <button
            key={`${s.kind}:${s.id}`}
            type="button"
            className="panel-button"
            data-subject={`${s.kind}:${s.id}`}
            onClick={() => onFlyTo(alert, s)}
          >
            {t(`alerts.subject.${s.kind}`)} {s.id}
          </button>
        ))}
      </div>
      {actions.length > 0 && <AlertActions alert={alert} actions={actions} />}
      <h4>{t('alerts.trail')}</h4>
      <ol className="alert-trail">
        {alert.actions.map((a) => (
          <TrailLine key={a.seq} action={a} />
        ))}
      </ol>
    </section>
  );
}

function TrailLine({ action }: { action: AlertAction }) {
  const { t, i18n } = useTranslation('auth');
  const f = formatters(i18n.language);
  const who = (by: Actor | undefined) =>
    by ? t('alerts.by', { name: by.name, role: t(`role.${by.role}`) }) : t('alerts.system');
  return (
    <li data-action={action.kind}>
      <time dateTime={action.at}>{f.dateTime(action.at)}</time>{' '}
      <strong>{t(`alerts.action.${action.kind.slice('alert.'.length)}`)}</strong> · {who(action.by)}
      {action.severity && ` · ${t(`alerts.severity.${action.severity}`)}`}
      {action.level && ` · ${t(`alerts.level.${action.level}`)}`}
      {action.channel && ` · ${action.channel}`}
      {action.result && ` · ${t(`alerts.notify.${action.result}`)}`}
      {action.departments &&
        action.departments.length > 0 &&
        ` · ${action.departments.map((d) => t(`panels:department.${d}`)).join('、')}`}
      {action.note && <blockquote>{action.note}</blockquote>}
    </li>
  );
}

function AlertActions({ alert, actions }: { alert: Alert; actions: AlertActionKind[] }) {
  const { t } = useTranslation('auth');
  const store = useAlertStore();
  const [mode, setMode] = useState<AlertActionKind | null>(null);
  const [note, setNote] = useState('');
  const [departments, setDepartments] = useState<Department[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const reset = () => {
    setMode(null);
    setNote('');
    setDepartments([]);
    setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!mode || busy) return;
    const text = note.trim();
    if (mode === 'note' && text === '') return setError(t('alerts.noteRequired'));
    if (mode === 'whistle' && departments.length === 0) return setError(t('alerts.pickDepartments'));
    const body = mode === 'whistle' ? { departments, ...(text ? { note: text } : {}) } : text ? { note: text } : {};
    setBusy(true);
    setError(null);
    try {
      const answer = await apiJson<unknown>(`/api/v1/alerts/${encodeURIComponent(alert.id)}/${PATHS[mode]}`, {
        method: 'POST',
        json: body,
      });
      // The socket brings the changed alert too; an answer that is the alert shows it at once.
      if (isAlert(answer)) store.upsert(answer);
      reset();
    } catch (err) {
      setError(t('alerts.failed', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="alert-actions">
      <div className="alert-buttons" role="group">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={`panel-button alert-action--${a}`}
            aria-pressed={mode === a}
            data-action-button={a}
            onClick={() => (mode === a ? reset() : (setMode(a), setError(null)))}
          >
            {t(actionLabel[a])}
          </button>
        ))}
      </div>
      {mode && (
        <form className="alert-form" onSubmit={(e) => void submit(e)} data-form={mode}>
          {mode === 'whistle' && (
            <fieldset className="alert-departments">
              <legend>{t('alerts.departments')}</legend>
              {DEPARTMENTS.map((d) => (
                <label key={d}>
                  <input
                    type="checkbox"
                    name="department"
                    value={d}
                    checked={departments.includes(d)}
                    onChange={(e) =>
                      setDepartments((ds) => (e.target.checked ? [...ds, d] : ds.filter((x) => x !== d)))
                    }
                  />{' '}
                  {t(`panels:department.${d}`)}
                </label>
              ))}
            </fieldset>
          )}
          <label className="alert-note">
            <span>{t('alerts.note')}</span>
            <textarea
              name="note"
              rows={2}
              maxLength={2000}
              placeholder={mode === 'note' ? '' : t('alerts.notePlaceholder')}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              autoFocus
            />
          </label>
          {error && (
            <p className="alert-error" role="alert">
              {error}
            </p>
          )}
          <div className="alert-buttons">
            <button type="submit" className="panel-button alert-submit" disabled={busy}>
              {t('alerts.send')}
            </button>
            <button type="button" className="panel-button" onClick={reset}>
              {t('alerts.cancel')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

const actionLabel: Record<AlertActionKind, string> = {
  acknowledge: 'alerts.acknowledge',
  note: 'alerts.addNote',
  whistle: 'alerts.whistle',
  resolve: 'alerts.resolve',
};

function isAlert(v: unknown): v is Alert {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Alert).id === 'string' &&
    typeof (v as Alert).seq === 'number' &&
    Array.isArray((v as Alert).actions)
  );
}
