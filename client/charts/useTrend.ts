// The trend of the open area: fetched when the area changes, then at most every few seconds while its ticket
// counts move (`changeKey`), and every minute regardless (a new hour starts on the chart even when nothing
// happens). Throttled, not debounced: on a busy day the counts never stop moving, and the chart must follow.
import { useCallback, useEffect, useEffectEvent, useRef, useState } from 'react';
import type { AreaKey } from '../../server/contract/areas';
import { fetchTrend, type TrendBody } from './trend';

const REFRESH_MS = 60_000;
const THROTTLE_MS = 5_000;

export interface TrendState {
  data: TrendBody | null;
  error: boolean;
}

export function useTrend(area: AreaKey | null, hours: number, changeKey: string): TrendState {
  const [state, setState] = useState<TrendState>({ data: null, error: false });
  const [tick, setTick] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const abort = useRef<AbortController | null>(null);

  const load = useCallback(
    (key: AreaKey) => {
      abort.current?.abort();
      const controller = new AbortController();
      abort.current = controller;
      fetchTrend(key, hours, controller.signal).then(
        (data) => !controller.signal.aborted && setState({ data, error: false }),
        () => !controller.signal.aborted && setState((s) => ({ data: s.data, error: true })),
      );
    },
    [hours],
  );

  // A new area (or span): drop the old chart, load at once, and refresh by the minute.
  useEffect(() => {
    setState({ data: null, error: false });
    if (!area) return;
    load(area);
    const id = setInterval(() => setTick((n) => n + 1), REFRESH_MS);
    return () => {
      clearInterval(id);
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
      abort.current?.abort();
    };
  }, [area, load]);

  // Counts moved or a minute passed: one more load soon, however many changes come meanwhile. It loads the area
  // open when it was scheduled (a new area cancels it, above): only the counts and the minute schedule it.
  const scheduleLoad = useEffectEvent(() => {
    if (!area || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      load(area);
    }, THROTTLE_MS);
  });
  useEffect(() => {
    if (tick === 0 && changeKey === '') return;
    scheduleLoad();
  }, [changeKey, tick]);

  return state;
}
