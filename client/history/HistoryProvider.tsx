// History mode for everything below it: while a replay is open, the map, KPIs, rankings, feed and table read
// the replay's store (StoreOverride) and the replay's moment (ClockContext); back to live drops both. The
// alert inbox keeps the live alerts: a duty officer looking back must not miss what happens now.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { AreaKey } from '../../server/contract/areas';
import type { ReplayControl, ReplaySpeed, ReplayStatus } from '../../server/contract/replay';
import { ClockContext, WALL_CLOCK, type ScreenClock } from '../live/clock';
import { StoreOverride, useLiveStore, usePageSocket } from '../live/SocketController';
import type { ReplayClient, ReplayError, ReplaySocket } from './replay';
import type { Window } from './presets';

export interface HistoryApi {
  mode: 'live' | 'history';
  status: ReplayStatus | null;
  error: ReplayError | null;
  loading: boolean;
  start(window: Window, options?: { at?: number; speed?: ReplaySpeed; play?: boolean }): void;
  control(request: ReplayControl): void;
  backToLive(): void;
}

const LIVE: HistoryApi = {
  mode: 'live',
  status: null,
  error: null,
  loading: false,
  start: () => {},
  control: () => {},
  backToLive: () => {},
};
const HistoryContext = createContext<HistoryApi>(LIVE);

export function useHistory(): HistoryApi {
  return useContext(HistoryContext);
}

const NO_SUBSCRIBE = () => () => {};

export function HistoryProvider({ scope, children }: { scope: AreaKey; children: ReactNode }) {
  const socket = usePageSocket();
  const liveStore = useLiveStore();
  const [client, setClient] = useState<ReplayClient | null>(null);
  const [loading, setLoading] = useState(false);
  const clientRef = useRef<ReplayClient | null>(null);
  clientRef.current = client;

  // Re-render on every status and error the replay reports (each a new object; the client swaps them).
  const subscribe = client ? client.subscribe : NO_SUBSCRIBE;
  const status = useSyncExternalStore(subscribe, () => client?.status ?? null);
  const error = useSyncExternalStore(subscribe, () => client?.error ?? null);

  const start = useCallback<HistoryApi['start']>(
    (window, options = {}) => {
      const s = socket.current;
      if (!s) return;
      setLoading(true);
      const run = async () => {
        // The replay's code loads when history mode is first asked for, not with the dashboard.
        const { ReplayClient } = await import('./replay');
        let c = clientRef.current;
        if (!c) {
          c = new ReplayClient(s as unknown as ReplaySocket, scope);
          clientRef.current = c;
          setClient(c);
        }
        await c.open(scope, window.from, window.to, options);
      };
      void run().finally(() => setLoading(false));
    },
    [socket, scope],
  );

  const control = useCallback((request: ReplayControl) => {
    const c = clientRef.current;
    if (c) void c.control(request);
  }, []);

  const backToLive = useCallback(() => {
    clientRef.current?.close();
    setClient(null);
  }, []);

  // A drill-down in history: the same moment, another area.
  useEffect(() => {
    const c = clientRef.current;
    if (c?.status && c.status.scope !== scope) void c.control({ action: 'scope', scope });
  }, [scope]);

  useEffect(() => () => clientRef.current?.close(), []);

  const at = status?.at;
  const clock = useMemo<ScreenClock | null>(() => (at !== undefined ? { now: () => at, version: at } : null), [at]);
  const api = useMemo<HistoryApi>(
    () =>
      client ? { mode: 'history', status, error, loading, start, control, backToLive } : { ...LIVE, start, loading },
    [client, status, error, loading, start, control, backToLive],
  );

  // One tree whatever the mode: swapping providers in and out would remount the map below.
  return (
    <HistoryContext.Provider value={api}>
      <StoreOverride store={client && clock ? client.store : liveStore}>
        <ClockContext.Provider value={clock ?? WALL_CLOCK}>{children}</ClockContext.Provider>
      </StoreOverride>
    </HistoryContext.Provider>
  );
}
