// The water gauge of a checkpoint's detail: where the level and each warning threshold sit on one bar, from
// the dry-season level to a little above the guaranteed level (保证水位), so the duty officer sees how much
// room is left before the next colour.
import { WARNING_ORDER, type LevelThresholds, type WarningColor } from '../../server/contract/areas';

export interface GaugeMark {
  color: Exclude<WarningColor, 'none'>;
  level: number;
  /** Position on the bar, 0..1 from the bottom. */
  at: number;
}

export interface Gauge {
  min: number;
  max: number;
  marks: GaugeMark[];
  /** The level's position 0..1 (clamped to the bar), null without a reading. */
  level: number | null;
  /** The next threshold above the level and the metres left to it; null at red or without a reading. */
  next: { color: Exclude<WarningColor, 'none'>; metres: number } | null;
}

export function gauge(
  t: { baseLevel: number; guaranteedLevel: number; thresholds: LevelThresholds },
  level: number | null,
): Gauge {
  const top = Math.max(t.guaranteedLevel, t.thresholds.red, level ?? -Infinity);
  const min = Math.min(t.baseLevel, level ?? Infinity);
  // 10 % headroom above the highest mark: a level at red still shows where it stands against it.
  const max = top + 0.1 * Math.max(top - min, 0.1);
  const at = (v: number) => Math.min(1, Math.max(0, (v - min) / (max - min)));
  const colors = WARNING_ORDER.filter((c): c is Exclude<WarningColor, 'none'> => c !== 'none');
  const marks = colors.map((color) => ({ color, level: t.thresholds[color], at: at(t.thresholds[color]) }));
  let next: Gauge['next'] = null;
  if (level !== null) {
    const above = marks.find((m) => m.level > level);
    if (above) next = { color: above.color, metres: above.level - level };
  }
  return { min, max, marks, level: level === null ? null : at(level), next };
}
