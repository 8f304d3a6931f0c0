// The socket controller: a component that renders nothing. It owns the one Socket.IO connection of the page,
// follows the scope the view asks for, and feeds the store; everything else reads the store (useLive). The
// same socket feeds the alert store (useAlerts): the list on every connect, 'alert:changed' in between.
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { AreaKey } from '../../server/contract/areas';
import type { Alert, AlertList } from '../../server/contract/alerts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket';
import { apiJson } from '../auth/session';
import { AlertStore, feedAlerts, type AlertSocket } from './alerts';
import { LiveConnection, type LiveSocket } from './connection';
import { LiveStore, type LiveView } from './store';

const StoreContext = createContext<LiveStore | null>(null);
const AlertContext = createContext<AlertStore | null>(null);
export type PageSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** The page's one socket, for history mode's replay requests (null until it is made). */
const SocketContext = createContext<{ current: PageSocket | null }>({ current: null });

const loadAlerts = () => apiJson<AlertList>('/api/v1/alerts');

export function LiveProvider({
  scope,
  children,
  onRefused,
}: {
  scope: AreaKey;
  children: ReactNode;
  onRefused?: (scope: AreaKey, message: string) => void;
}) {
  // One store for the life of the page, made with the first scope: a drill-down changes what it follows (the
  // controller's follow), not the store.
  const [store] = useState(() => new LiveStore(scope));
  const [alerts] = useState(() => new AlertStore());
  const socket = useRef<PageSocket | null>(null);
  return (
    <StoreContext.Provider value={store}>
      <AlertContext.Provider value={alerts}>
        <SocketContext.Provider value={socket}>
          <SocketController store={store} alerts={alerts} scope={scope} onRefused={onRefused} socketRef={socket} />
          {children}
        </SocketContext.Provider>
      </AlertContext.Provider>
    </StoreContext.Provider>
  );
}

function SocketController({
  store,
  alerts,
  scope,
  onRefused,
  socketRef,
}: {
  store: LiveStore;
  alerts: AlertStore;
  scope: AreaKey;
  onRefused?: (scope: AreaKey, message: string) => void;
  socketRef: { current: PageSocket | null };
}) {
  const connection = useRef<LiveConnection | null>(null);
  const refused = useRef(onRefused);
  refused.current = onRefused;

  useEffect(() => {
    const c = new LiveConnection(
      store,
      (auth) => {
        // websocket only: the wall sits on a LAN; long-polling would double the server's work for nothing.
        const socket: PageSocket = io({ transports: ['websocket'], auth: (cb) => cb(auth()) });
        socketRef.current = socket;
        feedAlerts(socket as unknown as AlertSocket, alerts, loadAlerts);
        return socket as unknown as LiveSocket;
      },
      { onRefused: (s, m) => refused.current?.(s, m) },
    );
    connection.current = c;
    return () => {
      connection.current = null;
      socketRef.current = null;
      c.close();
    };
  }, [store, alerts, socketRef]);

  useEffect(() => {
    connection.current?.follow(scope);
  }, [scope]);

  return null;
}

/** The page's socket (history mode sends its replay requests on it). */
export function usePageSocket(): { current: PageSocket | null } {
  return useContext(SocketContext);
}

/**
 * Everything below reads `store` instead of the live one: history mode puts the replay's store here, so the
 * map, KPIs, rankings, feed and table show the past with no code of their own for it. Alerts stay live.
 */
export function StoreOverride({ store, children }: { store: LiveStore; children: ReactNode }) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useLiveStore(): LiveStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('useLive outside <LiveProvider>');
  return store;
}

/** The store's latest published view (a new object at most every PUBLISH_MS). */
export function useLive(): LiveView {
  const store = useLiveStore();
  return useSyncExternalStore(store.subscribe, store.getView);
}

export function useAlertStore(): AlertStore {
  const alerts = useContext(AlertContext);
  if (!alerts) throw new Error('useAlerts outside <LiveProvider>');
  return alerts;
}

/** The alerts of the principal's scope in inbox order (compareAlerts); a new array after every change. */
export function useAlerts(): readonly Alert[] {
  const alerts = useAlertStore();
  return useSyncExternalStore(alerts.subscribe, alerts.getAlerts);
}
