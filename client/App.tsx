// The dashboard: header with breadcrumb and connection state, the KPI bar of the open area, the map, and the
// panels (ranking, live feed, ticket table, detail). The view lives in the URL (view/), the live state in one
// store fed by the socket controller (live/); every panel and the map read the same store, so they agree.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { I18nextProvider, useTranslation } from 'react-i18next';
import type { AreaKey, AreaTree } from '../server/contract/areas';
import { createI18n, initialLanguage } from './i18n';
import { LiveProvider } from './live/SocketController';
import { useTree } from './geo/layers';
import { useView } from './view/useView';
import { place } from './view/navigation';
import { NO_FILTER, type TicketFilter } from './view/ticket-filter';
import type { ObjectSelection } from './view/selection';
import { Header } from './panels/Header';
import { KpiBar } from './panels/KpiBar';
import { MapView } from './map/MapView';
import { Ranking } from './panels/Ranking';
import { Feed } from './panels/Feed';
import { TicketTable } from './panels/TicketTable';
import { DetailPanel } from './panels/DetailPanel';

export function App() {
  const i18n = useMemo(() => createI18n(initialLanguage()), []);
  return (
    <I18nextProvider i18n={i18n}>
      <Boot />
    </I18nextProvider>
  );
}

/** The area tree first: every panel names areas by it, and the URL's area is checked against it. */
function Boot() {
  const { t } = useTranslation();
  const { data: tree, error } = useTree();
  if (!tree) {
    return (
      <div className="app theme-wall boot" data-map-state={error ? 'error' : 'loading'}>
        <p>{error ? t('map.error', { message: error }) : t('map.loading')}</p>
      </div>
    );
  }
  return <Dashboard tree={tree} />;
}

function Dashboard({ tree }: { tree: AreaTree }) {
  const { t } = useTranslation();
  const root = tree.root as AreaKey;
  const [view, setView] = useView(root);
  const placement = useMemo(() => place(tree, view), [tree, view]);
  const [filter, setFilter] = useState<TicketFilter>(NO_FILTER);
  const [selection, setSelection] = useState<ObjectSelection | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  // A new level starts with a clean table and no object picked; the area filter follows the open area.
  useEffect(() => {
    setFilter((f) => ({ ...f, area: placement.selected }));
    setSelection(null);
  }, [placement.scope, placement.selected]);

  const openArea = useCallback((key: AreaKey) => setView({ area: key }, 'push'), [setView]);
  const onRefused = useCallback((_scope: AreaKey, message: string) => setRefusal(message), []);
  const open = placement.trail[placement.trail.length - 1];
  useEffect(() => {
    if (open) document.title = t('documentTitle', { name: open.name });
  }, [open, t]);

  return (
    <LiveProvider scope={placement.scope} onRefused={onRefused}>
      <div className={`app theme-${view.theme}`} data-level={placement.level} data-area={view.area}>
        <Header tree={tree} placement={placement} view={view} setView={setView} />
        <KpiBar area={view.area} scope={placement.scope} />
        {!placement.known && <div className="notice" role="status">{t('notFound', { area: view.area })}</div>}
        {refusal && <div className="notice notice--error" role="alert">{t('refused', { message: refusal })}</div>}
        <main className="app-main">
          <section className="map-pane">
            <MapView
              tree={tree}
              view={view}
              setView={setView}
              placement={placement}
              ticketFilter={filter}
              selection={selection}
              onOpenArea={openArea}
              onSelectObject={setSelection}
            />
            <DetailPanel
              tree={tree}
              placement={placement}
              selection={selection}
              onClose={() => (selection ? setSelection(null) : placement.selected && setView({ area: placement.scope }, 'push'))}
              onOpenArea={openArea}
            />
          </section>
          <aside className="side-pane">
            <Ranking tree={tree} placement={placement} view={view} onOpenArea={openArea} />
            <Feed tree={tree} onSelectObject={setSelection} />
          </aside>
          <section className="table-pane">
            <TicketTable tree={tree} placement={placement} filter={filter} onFilterChange={setFilter} onSelectObject={setSelection} selection={selection} />
          </section>
        </main>
      </div>
    </LiveProvider>
  );
}
