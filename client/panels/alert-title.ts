// An alert's title in the reader's language, worded from the rule's code and the facts the rule engine sends
// (server/rules/engine.ts). The server's own title is Chinese: it stays in the log for the notification
// channels and older clients, and is what an alert from before the facts carried the wording (an older log) still
// shows, in any language. Names, ticket titles and a ranger's own words are data and stay as they were given.
import type { TFunction } from 'i18next';
import type { AlertRule } from '../../server/contract/alerts';

export interface TitledAlert {
  rule: AlertRule;
  title: string;
  facts?: Record<string, string | number> | undefined;
}

/** The facts each rule's wording needs; without all of them the server's title is shown. */
const NEEDS: Record<AlertRule, readonly string[]> = {
  flood_warning: ['checkpoint', 'level', 'color'],
  ticket_near_deadline: ['ticketTitle'],
  ticket_overdue: ['ticketTitle'],
  ticket_surge: ['count', 'windowMin'],
  forest_unpatrolled: ['cluster', 'hours'],
  ranger_signal_lost: ['rangerId', 'minutes'],
  fire_risk: ['description'],
  ranger_sos: ['rangerId', 'description'],
};

/**
 * An SOS from a tracker with no ranger in the device table: the ingest made the ranger id of the device id
 * itself, or of its digest (server/ingest/osmand.ts deviceRef), which is no name to read out.
 */
const unmappedDevice = (rangerId: string, deviceId: string) =>
  rangerId === deviceId || /^dev-[0-9a-f]{20}$/.test(rangerId);

export function alertTitle(alert: TitledAlert, t: TFunction): string {
  const facts = alert.facts ?? {};
  if (!NEEDS[alert.rule].every((k) => facts[k] !== undefined && facts[k] !== '')) return alert.title;
  const s = (k: string) => String(facts[k] ?? '');
  const n = (k: string) => Number(facts[k]);
  const key = `auth:alerts.titles.${alert.rule}`;
  switch (alert.rule) {
    case 'flood_warning':
      return t(key, {
        checkpoint: s('checkpoint'),
        // Two decimals, as the server words it: a gauge reads to the centimetre.
        level: Number.isFinite(n('level')) ? n('level').toFixed(2) : s('level'),
        color: t(`panels:color.${s('color')}`, { defaultValue: s('color') }),
      });
    case 'ticket_near_deadline':
    case 'ticket_overdue':
      return t(key, { ticket: s('ticketTitle') });
    case 'ticket_surge':
      return t(key, { count: s('count'), windowMin: s('windowMin') });
    case 'forest_unpatrolled':
      return t(key, { cluster: s('cluster'), hours: s('hours') });
    case 'ranger_signal_lost':
      return t(key, { ranger: s('rangerId'), minutes: s('minutes') });
    case 'fire_risk':
      return t(key, { description: s('description') });
    case 'ranger_sos': {
      const values = { ranger: s('rangerId'), device: s('deviceId'), description: s('description') };
      if (facts.deviceId === undefined) return t(key, values);
      return t(unmappedDevice(values.ranger, values.device) ? `${key}_unmapped` : `${key}_device`, values);
    }
  }
}
