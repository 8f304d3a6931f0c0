// The admin's page of the notification channels at /admin/notify: each channel of NOTIFY_CONFIG with its type,
// scope and health (last delivered, last failure and why, dead letters), and a "发送测试 / Send test" button
// that sends one test message through it now and shows whether the receiver took it. For admins only: Root
// shows it to no one else, and the server refuses the API to anyone else. The server never sends a URL, a
// secret, a password, a phone number or an e-mail address here.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaTree } from '../../server/contract/areas';
import type { ChannelList, ChannelView, TestSendAnswer } from '../../server/contract/notify';
import { apiJson } from '../auth/session';
import { formatters, setLanguage, type Language } from '../i18n';
import { healthOf, testMessage, type TestState } from './channels-view';
import '../styles/admin.css';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; channels: ChannelView[] };

/** A cell with its column's name, which a phone shows beside the value (the table's head is hidden there). */
function Cell({ label, field, children }: { label: string; field?: string; children: ReactNode }) {
  return (
    <td data-label={label} data-field={field}>
      <div className="admin-cell">{children}</div>
    </td>
  );
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function NotifyAdmin({ tree }: { tree: AreaTree }) {
  const { t, i18n } = useTranslation('admin');
  const f = formatters(i18n.language);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [tests, setTests] = useState<Record<string, TestState>>({});

  const refresh = useCallback(async () => {
    try {
      const { channels } = await apiJson<ChannelList>('/api/v1/admin/notify/channels');
      setLoad({ state: 'ready', channels });
    } catch (e) {
      setLoad({ state: 'error', message: errorText(e) });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  useEffect(() => {
    document.title = `${t('title')} · ${t('common:title')}`;
  }, [t]);

  const sendTest = useCallback(
    async (id: string) => {
      setTests((s) => ({ ...s, [id]: { state: 'sending' } }));
      try {
        const answer = await apiJson<TestSendAnswer>(`/api/v1/admin/notify/channels/${encodeURIComponent(id)}/test`, {
          json: {},
        });
        setTests((s) => ({ ...s, [id]: { state: 'answered', answer } }));
      } catch (e) {
        setTests((s) => ({ ...s, [id]: { state: 'error', message: errorText(e) } }));
      }
      // The test moved the channel's last success or failure.
      await refresh();
    },
    [refresh],
  );

  const other: Language = i18n.language === 'en' ? 'zh-CN' : 'en';
  const when = (iso: string | undefined) => (iso === undefined ? t('never') : f.when(iso));

  return (
    <div className="admin" data-admin="notify" data-load={load.state}>
      <header className="admin-head">
        <div>
          <h1>{t('title')}</h1>
          <p className="admin-sub">{t('subtitle')}</p>
        </div>
        <nav className="admin-tools">
          <a className="admin-button" href="/">
            {t('back')}
          </a>
          <button type="button" className="admin-button" onClick={() => void refresh()}>
            {t('refresh')}
          </button>
          <button
            type="button"
            className="admin-button"
            data-lang={i18n.language}
            onClick={() => setLanguage(i18n, other)}
          >
            {t('common:language.toggle')}
          </button>
        </nav>
      </header>
      {load.state === 'loading' && <p className="admin-note">{t('loading')}</p>}
      {load.state === 'error' && (
        <p className="admin-note admin-error" role="alert">
          {t('error', { message: load.message })}
        </p>
      )}
      {load.state === 'ready' && load.channels.length === 0 && <p className="admin-note">{t('empty')}</p>}
      {load.state === 'ready' && load.channels.length > 0 && (
        <table className="admin-table">
          <thead>
            <tr>
              <th>{t('column.channel')}</th>
              <th>{t('column.scope')}</th>
              <th>{t('column.health')}</th>
              <th>{t('column.lastDelivered')}</th>
              <th>{t('column.lastFailure')}</th>
              <th>{t('column.deadLetters')}</th>
              <th>{t('column.action')}</th>
            </tr>
          </thead>
          <tbody>
            {load.channels.map((c) => {
              const health = healthOf(c);
              const test = tests[c.id];
              const outcome = test && testMessage(test);
              return (
                <tr key={c.id} data-channel={c.id} data-health={health}>
                  <Cell label={t('column.channel')}>
                    <span className="admin-channel-id">{c.id}</span>
                    <span className="admin-channel-type">{t(`type.${c.type}`)}</span>
                  </Cell>
                  <Cell label={t('column.scope')}>{tree.nodes[c.scope]?.name ?? c.scope}</Cell>
                  <Cell label={t('column.health')}>
                    <span className={`admin-health admin-health-${health}`}>{t(`health.${health}`)}</span>
                    <span className="admin-counts">
                      {t('counts', { delivered: f.number(c.delivered), queued: f.number(c.queued) })}
                    </span>
                  </Cell>
                  <Cell label={t('column.lastDelivered')} field="last-delivered">
                    {when(c.lastDeliveredAt)}
                  </Cell>
                  <Cell label={t('column.lastFailure')} field="last-failure">
                    {when(c.lastFailureAt)}
                    {c.lastFailure !== undefined && <span className="admin-reason">{c.lastFailure}</span>}
                  </Cell>
                  <Cell label={t('column.deadLetters')} field="dead-letters">
                    {c.deadLetters.length === 0 ? (
                      t('never')
                    ) : (
                      <details>
                        <summary>{t('deadLetterCount', { count: c.failed })}</summary>
                        <ul className="admin-dead-letters">
                          {c.deadLetters.map((d) => (
                            <li key={`${d.alertId}|${d.transition}|${d.at}`}>
                              {t('deadLetterItem', {
                                alert: d.alertId,
                                transition: t(`transition.${d.transition}`),
                                time: f.when(d.at),
                                reason: d.reason,
                              })}
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </Cell>
                  <Cell label={t('column.action')} field="test">
                    <button
                      type="button"
                      className="admin-button admin-test"
                      disabled={test?.state === 'sending'}
                      onClick={() => void sendTest(c.id)}
                    >
                      {t('test.button')}
                    </button>
                    {outcome && (
                      <span
                        className="admin-test-result"
                        role="status"
                        data-test-result={
                          test.state === 'answered' ? (test.answer.ok ? 'delivered' : 'failed') : test.state
                        }
                      >
                        {t(outcome.key, outcome.values)}
                      </span>
                    )}
                  </Cell>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
