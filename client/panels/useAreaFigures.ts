// The open area's figures the socket leaves out (GET /api/v1/area-figures: 督办 counts, the 零诉求 streak with a
// village's configured start, a property district's monthly scores): fetched when the area changes, again when its
// ticket counts move (at most every few seconds) and every minute. Live only: a replay has no such figures.
import { useEffect, useRef, useState } from 'react';
import type { AreaKey } from '../../server/contract/areas';
import type { AreaFigures } from '../../server/contract/area-figures';
import { apiJson } from '../auth/session';

const REFRESH_MS = 60_000;
const THROTTLE_MS = 5_000;

const fetchFigures = (area: AreaKey) => apiJson<AreaFigures>(`/api/v1/area-figures?area=${encodeURIComponent(area)}`);

export function useAreaFigures(area: AreaKey | null, changeKey: string, live: boolean): AreaFigures | null {
  const [figures, setFigures] = useState<AreaFigures | null>(null);
  const last = useRef(0);

  useEffect(() => {
    setFigures(null);
    last.current = 0;
    if (!area || !live) return;
    let alive = true;
    const load = () => {
      last.current = Date.now();
      fetchFigures(area)
        .then((body) => alive && body.area === area && setFigures(body))
        // A failed refresh keeps what it has; the next one tries again.
        .catch(() => undefined);
    };
    load();
    const id = window.setInterval(load, REFRESH_MS);
    return () => {
      alive = false;
      window.clearInterval(id);
    };
  }, [area, live]);

  useEffect(() => {
    if (!area || !live || last.current === 0) return;
    const wait = Math.max(0, last.current + THROTTLE_MS - Date.now());
    const id = window.setTimeout(() => {
      last.current = Date.now();
      fetchFigures(area)
        .then((body) => body.area === area && setFigures(body))
        .catch(() => undefined);
    }, wait);
    return () => window.clearTimeout(id);
  }, [area, live, changeKey]);

  return figures;
}
