// The facts behind an alert (the numbers the rule decided on), in the reader's words and units: the server sends
// them as plain keys and values so that each language can word them itself.
import type { TFunction } from 'i18next';
import type { Formatters } from '../i18n';

export interface FactLine {
  key: string;
  label: string;
  value: string;
}

/** Keys the rules send (server/rules/engine.ts); anything else is shown as it came. */
const KNOWN = [
  'level',
  'threshold',
  'color',
  'urgency',
  'resolveDueAt',
  'count',
  'baseline',
  'windowMin',
  'hours',
  'since',
  'minutes',
  'lastSeen',
  'rangerId',
  'deviceId',
] as const;
/** Facts the title is worded from (client/panels/alert-title.ts): a line of their own would repeat it. */
const IN_TITLE = new Set(['checkpoint', 'ticketTitle', 'cluster', 'description']);
type Known = (typeof KNOWN)[number];
const isKnown = (k: string): k is Known => (KNOWN as readonly string[]).includes(k);

export function factLines(facts: Record<string, string | number> | undefined, t: TFunction, f: Formatters): FactLine[] {
  return Object.entries(facts ?? {})
    .filter(([key]) => !IN_TITLE.has(key))
    .map(([key, raw]) => {
      if (!isKnown(key)) return { key, label: key, value: String(raw) };
      const n = typeof raw === 'number' ? raw : Number(raw);
      const label = t(`auth:alerts.fact.${key}`);
      switch (key) {
        case 'level':
        case 'threshold':
          return { key, label, value: f.metres(Number.isFinite(n) ? n : null) };
        case 'color':
          return { key, label, value: t(`common:warning.${String(raw)}`, { defaultValue: String(raw) }) };
        case 'urgency':
          return { key, label, value: t(`panels:urgency.${String(raw)}`, { defaultValue: String(raw) }) };
        case 'resolveDueAt':
        case 'since':
        case 'lastSeen':
          return { key, label, value: Number.isNaN(Date.parse(String(raw))) ? String(raw) : f.dateTime(String(raw)) };
        case 'baseline':
          return { key, label, value: t('auth:alerts.unit.perHour', { n: f.number(n) }) };
        case 'windowMin':
        case 'minutes':
          return { key, label, value: t('auth:alerts.unit.minutes', { n: f.number(n) }) };
        case 'hours':
          return { key, label, value: t('auth:alerts.unit.hours', { n: f.number(n) }) };
        case 'count':
          return { key, label, value: f.number(n) };
        case 'rangerId':
        case 'deviceId':
          return { key, label, value: String(raw) };
      }
    });
}
