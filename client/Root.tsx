// The page's top level: the language, then the session, then the screen made for the principal. No session:
// the login page. A session: the area tree first (every screen names areas by it), then /wall → the wall, a
// leader → their town's landing (with a way to the map), everyone else → the dashboard. A wall opened as
// /wall?device=<token> trades the token for a device cookie first and drops it from the address bar.
import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../server/contract/areas';
import type { Principal, SessionInfo } from '../server/contract/auth';
import { createI18n, initialLanguage } from './i18n';
import { useTree } from './geo/layers';
import { SessionProvider } from './auth/SessionProvider';
import { fetchSession, loginDevice, logout, SESSION_EXPIRED } from './auth/session';
import { screenFor, takeDeviceToken, type Screen } from './auth/scope';

// Each screen is a chunk of its own, loaded when it is shown: a leader's phone opening the landing does not
// download the map (MapLibre, deck.gl), the wall or ECharts, and the login page loads none of them. The start
// bundle is React, i18n, the session and this file (docs/BENCHMARKS.md lists the chunks).
const LoginPage = lazy(() => import('./auth/LoginPage').then((m) => ({ default: m.LoginPage })));
const Dashboard = lazy(() => import('./App').then((m) => ({ default: m.Dashboard })));
const WallApp = lazy(() => import('./wall/WallApp').then((m) => ({ default: m.WallApp })));
const LeaderLanding = lazy(() => import('./landing/LeaderLanding').then((m) => ({ default: m.LeaderLanding })));
const DailyBrief = lazy(() => import('./brief/DailyBrief').then((m) => ({ default: m.DailyBrief })));
const NotifyAdmin = lazy(() => import('./admin/NotifyAdmin').then((m) => ({ default: m.NotifyAdmin })));

/** While a screen's chunk loads: the dark boot screen the page already shows while the session is asked for. */
function Loading({ children }: { children: ReactNode }) {
  return <Suspense fallback={<div className="app theme-wall boot" data-screen="loading" />}>{children}</Suspense>;
}

export function Root() {
  const i18n = useMemo(() => createI18n(initialLanguage()), []);
  return (
    <I18nextProvider i18n={i18n}>
      <SessionGate />
    </I18nextProvider>
  );
}

/**
 * The ?device= login of this page load, started once. The effect below may run again before it ends (a new
 * `t`, StrictMode): the token is off the address bar by then, so a second run must wait for this login rather
 * than ask for the session without it. Resolves to the refusal's message, or null.
 */
let deviceLogin: Promise<string | null> | undefined;
function deviceLoginOnce(): Promise<string | null> {
  deviceLogin ??= (async () => {
    const { token, cleaned } = takeDeviceToken(window.location.href);
    if (!token) return null;
    // Off the address bar and out of history at once, whatever the server answers.
    window.history.replaceState(window.history.state, '', cleaned);
    try {
      await loginDevice(token);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  })();
  return deviceLogin;
}

type Gate = { phase: 'loading' } | { phase: 'out'; notice: string | null } | { phase: 'in'; info: SessionInfo };

function SessionGate() {
  const { t } = useTranslation('auth');
  const [gate, setGate] = useState<Gate>({ phase: 'loading' });

  useEffect(() => {
    let alive = true;
    void (async () => {
      let notice: string | null = null;
      const refused = await deviceLoginOnce();
      if (refused !== null) notice = t('login.deviceRefused', { message: refused });
      try {
        const info = await fetchSession();
        if (alive) setGate(info ? { phase: 'in', info } : { phase: 'out', notice });
      } catch (e) {
        if (alive)
          setGate({ phase: 'out', notice: t('login.failed', { message: e instanceof Error ? e.message : String(e) }) });
      }
    })();
    return () => {
      alive = false;
    };
  }, [t]);

  useEffect(() => {
    const onExpired = () => setGate((g) => (g.phase === 'in' ? { phase: 'out', notice: t('login.expired') } : g));
    window.addEventListener(SESSION_EXPIRED, onExpired);
    return () => window.removeEventListener(SESSION_EXPIRED, onExpired);
  }, [t]);

  const onLogout = useCallback(() => {
    void logout()
      .catch(() => undefined)
      .then(() => setGate({ phase: 'out', notice: null }));
  }, []);

  if (gate.phase === 'loading') return <div className="app theme-wall boot" data-session="loading" />;
  if (gate.phase === 'out')
    return (
      <Loading>
        <LoginPage notice={gate.notice} onLoggedIn={(info) => setGate({ phase: 'in', info })} />
      </Loading>
    );
  const { principal, csrfToken } = gate.info;
  return (
    // Keyed by the principal: another user logging in on this screen starts from a clean state.
    <SessionProvider
      key={`${principal.kind}:${principal.id}`}
      principal={principal}
      csrfToken={csrfToken}
      logout={onLogout}
    >
      <Boot principal={principal} />
    </SessionProvider>
  );
}

/** The area tree first: every screen names areas by it, and the URL's area is checked against it. */
function Boot({ principal }: { principal: Principal }) {
  const { t } = useTranslation();
  const { data: tree, error } = useTree();
  if (!tree) {
    return (
      <div className="app theme-wall boot" data-map-state={error ? 'error' : 'loading'}>
        <p>{error ? t('map.error', { message: error }) : t('map.loading')}</p>
      </div>
    );
  }
  return (
    <Loading>
      <Screens tree={tree} principal={principal} />
    </Loading>
  );
}

function Screens({ tree, principal }: { tree: AreaTree; principal: Principal }) {
  const [screen, setScreen] = useState<Screen>(() =>
    screenFor(window.location.pathname, window.location.search, principal),
  );
  const home = (tree.nodes[principal.scope] ? principal.scope : tree.root) as AreaKey;
  switch (screen) {
    case 'wall':
      return <WallApp tree={tree} />;
    case 'landing':
      return <LeaderLanding tree={tree} town={home} onOpenMap={() => setScreen('dashboard')} />;
    case 'brief':
      return <DailyBrief tree={tree} home={home} />;
    case 'admin-notify':
      return <NotifyAdmin tree={tree} />;
    case 'dashboard':
      return (
        <Dashboard
          tree={tree}
          home={home}
          onLanding={principal.role === 'leader' ? () => setScreen('landing') : undefined}
        />
      );
  }
}
