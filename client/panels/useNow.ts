// A clock for countdowns and "last seen" ages: the moment shown (live: now, refreshed every `everyMs`; in
// history mode the replay's moment, which moves with its frames).
import { useEffect, useState } from 'react';
import { useClock } from '../live/clock';

export function useNow(everyMs: number): number {
  const clock = useClock();
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    setNow(clock.now());
    if (clock.version !== undefined) return;
    const id = setInterval(() => setNow(clock.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs, clock, clock.version]);
  return clock.version !== undefined ? clock.now() : now;
}
