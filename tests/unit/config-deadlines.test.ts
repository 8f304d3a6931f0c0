// Ticket deadlines and alert rules from the environment: good values reach the live state and the rules, bad
// ones stop the start with a message that names the variable and the problem.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { DEFAULT_URGENCY_DEADLINES } from '../../server/contract/config-defaults';
import { validateEvent, type OpsEvent, type StoredEvent } from '../../server/contract/events';
import { checkLogEvent } from '../../server/contract/log';
import { interiorPoint } from '../../server/geo/interior';
import { loadGeo, type Geo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createLiveState } from '../../server/live/state';
import { DEFAULT_ALERT_RULE_OPTIONS } from '../../server/rules/options';
import { GEO_DIR } from '../helpers/paths';

const H = 3_600_000;
const D = 24 * H;

describe('TICKET_DEADLINES and NEAR_DEADLINE_FRACTION', () => {
  it('default to the documented deadlines and 0.8', () => {
    const c = loadConfig({});
    expect(c.ticketDeadlines).toEqual(DEFAULT_URGENCY_DEADLINES);
    expect(c.nearDeadlineFraction).toBe(0.8);
  });

  it('read respond/resolve pairs per urgency in m, h and d; an urgency left out keeps its default', () => {
    const c = loadConfig({ TICKET_DEADLINES: 'urgent=30m/12h, low=3d/30d', NEAR_DEADLINE_FRACTION: '0.75' });
    expect(c.ticketDeadlines).toEqual({
      urgent: { respondMs: 30 * 60_000, resolveMs: 12 * H },
      normal: DEFAULT_URGENCY_DEADLINES.normal,
      low: { respondMs: 3 * D, resolveMs: 30 * D },
    });
    expect(c.nearDeadlineFraction).toBe(0.75);
  });

  it.each([
    ['urgent=2h', /urgency=respond\/resolve/],
    ['urgent=2x/24h', /"2x".*not a duration/],
    ['critical=1h/2h', /unknown urgency "critical"/],
    ['urgent=24h/2h', /shorter than its respond deadline/],
    ['urgent=1h/2h,urgent=2h/3h', /given twice/],
    ['urgent=0h/2h', /not a duration/],
  ])('refuses TICKET_DEADLINES=%s', (value, why) => {
    expect(() => loadConfig({ TICKET_DEADLINES: value })).toThrow(ConfigError);
    expect(() => loadConfig({ TICKET_DEADLINES: value })).toThrow(why);
    expect(() => loadConfig({ TICKET_DEADLINES: value })).toThrow(/TICKET_DEADLINES/);
  });

  it.each(['0', '1', '1.2', '-0.5', 'most'])('refuses NEAR_DEADLINE_FRACTION=%s', (value) => {
    expect(() => loadConfig({ NEAR_DEADLINE_FRACTION: value })).toThrow(/NEAR_DEADLINE_FRACTION.*between 0 and 1/);
  });
});

describe('ALERT_RULES', () => {
  it('is the defaults when empty, merges inline JSON or a file rule by rule', () => {
    expect(loadConfig({}).alertRules).toEqual(DEFAULT_ALERT_RULE_OPTIONS);
    const inline = loadConfig({ ALERT_RULES: '{"rangerSignalLost": {"afterMin": 20}}' }).alertRules;
    expect(inline.rangerSignalLost).toEqual({ ...DEFAULT_ALERT_RULE_OPTIONS.rangerSignalLost, afterMin: 20 });
    expect(inline.flood).toEqual(DEFAULT_ALERT_RULE_OPTIONS.flood);
    const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-rules-'));
    const file = path.join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ escalateAfterMin: { warning: null } }));
    expect(loadConfig({ ALERT_RULES: file }).alertRules.escalateAfterMin).toEqual({
      info: null,
      warning: null,
      severe: 10,
    });
  });

  it('names the problem: unreadable JSON, an unknown rule, a bad value', () => {
    expect(() => loadConfig({ ALERT_RULES: '{nope' })).toThrow(/ALERT_RULES.*cannot read JSON/);
    expect(() => loadConfig({ ALERT_RULES: '/nonexistent/rules.json' })).toThrow(
      /ALERT_RULES.*cannot read JSON from the file/,
    );
    expect(() => loadConfig({ ALERT_RULES: '{"tide": {}}' })).toThrow(/\/tide unknown rule/);
    expect(() => loadConfig({ ALERT_RULES: '{"ticketSurge": {"minCount": 0}}' })).toThrow(/\/ticketSurge\/minCount/);
  });
});

describe('the live state with configured deadlines', () => {
  let geo: Geo;
  beforeAll(async () => {
    geo = await loadGeo(GEO_DIR);
  });

  it('turns an urgent ticket near its deadline and overdue at the configured times', () => {
    const c = loadConfig({ TICKET_DEADLINES: 'urgent=30m/4h', NEAR_DEADLINE_FRACTION: '0.5' });
    const created = Date.parse('2025-07-20T09:00:00+08:00');
    const live = createLiveState(
      geo,
      { deadlines: c.ticketDeadlines, nearDeadlineFraction: c.nearDeadlineFraction },
      created,
    );
    const cell = geo.layers.grid.features[0]!;
    const [lon, lat] = interiorPoint(cell.geometry as never);
    const event: OpsEvent = {
      id: 'e1',
      kind: 'ticket.created',
      time: new Date(created).toISOString(),
      source: 'hotline_12345',
      ticketId: 'T-1',
      category: 'heating',
      urgency: 'urgent',
      channel: 'hotline_12345',
      title: '整栋楼停暖',
      location: { lon, lat },
    };
    const stored: StoredEvent = { seq: 1, receivedAt: event.time, event, place: createLocator(geo).locate(lon, lat)! };
    live.apply([stored]);
    expect(live.ticket('T-1')).toMatchObject({
      resolveDueAt: '2025-07-20T13:00:00+08:00',
      nearDeadline: false,
      overdue: false,
    });
    live.advance(created + 2 * H);
    expect(live.ticket('T-1')).toMatchObject({ nearDeadline: false, overdue: false });
    live.advance(created + 2 * H + 1000);
    expect(live.ticket('T-1')).toMatchObject({ nearDeadline: true, overdue: false });
    live.advance(created + 4 * H + 1000);
    expect(live.ticket('T-1')).toMatchObject({ nearDeadline: false, overdue: true });
  });
});

describe('alert events in the log', () => {
  const raised = {
    id: 'fire_risk:inc-1',
    kind: 'alert.raised',
    time: '2025-07-20T09:00:00+08:00',
    source: 'rules',
    alertId: 'fire_risk:inc-1',
    rule: 'fire_risk',
    severity: 'severe',
    area: 'town:110112105',
    town: 'town:110112105',
    level: 'town',
    title: '火险',
    subjects: [{ kind: 'incident', id: 'inc-1' }],
  };

  it('public validation refuses them, saying who writes them', () => {
    const r = validateEvent(raised);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      { path: '/kind', message: expect.stringMatching(/alert events are written by the server/) },
    ]);
  });

  it('the log schema accepts them, and checks them by their kind', () => {
    expect(checkLogEvent(raised).ok).toBe(true);
    const bad = checkLogEvent({ ...raised, severity: 'apocalyptic' }, '/event');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors[0]!.path).toBe('/event/severity');
  });
});
