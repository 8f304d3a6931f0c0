// The dashboard: header with breadcrumb and connection state, the KPI bar of the open area, the map, and the
// panels (ranking, live feed, ticket table, detail). The view lives in the URL (view/), the live state in one
// store fed by the socket controller (live/); every panel and the map read the same store, so they agree.
// Root (Root.tsx) renders it once a session exists; an area outside the principal's scope shows "not in your
// area" instead of the map and panels, and the socket keeps following the principal's own area.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../server/contract/areas';
import type { Alert, AlertSubject } from '../server/contract/alerts';
import type { SearchHit } from '../server/contract/search';
import { inScope } from '../server/contract/auth';
import { LiveProvider } from './live/SocketController';
import { useView } from './view/useView';
import { place } from './view/navigation';
import { NO_FILTER, type TicketFilter } from './view/ticket-filter';
import type { ObjectSelection } from './view/selection';
import { useSession } from './auth/SessionProvider';
import { refusedArea } from './auth/scope';
import { NotInArea } from './auth/NotInArea';
import { Header } from './panels/Header';
import { KpiBar } from './panels/KpiBar';
import { MapView } from './map/MapView';
import { Ranking } from './panels/Ranking';
import { Feed } from './panels/Feed';
import { TicketTable } from './panels/TicketTable';
import { DetailPanel } from './panels/DetailPanel';
import { AlertInbox, inboxPreference, storeInboxPreference } from './panels/AlertInbox';
import { HistoryProvider } from './history/HistoryProvider';
import { OnRequestWindow } from './live/OnRequestWindow';
import { TimeBar } from './history/TimeBar';
import './styles/sheets.css';

/** On a phone or tablet the panels beside and below the map open one at a time, as sheets over the map. */
type Sheet = 'layers' | 'ranking' | 'feed' | 'table';
const SHEETS: readonly Sheet[] = ['layers', 'ranking', 'feed', 'table'];

export interface DashboardProps {
  tree: AreaTree;
  /** The principal's own area: what a bare URL opens and where "not in your area" leads back to. */
  home: AreaKey;
  /** A leader's way back to their landing. */
  onLanding?: () => void;
}

export function Dashboard({ tree, home, onLanding }: DashboardProps) {
  const { t } = useTranslation();
  const { principal } = useSession();
  const [view, setView] = useView(home);
  const placement = useMemo(() => place(tree, view), [tree, view]);
  const homeScope = useMemo(() => place(tree, { ...view, area: home }).scope, [tree, view, home]);
  const [filter, setFilter] = useState<TicketFilter>(NO_FILTER);
  const [selection, setSelection] = useState<ObjectSelection | null>(null);
  // The sheet open on a small screen (CSS shows the tabs and sheets only there; a desk ignores it).
  const [sheet, setSheet] = useState<Sheet | null>(null);
  // Picking an object from a sheet closes the sheet, so that the map and the object's detail are in view.
  const pickObject = useCallback((s: ObjectSelection | null) => {
    setSelection(s);
    if (s) setSheet(null);
  }, []);
  // The scope the server refused to follow (a socket 'forbidden'), until the view leaves it.
  const [refusal, setRefusal] = useState<AreaKey | null>(null);
  const outside = refusedArea(tree, principal.scope, view.area, refusal);

  // The inbox opens from the header's badge (it covers the ranking and the feed); the choice is remembered.
  const [inboxOpen, setInboxOpen] = useState(inboxPreference);
  const toggleInbox = useCallback(() => setInboxOpen((o) => storeInboxPreference(!o)), []);
  // An object to pick once the area an alert sends the map to is open (a new level clears the selection).
  const pending = useRef<ObjectSelection | null>(null);

  // A new level starts with a clean table and no object picked; the area filter follows the open area.
  useEffect(() => {
    setFilter((f) => ({ ...f, area: placement.selected }));
    setSelection(pending.current);
    pending.current = null;
    // A drill-down from the ranking sheet shows the map of the new area.
    setSheet((open) => (open === 'layers' ? open : null));
  }, [placement.scope, placement.selected]);

  const openArea = useCallback((key: AreaKey) => setView({ area: key }, 'push'), [setView]);
  const onRefused = useCallback((scope: AreaKey) => setRefusal(scope), []);
  const goHome = useCallback(() => {
    setRefusal(null);
    setView({ area: home }, 'push');
  }, [setView, home]);
  // From the inbox: open the alert's area (or the grid cell / forest cluster behind it) and pick the object.
  const flyTo = useCallback(
    (alert: Alert, subject: AlertSubject | null) => {
      const areaOf = (s: AlertSubject) => (s.id.includes(':') ? s.id : `${s.kind}:${s.id}`);
      const wanted = subject && (subject.kind === 'grid' || subject.kind === 'forest') ? areaOf(subject) : alert.area;
      const area = (tree.nodes[wanted] && inScope(tree, principal.scope, wanted) ? wanted : alert.area) as AreaKey;
      const pick: ObjectSelection | null =
        subject && subject.kind !== 'grid' && subject.kind !== 'forest' ? { kind: subject.kind, id: subject.id } : null;
      if (area === view.area) {
        if (pick) setSelection(pick);
        return;
      }
      pending.current = pick;
      setView({ area }, 'push');
    },
    [tree, principal.scope, view.area, setView],
  );
  // From the search box: open the area the result lies in (the map flies there) and pick its object, if any.
  const openHit = useCallback(
    (hit: SearchHit) => {
      const pick: ObjectSelection | null = hit.object ?? null;
      setSheet(null);
      if (hit.area === view.area) {
        setSelection(pick);
        return;
      }
      pending.current = pick;
      setView({ area: hit.area }, 'push');
    },
    [view.area, setView],
  );
  const open = placement.trail[placement.trail.length - 1];
  useEffect(() => {
    if (open) document.title = t('documentTitle', { name: open.name });
  }, [open, t]);

  return (
    // Outside the scope the socket stays on the principal's own area: the other area is never asked for.
    <LiveProvider scope={outside ? homeScope : placement.scope} onRefused={onRefused}>
      <HistoryProvider scope={outside ? homeScope : placement.scope}>
        <div className={`app theme-${view.theme}`} data-level={placement.level} data-area={view.area}>
          <OnRequestWindow rates={view.rates} />
          <Header
            tree={tree}
            placement={placement}
            view={view}
            setView={setView}
            onLanding={onLanding}
            alerts={outside ? undefined : { open: inboxOpen, toggle: toggleInbox }}
            onSearch={outside ? undefined : openHit}
          />
          {outside ? (
            <NotInArea tree={tree} area={outside} home={home} onBack={goHome} />
          ) : (
            <>
              <KpiBar
                area={view.area}
                scope={placement.scope}
                rates={view.rates}
                onRates={(rates) => setView({ rates }, 'replace')}
              />
              {!placement.known && (
                <div className="notice" role="status">
                  {t('notFound', { area: view.area })}
                </div>
              )}
              <main className="app-main" data-sheet={sheet ?? 'none'}>
                <section className="map-pane">
                  <MapView
                    tree={tree}
                    view={view}
                    setView={setView}
                    placement={placement}
                    ticketFilter={filter}
                    selection={selection}
                    onOpenArea={openArea}
                    onSelectObject={pickObject}
                  />
                  <TimeBar />
                  <DetailPanel
                    tree={tree}
                    placement={placement}
                    selection={selection}
                    onClose={() =>
                      selection ? setSelection(null) : placement.selected && setView({ area: placement.scope }, 'push')
                    }
                    onOpenArea={openArea}
                    rates={view.rates}
                  />
                </section>
                <aside className="side-pane">
                  <Ranking tree={tree} placement={placement} view={view} onOpenArea={openArea} />
                  <Feed tree={tree} onSelectObject={pickObject} />
                </aside>
                {inboxOpen && <AlertInbox tree={tree} onClose={toggleInbox} onFlyTo={flyTo} />}
                <section className="table-pane">
                  <TicketTable
                    tree={tree}
                    placement={placement}
                    filter={filter}
                    onFilterChange={setFilter}
                    onSelectObject={pickObject}
                    selection={selection}
                  />
                </section>
                <nav className="sheet-tabs" aria-label={t('panels:sheets.label')}>
                  {SHEETS.map((name) => (
                    <button
                      key={name}
                      type="button"
                      data-sheet={name}
                      aria-pressed={sheet === name}
                      onClick={() => setSheet((open) => (open === name ? null : name))}
                    >
                      {t(`panels:sheets.${name}`)}
                    </button>
                  ))}
                </nav>
              </main>
            </>
          )}
        </div>
      </HistoryProvider>
    </LiveProvider>
  );
}
