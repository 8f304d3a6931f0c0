// The page header: brand, breadcrumb (district → town → area; each crumb goes up to it), connection badge
// with data freshness, language and theme toggles, the clock in Asia/Shanghai time, and who is logged in (name,
// role, area) with the logout button, and the search box (SearchBox.tsx).
import { useEffect, useState } from 'react';
import { AdminLink } from '../admin/AdminLink';
import { BriefLink } from '../brief/BriefLink';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { formatters, setLanguage, type Language } from '../i18n';
import { useLive } from '../live/SocketController';
import { useOptionalSession } from '../auth/SessionProvider';
import { AlertBadge } from './AlertInbox';
import { SearchBox } from './SearchBox';
import type { SearchHit } from '../../server/contract/search';
import type { Placement } from '../view/navigation';
import type { SetView } from '../view/useView';
import type { ViewState } from '../view/url';
import { freshness } from './freshness';
import '../styles/auth.css';

export function useNow(ms: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

function Clock() {
  const { i18n } = useTranslation();
  const now = useNow(1000);
  const f = formatters(i18n.language);
  return (
    <time className="clock" dateTime={new Date(now).toISOString()}>
      {f.date(now)} {f.time(now)}
    </time>
  );
}

function Breadcrumb({ placement, onOpen }: { placement: Placement; onOpen: (key: AreaKey) => void }) {
  const { t } = useTranslation();
  const last = placement.trail.length - 1;
  return (
    <nav className="breadcrumb" aria-label={t('breadcrumb.label')}>
      <ol>
        {placement.trail.map((node, i) => (
          <li key={node.key} data-area={node.key}>
            {i < last ? (
              <button type="button" onClick={() => onOpen(node.key as AreaKey)}>
                {node.name}
              </button>
            ) : (
              <span aria-current="page">{node.name}</span>
            )}
          </li>
        ))}
        {placement.selected === null && <li className="breadcrumb-level">{t(`level.${placement.level}`)}</li>}
      </ol>
    </nav>
  );
}

export function ConnectionBadge() {
  const { t } = useTranslation();
  const live = useLive();
  const now = useNow(1000);
  const f = freshness(live, now);
  const text =
    f.state === 'offline'
      ? t('connection.offline')
      : f.state === 'waiting'
        ? t(live.connection === 'connecting' ? 'connection.connecting' : 'connection.waiting')
        : f.state === 'resyncing'
          ? t('connection.resyncing')
          : `${t(f.state === 'stale' ? 'connection.stale' : 'connection.fresh', { seconds: f.ageSeconds })} · ${t('connection.seq', { seq: live.seq })}`;
  return (
    <span
      className={`status status--${f.state}`}
      data-connection={live.connection}
      data-freshness={f.state}
      data-seq={live.seq ?? ''}
      role="status"
    >
      {text}
    </span>
  );
}

/** Who is logged in: name, role and area, a leader's way back to the landing, and logout. */
export function UserBox({ tree, onLanding }: { tree: AreaTree; onLanding?: (() => void) | undefined }) {
  const { t } = useTranslation('auth');
  const session = useOptionalSession();
  if (!session) return null;
  const { principal } = session;
  const scope = tree.nodes[principal.scope]?.name ?? principal.scope;
  return (
    <div className="user-box" aria-label={t('user.label')} data-user={principal.id} data-role={principal.role}>
      {onLanding && (
        <button type="button" className="user-home" onClick={onLanding}>
          {t('user.home')}
        </button>
      )}
      <span className="user-name">{principal.name}</span>
      <span className="user-role" title={t('user.scope', { scope })}>
        {t(`role.${principal.role}`)} · {scope}
      </span>
      <button type="button" className="user-logout" onClick={session.logout}>
        {t('user.logout')}
      </button>
    </div>
  );
}

export function Header({
  tree,
  placement,
  view,
  setView,
  onLanding,
  alerts,
  onSearch,
}: {
  tree: AreaTree;
  placement: Placement;
  view: ViewState;
  setView: SetView;
  onLanding?: (() => void) | undefined;
  /** The alert badge and whether the inbox is open; absent where alerts are not shown. */
  alerts?: { open: boolean; toggle: () => void } | undefined;
  /** Where a chosen search result goes; absent where there is no search (outside the scope). */
  onSearch?: ((hit: SearchHit) => void) | undefined;
}) {
  const { t, i18n } = useTranslation();
  const other: Language = i18n.language === 'en' ? 'zh-CN' : 'en';
  // On a phone the theme, language, clock, brief and user sit behind one button (CSS shows it only there).
  const [more, setMore] = useState(false);
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <div>
          <h1>
            {t('title')} <span className="title-sep">·</span> {tree.nodes[tree.root]?.name}
          </h1>
          <p className="subtitle">{t('subtitle')}</p>
        </div>
      </div>
      <Breadcrumb placement={placement} onOpen={(key) => setView({ area: key }, 'push')} />
      {onSearch && <SearchBox onChoose={onSearch} />}
      <div className="header-meta">
        {alerts && <AlertBadge expanded={alerts.open} onClick={alerts.toggle} />}
        <ConnectionBadge />
        <button
          type="button"
          className="header-more-toggle"
          aria-expanded={more}
          aria-label={t('header.more')}
          title={t('header.more')}
          onClick={() => setMore((m) => !m)}
        >
          ⋯
        </button>
        <div className="header-more" data-open={more}>
          <div className="toggle-group" role="group" aria-label={t('theme.label')}>
            {(['wall', 'day'] as const).map((name) => (
              <button
                key={name}
                type="button"
                aria-pressed={view.theme === name}
                onClick={() => setView({ theme: name }, 'replace')}
              >
                {t(`theme.${name}`)}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="lang-toggle"
            data-lang={i18n.language}
            aria-label={t('language.label')}
            onClick={() => setLanguage(i18n, other)}
          >
            {t('language.toggle')}
          </button>
          <Clock />
          <BriefLink tree={tree} area={view.area} />
          <AdminLink />
          <UserBox tree={tree} onLanding={onLanding} />
        </div>
      </div>
    </header>
  );
}
