// What is done about a ticket after it was dispatched, on its detail: 督办 (the badge of a supervised ticket, and
// the officer's button for an overdue or near-deadline one in their scope) and the follow-up call (回访: resolved?
// satisfied? by whom, when). A closed ticket has left the live store; its detail asks the server for it once.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { can } from '../../server/contract/auth';
import type { TicketObject } from '../../server/contract/live';
import { supervisable } from '../../server/contract/supervise';
import { useOptionalSession } from '../auth/SessionProvider';
import { apiJson, ApiError } from '../auth/session';
import { formatters } from '../i18n';
import { Field } from './Field';

/**
 * The ticket: the live store's while it is open (it follows every delta), else the server's copy of a closed one
 * (fetched once per id; null while unknown, undefined when the server has none in this scope either).
 */
export function useTicket(id: string, live: TicketObject | undefined): TicketObject | null | undefined {
  const [fetched, setFetched] = useState<{ id: string; ticket: TicketObject | undefined } | null>(null);
  const missing = live === undefined;
  useEffect(() => {
    if (!missing) return;
    let gone = false;
    apiJson<TicketObject>(`/api/v1/tickets/${encodeURIComponent(id)}`)
      .then((ticket) => !gone && setFetched({ id, ticket }))
      .catch(() => !gone && setFetched({ id, ticket: undefined }));
    return () => {
      gone = true;
    };
  }, [id, missing]);
  if (live) return live;
  return fetched?.id === id ? fetched.ticket : null;
}

/** The 督办 badge: how often, the latest level, by whom and when, and its note. */
export function SupervisionField({ tk }: { tk: TicketObject }) {
  const { t, i18n } = useTranslation('panels');
  const s = tk.supervision;
  if (!s) return null;
  const f = formatters(i18n.language);
  return (
    <Field
      label={t('detail.supervision')}
      tone="warn"
      value={
        <span data-ticket-supervised={s.count}>
          <span className="supervised-badge">{t('detail.supervisedBadge', { count: s.count })}</span>{' '}
          <span className="supervision-latest">
            {t('detail.supervisionLatest', { level: t(`supervisionLevel.${s.level}`), by: s.by, at: f.dateTime(s.at) })}
          </span>
          {s.note && <span className="supervision-note">{s.note}</span>}
        </span>
      }
    />
  );
}

/** 回访: for a closed ticket always (not yet called back says so), for an open one only once there was a call. */
export function FollowUpField({ tk }: { tk: TicketObject }) {
  const { t, i18n } = useTranslation('panels');
  const fu = tk.followUp;
  if (!fu && tk.status !== 'closed') return null;
  const f = formatters(i18n.language);
  const parts: string[] = [];
  if (fu) {
    if (fu.resolved !== undefined) parts.push(t(fu.resolved ? 'followUp.resolved' : 'followUp.unresolved'));
    if (fu.satisfied !== undefined) parts.push(t(fu.satisfied ? 'followUp.satisfied' : 'followUp.unsatisfied'));
    if (fu.score !== undefined) parts.push(t('followUp.score', { score: fu.score }));
    if (parts.length === 0) parts.push(t('followUp.unreached'));
    parts.push(fu.by ? t('followUp.byAt', { by: fu.by, at: f.dateTime(fu.at) }) : f.dateTime(fu.at));
  }
  const tone = !fu ? undefined : fu.resolved === false || fu.satisfied === false ? 'caution' : 'ok';
  return (
    <Field
      label={t('detail.followUp')}
      tone={tone}
      value={<span data-ticket-follow-up={fu ? 'yes' : 'none'}>{fu ? parts.join(' · ') : t('followUp.none')}</span>}
    />
  );
}

/**
 * The officer's 督办 button: shown to whoever may supervise, for an open ticket that is overdue or near its
 * deadline. The answer is the ticket as folded with the supervision; the live store gets the same through its
 * delta, so the badge shows either way.
 */
export function SuperviseAction({ tk }: { tk: TicketObject }) {
  const { t } = useTranslation('panels');
  const session = useOptionalSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!session || !can(session.principal, 'ticket.supervise') || !supervisable(tk)) return null;
  const supervise = async () => {
    setBusy(true);
    setError(null);
    try {
      await apiJson<TicketObject>(`/api/v1/tickets/${encodeURIComponent(tk.id)}/supervise`, { json: {} });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="detail-actions">
      <button
        type="button"
        className="panel-button supervise-button"
        data-supervise={tk.id}
        disabled={busy}
        onClick={() => void supervise()}
        title={t('detail.superviseHint')}
      >
        {busy ? t('detail.supervising') : t('detail.supervise')}
      </button>
      {error && (
        <span className="detail-action-error" role="alert">
          {t('detail.superviseFailed', { message: error })}
        </span>
      )}
    </div>
  );
}
