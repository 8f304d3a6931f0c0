// An optional short tone when a new severe alert arrives: made with WebAudio (no audio file, nothing fetched),
// off by default, the choice remembered on this screen. Browsers only let a page play sound after a user
// gesture; the toggle is that gesture.
import { useEffect, useRef, useState } from 'react';
import type { Alert } from '../../server/contract/alerts';

const STORAGE_KEY = 'opsmap.alertSound';

export function soundPreference(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'on';
  } catch {
    return false;
  }
}

function storePreference(on: boolean): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // storage may be off: the choice lasts for this page only
  }
}

let context: AudioContext | null = null;

/** Two short beeps (880 Hz, then 660 Hz), quiet. */
export function playTone(): void {
  try {
    context ??= new AudioContext();
    const ctx = context;
    if (ctx.state === 'suspended') void ctx.resume();
    [880, 660].forEach((hz, i) => {
      const start = ctx.currentTime + i * 0.22;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start);
      osc.stop(start + 0.2);
    });
  } catch {
    // no audio device (a headless browser, a locked-down wall): silence is fine
  }
}

/**
 * Ids of severe, open alerts in `alerts` that `seen` did not hold; `seen` is updated. The first call (seen
 * empty and `first`) only remembers: the alerts already there when the page opens are not news.
 */
export function newSevere(alerts: readonly Alert[], seen: Set<string>, first: boolean): string[] {
  const fresh: string[] = [];
  for (const a of alerts) {
    if (a.severity !== 'severe' || a.status !== 'open' || seen.has(a.id)) continue;
    seen.add(a.id);
    if (!first) fresh.push(a.id);
  }
  return fresh;
}

/** The sound toggle's state, and the tone for each new severe alert while it is on. */
export function useAlertSound(alerts: readonly Alert[], loaded: boolean): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(soundPreference);
  const seen = useRef(new Set<string>());
  const primed = useRef(false);
  useEffect(() => {
    if (!loaded) return;
    const fresh = newSevere(alerts, seen.current, !primed.current);
    primed.current = true;
    if (on && fresh.length > 0) playTone();
  }, [alerts, loaded, on]);
  const set = (value: boolean) => {
    storePreference(value);
    setOn(value);
    if (value) playTone(); // the gesture unlocks audio, and the officer hears what it will sound like
  };
  return [on, set];
}
