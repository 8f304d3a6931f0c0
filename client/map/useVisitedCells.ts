// Today's visited patrol sub-cells of the open town, polled while the coverage overlay is on. Same origin
// only; a failed poll keeps the last answer (the squares only ever grow during a day).
import { useEffect, useState } from 'react';
import type { PatrolVisited } from '../../server/contract/patrol';
import { COVERAGE_REFRESH_MS } from './layers/coverage';

export function visitedUrl(townId: string, origin: string = window.location.origin): string {
  const url = new URL('/api/v1/patrol/visited', origin);
  url.searchParams.set('town', townId);
  return url.href;
}

/** null while off, before the first answer, or when the open scope is not a town. */
export function useVisitedCells(townId: string | null, on: boolean): PatrolVisited | null {
  const [visited, setVisited] = useState<PatrolVisited | null>(null);
  useEffect(() => {
    setVisited(null);
    if (!on || townId === null) return;
    const abort = new AbortController();
    const poll = async () => {
      try {
        const res = await fetch(visitedUrl(townId), { signal: abort.signal, cache: 'no-store' });
        if (res.ok) setVisited((await res.json()) as PatrolVisited);
      } catch {
        // offline for a moment: the next poll tries again
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), COVERAGE_REFRESH_MS);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [townId, on]);
  return visited;
}
