// The moment the screen shows. Live, that is now; in history mode, the replay's moment, so that countdowns,
// ages and trail fades read as they did then instead of "a day ago". Panels and layers ask useNow / useClock,
// never Date.now() directly.
import { createContext, useContext } from 'react';

export interface ScreenClock {
  /** The moment shown, epoch ms. */
  now(): number;
  /** Changes when the moment moves (a replay frame); undefined for the wall clock, which a timer follows. */
  version?: number;
}

export const WALL_CLOCK: ScreenClock = { now: () => Date.now() };
export const ClockContext = createContext<ScreenClock>(WALL_CLOCK);

export function useClock(): ScreenClock {
  return useContext(ClockContext);
}
