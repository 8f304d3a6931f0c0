// Ranger trails as the map draws them, rebuilt at a bounded rate.
import { useEffect, useRef, useState } from 'react';
import type { AreaKey } from '../../server/contract/areas';
import type { LiveView } from '../live/store';
import { useClock } from '../live/clock';
import { TRAIL_REFRESH_MS, trailsOf, type Trail } from './layers/rangers';

const NO_TRAILS: readonly Trail[] = [];

/**
 * Ranger trails, rebuilt from the store at most every TRAIL_REFRESH_MS (and at once for a new scope):
 * trails are the heaviest geometry on the map, and a few seconds of fade are invisible at 30 minutes.
 */
export function useTrails(live: LiveView, on: boolean): readonly Trail[] {
  const [trails, setTrails] = useState<readonly Trail[]>(NO_TRAILS);
  const built = useRef<{ at: number; scope: AreaKey | null; version: number }>({ at: 0, scope: null, version: -1 });
  const liveRef = useRef(live);
  liveRef.current = live;
  const clockRef = useRef(useClock());
  clockRef.current = useClock();
  useEffect(() => {
    if (!on) {
      built.current = { at: 0, scope: null, version: -1 };
      setTrails(NO_TRAILS);
      return;
    }
    const build = () => {
      // The moment shown: in history mode trails fade by the replay's time, not by today's.
      const now = clockRef.current.now();
      const l = liveRef.current;
      built.current = { at: now, scope: l.scope, version: l.versions.rangers };
      setTrails(trailsOf(l.rangers.values(), now));
    };
    if (built.current.version === live.versions.rangers && built.current.scope === live.scope) return;
    const wait = built.current.scope !== live.scope ? 0 : built.current.at + TRAIL_REFRESH_MS - clockRef.current.now();
    if (wait <= 0) {
      build();
      return;
    }
    const timer = setTimeout(build, wait);
    return () => clearTimeout(timer);
  }, [on, live.versions.rangers, live.scope]);
  return trails;
}
