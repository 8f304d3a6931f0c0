// The 治理类 towns in the reader's scope with their 三升四降 pair (GET /api/v1/treatment), for the ranking. The
// pair moves with the month's tickets, slowly: loaded once and every few minutes; a failed load keeps the last.
import { useEffect, useState } from 'react';
import type { TreatedTown, TreatmentList } from '../../server/contract/treatment';
import { apiJson } from '../auth/session';

const REFRESH_MS = 5 * 60_000;

export function useTreatment(): readonly TreatedTown[] {
  const [towns, setTowns] = useState<readonly TreatedTown[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      apiJson<TreatmentList>('/api/v1/treatment', { signal: controller.signal, cache: 'no-store' }).then(
        (body) => !controller.signal.aborted && setTowns(body.towns),
        () => undefined,
      );
    void load();
    const id = setInterval(() => void load(), REFRESH_MS);
    return () => {
      controller.abort();
      clearInterval(id);
    };
  }, []);
  return towns;
}
