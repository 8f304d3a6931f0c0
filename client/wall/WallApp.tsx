// The wall (/wall): a kiosk for the command center's display. Dark, large type, nothing to click. A tour
// rotates scenes (tour.ts); a severe open alert takes the screen over until someone acknowledges it
// (takeover.ts). Clock, data freshness and connection state are always on screen. It reuses the dashboard's
// map, KPI bar and ranking, with the view driven by the tour instead of the URL.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alert } from '../../server/contract/alerts';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import { useOptionalSession } from '../auth/SessionProvider';
import { formatters } from '../i18n';
import { LiveProvider, useAlerts, useLive } from '../live/SocketController';
import { MapView } from '../map/MapView';
import { KpiBar } from '../panels/KpiBar';
import { Ranking } from '../panels/Ranking';
import { useNow } from '../panels/useNow';
import { place } from '../view/navigation';
import { NO_FILTER } from '../view/ticket-filter';
import type { SetView } from '../view/useView';
import { useIdle, useOnline } from './hooks';
import { wallStatus } from './status';
import { focusOf, pickTakeover, takeoverView } from './takeover';
import {
  nextScene,
  parseTourConfig,
  planTour,
  plansFrom,
  replan,
  sceneView,
  type Scene,
  type TourConfig,
  type TourPosition,
} from './tour';
import './wall.css';
import { alertTitle } from '../panels/alert-title';

/** The cursor hides after this long without a move (a wall has a mouse only for whoever sets it up). */
const CURSOR_IDLE_MS = 3_000;
const ignore = () => {};
const ignoreView: SetView = () => {};

export function WallApp({ tree }: { tree: AreaTree }) {
  const session = useOptionalSession();
  // The wall's own scope (its device token's): the district, or one town.
  const asked = session?.principal.scope;
  const root = (asked && tree.nodes[asked] ? asked : tree.root) as AreaKey;
  const config = useMemo(() => parseTourConfig(window.location.search), []);
  const [scope, setScope] = useState<AreaKey>(root);
  return (
    <LiveProvider scope={scope}>
      <WallScreen tree={tree} root={root} config={config} onScope={setScope} />
    </LiveProvider>
  );
}

function WallScreen({
  tree,
  root,
  config,
  onScope,
}: {
  tree: AreaTree;
  root: AreaKey;
  config: TourConfig;
  onScope: (scope: AreaKey) => void;
}) {
  const { t, i18n } = useTranslation('wall');
  const live = useLive();
  const alerts = useAlerts();
  const idle = useIdle(CURSOR_IDLE_MS);

  // ---- the tour ----
  const [tour, setTour] = useState<TourPosition>(() => ({
    plan: planTour(config, tree, root, () => undefined),
    index: 0,
  }));
  const planned = useRef(false);
  const scene: Scene = tour.plan[tour.index] ?? tour.plan[0]!;
  const haveRoot = live.scope === root && live.seq !== null;
  // The district's aggregates are on hand only while a scene of the whole scope is shown: plan the round there.
  useEffect(() => {
    if (!haveRoot || !plansFrom(scene, root)) return;
    const fresh = planTour(config, tree, root, (k) => live.aggregates.get(k));
    setTour((at) => {
      if (!planned.current) {
        planned.current = true;
        return { plan: fresh, index: Math.min(config.start, fresh.length - 1) };
      }
      const next = replan(at, fresh);
      const same =
        next.index === at.index &&
        next.plan.length === at.plan.length &&
        next.plan.every((s, i) => s.id === at.plan[i]?.id);
      return same ? at : next;
    });
    // live.aggregates is mutated in place: its version says when it changed.
  }, [haveRoot, live.aggregates, live.versions.aggregates, scene, root, config, tree]);

  // ---- the take-over ----
  // The alert on screen keeps it while it is open (takeover.ts); read during render, so kept in a ref.
  const holding = useRef<string | null>(null);
  const takeover = useMemo(() => pickTakeover(alerts, tree, root, holding.current), [alerts, tree, root]);
  holding.current = takeover.current?.id ?? null;
  const alert = takeover.current;
  const paused = alert !== null;

  // One timer, for the scene on screen; a take-over stops it, and the scene gets its full time after.
  useEffect(() => {
    if (paused || config.seconds === 0 || tour.plan.length < 2) return;
    const timer = setTimeout(
      () => setTour((at) => ({ plan: at.plan, index: nextScene(at.index, at.plan.length) })),
      config.seconds * 1000,
    );
    return () => clearTimeout(timer);
  }, [paused, config.seconds, tour.index, scene.id, tour.plan.length]);

  // ---- what the map shows ----
  const focus = useMemo(() => (alert ? focusOf(alert, tree, root) : null), [alert, tree, root]);
  const view = useMemo(() => (alert && focus ? takeoverView(alert, focus) : sceneView(scene)), [alert, focus, scene]);
  const placement = useMemo(() => place(tree, view), [tree, view]);
  useEffect(() => onScope(placement.scope), [placement.scope, onScope]);

  const title = useSceneTitle(scene, tree, root, tour.plan);
  useEffect(() => {
    document.title = t('title');
  }, [t]);

  const district = tree.nodes[root]?.name ?? '';
  return (
    <div
      className={`app theme-wall wall${idle ? ' wall--idle' : ''}`}
      data-scene={scene.id}
      data-scene-kind={scene.kind}
      data-scene-index={tour.index}
      data-takeover={alert?.id ?? ''}
      data-area={view.area}
    >
      <header className="wall-header">
        <div className="wall-title">
          <span className="brand-mark" aria-hidden="true" />
          <h1 className="wall-district">{district}</h1>
          <p className="wall-scene" aria-live="polite">
            <span className="wall-scene-title">{paused ? t('scene.paused') : title}</span>
            {!paused && tour.plan.length > 1 && (
              <span className="wall-scene-count">
                {t('scene.counter', { index: tour.index + 1, count: tour.plan.length })}
              </span>
            )}
          </p>
        </div>
        <div className="wall-meta">
          <WallLinkStatus />
          <WallClock language={i18n.language} />
        </div>
      </header>
      <KpiBar area={view.area} scope={placement.scope} rates={view.rates} />
      <main className="wall-main">
        <section className="map-pane wall-map">
          <MapView
            tree={tree}
            view={view}
            setView={ignoreView}
            placement={placement}
            ticketFilter={NO_FILTER}
            selection={null}
            onOpenArea={ignore}
            onSelectObject={ignore}
            focus={focus?.point ?? null}
          />
          {alert && <TakeoverBanner alert={alert} queued={takeover.queued.length} tree={tree} />}
        </section>
        <aside className="wall-side">
          <Ranking tree={tree} placement={placement} view={view} onOpenArea={ignore} />
        </aside>
      </main>
    </div>
  );
}

function useSceneTitle(scene: Scene, tree: AreaTree, root: AreaKey, plan: readonly Scene[]): string {
  const { t } = useTranslation('wall');
  const name = tree.nodes[scene.area]?.name ?? scene.area;
  switch (scene.kind) {
    case 'overview':
      return scene.area === tree.root ? t('scene.overview') : t('scene.townOverview', { name });
    case 'worst':
      return t('scene.worst', { rank: scene.rank ?? 1, count: plan.filter((s) => s.kind === 'worst').length, name });
    case 'flood':
      return root === tree.root ? t('scene.flood') : `${tree.nodes[root]?.name ?? ''} · ${t('scene.flood')}`;
    case 'forest':
      return t('scene.forest', { name });
  }
}

function WallClock({ language }: { language: string }) {
  const now = useNow(1000);
  const f = formatters(language);
  return (
    <time className="wall-clock" dateTime={new Date(now).toISOString()}>
      <span className="wall-clock-time">{f.time(now)}</span>
      <span className="wall-clock-date">{f.date(now)}</span>
    </time>
  );
}

function WallLinkStatus() {
  const { t } = useTranslation('wall');
  const live = useLive();
  const online = useOnline();
  const now = useNow(1000);
  const s = wallStatus(live, online, now);
  const seconds = s.ageSeconds ?? 0;
  const fresh =
    s.freshness === 'waiting'
      ? t('freshness.waiting')
      : s.freshness === 'offline'
        ? s.ageSeconds === null
          ? ''
          : t('freshness.offline', { seconds })
        : t(`freshness.${s.freshness}`, { seconds });
  return (
    <div
      className={`wall-link wall-link--${s.link} wall-fresh--${s.freshness}`}
      data-link={s.link}
      data-freshness={s.freshness}
      role="status"
    >
      <span className="wall-link-state">{t(`link.${s.link}`)}</span>
      {fresh && <span className="wall-link-fresh">{fresh}</span>}
    </div>
  );
}

function TakeoverBanner({ alert, queued, tree }: { alert: Alert; queued: number; tree: AreaTree }) {
  const { t, i18n } = useTranslation('wall');
  const f = formatters(i18n.language);
  const area = tree.nodes[alert.area];
  const town = alert.town && alert.town !== alert.area ? tree.nodes[alert.town]?.name : undefined;
  const name = area?.name ?? alert.area;
  // A grid cell's name already starts with its town's ("宋庄镇·葛渠村·3号网格").
  const where = town && !name.includes(town) ? `${town} · ${name}` : name;
  return (
    <div
      className="wall-takeover"
      role="alert"
      data-alert={alert.id}
      data-rule={alert.rule}
      data-severity={alert.severity}
    >
      <div className="wall-takeover-head">
        <span className="wall-takeover-severity">{t(`severity.${alert.severity}`)}</span>
        <span className="wall-takeover-rule">{t(`rule.${alert.rule}`)}</span>
        <time className="wall-takeover-time" dateTime={alert.raisedAt}>
          {t('takeover.raisedAt', { time: f.when(alert.raisedAt) })}
        </time>
      </div>
      <p className="wall-takeover-title">{alertTitle(alert, t)}</p>
      <p className="wall-takeover-area">{where}</p>
      <p className="wall-takeover-foot">
        <span>{t('takeover.waiting')}</span>
        {queued > 0 && <span className="wall-takeover-queued">{t('takeover.queued', { count: queued })}</span>}
      </p>
    </div>
  );
}
