import { Settings } from 'typebox/system';
import { describe, expect, it } from 'vitest';
import {
  EVENT_SCHEMAS,
  KIND,
  OpsEvent,
  TICKET_CATEGORIES,
  validateEvent,
  validateStoredEvent,
  type EventKind,
  type EventOf,
  type FieldError,
} from '../../server/contract';

const T = '2025-07-20T14:30:00+08:00';
const HERE = { lon: 116.656, lat: 39.902 }; // 玉桥街道, WGS84

/** One valid event per kind; every test below starts from one of these. */
const VALID: { [K in EventKind]: EventOf<K> } = {
  'ticket.created': {
    id: 'h-20250720-0001',
    kind: 'ticket.created',
    time: T,
    source: 'hotline_12345',
    ticketId: 'T2025072000001',
    category: 'e_bike',
    urgency: 'urgent',
    channel: 'hotline_12345',
    title: '楼道内电动车充电',
    description: '3号楼2单元楼道有电动车飞线充电',
    address: '通州区玉桥街道玉桥东里3号楼',
    location: { ...HERE, crs: 'gcj02' },
    responseDueAt: '2025-07-20T16:30:00+08:00',
    resolveDueAt: '2025-07-21T14:30:00+08:00',
  },
  'ticket.updated': {
    id: 'u1',
    kind: 'ticket.updated',
    time: '2025-07-20T06:40:00Z',
    source: 'grid_worker',
    ticketId: 'T2025072000001',
    status: 'dispatched',
    assignee: '110112004',
    note: '派至玉桥东里社区',
  },
  'ticket.escalated': {
    id: 'esc-1',
    kind: 'ticket.escalated',
    time: T,
    source: 'grid_worker',
    ticketId: 'T2025072000001',
    departments: ['fire', 'chengguan'],
  },
  'ticket.closed': {
    id: 'c1',
    kind: 'ticket.closed',
    time: T,
    source: 'hotline_12345',
    ticketId: 'T1',
    resolved: true,
  },
  'ticket.rated': {
    id: 'r1',
    kind: 'ticket.rated',
    time: T,
    source: 'hotline_12345',
    ticketId: 'T1',
    satisfied: true,
    score: 5,
  },
  'ticket.followed_up': {
    id: 'f1',
    kind: 'ticket.followed_up',
    time: T,
    source: 'hotline_12345',
    ticketId: 'T1',
    resolved: false,
    satisfied: true,
    by: '回访员 0412',
  },
  'ticket.supervised': {
    id: 'sv1',
    kind: 'ticket.supervised',
    time: T,
    source: 'console',
    ticketId: 'T2025072000001',
    by: '区指挥中心 值班员',
    level: 'district',
    note: '超期未办结，请于今日内答复',
  },
  'flood.reading': {
    id: 'g-bh-1',
    kind: 'flood.reading',
    time: '2025-07-30T02:00:00.250+08:00',
    source: 'sensor',
    checkpointId: 'cp-chaobai-baimiao',
    level: 21.37,
    rainfall: 62.5,
    flow: 840,
  },
  'flood.inspection': {
    id: 'i1',
    kind: 'flood.inspection',
    time: T,
    source: 'grid_worker',
    checkpointId: 'cp-xiaotaihou-kouzi',
    inspector: '王建国',
  },
  'flood.obstruction': {
    id: 'o1',
    kind: 'flood.obstruction',
    time: T,
    source: 'simulator',
    checkpointId: 'cp-xiaotaihou-qianying',
    status: 'clearing',
  },
  'flood.response': {
    id: 'fr1',
    kind: 'flood.response',
    time: T,
    source: 'simulator',
    level: 'IV',
    riverId: 'beiyun',
    area: 'town:110112104',
  },
  'patrol.started': {
    id: 'ps1',
    kind: 'patrol.started',
    time: T,
    source: 'ranger_app',
    patrolId: 'p-1',
    rangerId: 'r-007',
    clusterId: 'fc-yongledian-3',
  },
  'patrol.position': {
    id: 'pos-1',
    kind: 'patrol.position',
    time: T,
    source: 'osmand',
    rangerId: 'r-007',
    patrolId: 'p-1',
    location: { lon: 116.79, lat: 39.69 },
    speed: 1.3,
    bearing: 270,
    altitude: 12,
    accuracy: 5,
    battery: 81,
  },
  'patrol.checkin': {
    id: 'ck1',
    kind: 'patrol.checkin',
    time: T,
    source: 'ranger_app',
    rangerId: 'r-007',
    patrolId: 'p-1',
    pointId: 'pp-ydl-3-04',
  },
  'patrol.incident': {
    id: 'inc-ev-1',
    kind: 'patrol.incident',
    time: T,
    source: 'ranger_app',
    rangerId: 'r-007',
    incidentId: 'inc-1',
    type: 'dumping',
    severity: 'medium',
    description: '林地边缘倾倒建筑垃圾',
    location: { lon: 116.791, lat: 39.688, crs: 'wgs84' },
  },
  'patrol.incident_resolved': {
    id: 'inc-ev-2',
    kind: 'patrol.incident_resolved',
    time: T,
    source: 'ranger_app',
    incidentId: 'inc-1',
  },
  'patrol.ended': {
    id: 'pe1',
    kind: 'patrol.ended',
    time: T,
    source: 'ranger_app',
    patrolId: 'p-1',
    rangerId: 'r-007',
  },
  'patrol.device_status': {
    id: 'ds1',
    kind: 'patrol.device_status',
    time: T,
    source: 'osmand',
    rangerId: 'r-007',
    deviceId: 'Ranger 7 phone',
    reason: 'outside_district',
    battery: 54,
  },
  'property.assessed': {
    id: 'pa1',
    kind: 'property.assessed',
    time: T,
    source: 'simulator',
    propertyId: 'yq-pd-01',
    month: '2025-06',
    score: 91.5,
    by: '杨庄街道物业办',
    note: '履约评价',
  },
};

/** A copy of a valid event with some fields replaced (undefined removes the field). */
function variant(kind: EventKind, changes: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(VALID[kind]);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Errors sorted by path then message: the order TypeBox reports keywords in is not part of the contract. */
const byPath = (errors: FieldError[]): FieldError[] =>
  [...errors].sort((a, b) => a.path.localeCompare(b.path) || a.message.localeCompare(b.message));

function errorsOf(value: unknown): FieldError[] {
  const r = validateEvent(value);
  if (r.ok) throw new Error(`expected a rejection, got ok for ${JSON.stringify(value)}`);
  return r.errors;
}

describe('event kinds', () => {
  it('KIND, EVENT_SCHEMAS and the OpsEvent union list the same kinds', () => {
    const unionKinds = OpsEvent.anyOf.map((s) => s.properties.kind.const);
    expect(unionKinds).toEqual(KIND);
    expect(Object.keys(EVENT_SCHEMAS)).toEqual(KIND);
    expect(Object.keys(VALID).sort()).toEqual([...KIND].sort());
  });

  it('has the 17 ticket categories of the domain brief', () => {
    expect(TICKET_CATEGORIES).toHaveLength(17);
    expect(TICKET_CATEGORIES).toContain('industrial_compound');
    expect(TICKET_CATEGORIES).toContain('other');
  });
});

describe('validateEvent: valid examples', () => {
  it.each(KIND)('accepts a valid %s and returns it unchanged', (kind) => {
    const r = validateEvent(VALID[kind]);
    expect(r).toEqual({ ok: true, event: VALID[kind] });
  });

  it('accepts the minimal form (optional fields absent, crs absent means wgs84)', () => {
    const minimal = variant('ticket.created', {
      description: undefined,
      address: undefined,
      responseDueAt: undefined,
      resolveDueAt: undefined,
      location: { lon: 116.6, lat: 39.9 },
    });
    expect(validateEvent(minimal).ok).toBe(true);
    expect(
      validateEvent(variant('patrol.position', { patrolId: undefined, speed: undefined, battery: undefined })).ok,
    ).toBe(true);
  });

  it('accepts UTC, negative offsets and fractional seconds', () => {
    for (const time of ['2025-07-20T06:30:00Z', '2025-07-20T06:30:00.123456-05:00', '2024-02-29T00:00:00+08:00']) {
      expect(validateEvent(variant('ticket.closed', { time })).ok).toBe(true);
    }
  });

  it('accepts flat producer metadata', () => {
    expect(
      validateEvent(variant('patrol.position', { meta: { deviceId: '8613', hdop: 0.9, moving: true, note: null } })).ok,
    ).toBe(true);
  });
});

describe('validateEvent: kind', () => {
  it('rejects a non-object', () => {
    expect(errorsOf('ticket')).toEqual([{ path: '', message: 'must be an object (one event)' }]);
    expect(errorsOf(null)).toEqual([{ path: '', message: 'must be an object (one event)' }]);
    expect(errorsOf([VALID['ticket.closed']])).toEqual([{ path: '', message: 'must be an object (one event)' }]);
  });

  it('reports a missing kind once, listing the allowed kinds', () => {
    const errors = errorsOf(variant('ticket.closed', { kind: undefined }));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('/kind');
    expect(errors[0]?.message).toMatch(/^is required; one of 'ticket.created', /);
    for (const k of KIND) expect(errors[0]?.message).toContain(`'${k}'`);
  });

  it('reports an unknown kind once, not one error per union branch', () => {
    const errors = errorsOf(variant('ticket.closed', { kind: 'ticket.deleted' }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: '/kind' });
    expect(errors[0]?.message).toMatch(/^unknown kind "ticket.deleted"; must be one of /);
    expect(errors[0]?.message).toContain("'patrol.ended'");
  });

  it('reports a non-string kind', () => {
    expect(errorsOf(variant('ticket.closed', { kind: 7 }))[0]?.message).toMatch(/^unknown kind 7;/);
  });

  it("validates against the chosen kind's fields only", () => {
    // A valid patrol.ended relabelled as ticket.closed: the errors are ticket.closed's, nothing else.
    const errors = errorsOf({ ...VALID['patrol.ended'], kind: 'ticket.closed' });
    expect(byPath(errors)).toEqual([
      { path: '/patrolId', message: 'is not an allowed property' },
      { path: '/rangerId', message: 'is not an allowed property' },
      { path: '/resolved', message: 'is required' },
      { path: '/ticketId', message: 'is required' },
    ]);
  });
});

describe('validateEvent: envelope fields', () => {
  it.each(['id', 'time', 'source'])('reports a missing %s at its own path', (field) => {
    expect(errorsOf(variant('ticket.rated', { [field]: undefined }))).toEqual([
      { path: `/${field}`, message: 'is required' },
    ]);
  });

  it.each([
    ['2025-07-20T14:30:00', 'no offset'],
    ['2025-07-20 14:30:00+08:00', 'space instead of T'],
    ['2025-07-20T14:30+08:00', 'no seconds'],
    ['2025-13-01T00:00:00Z', 'month 13'],
    ['2025-07-20T24:00:00Z', 'hour 24'],
    ['1753000000000', 'epoch milliseconds'],
    ['', 'empty'],
  ])('rejects time %j (%s) with a readable reason', (time) => {
    expect(errorsOf(variant('ticket.closed', { time }))).toEqual([
      {
        path: '/time',
        message: 'must be an ISO 8601 date-time with seconds and an offset or Z, e.g. 2025-07-20T14:30:00+08:00',
      },
    ]);
  });

  it('rejects a calendar date that does not exist', () => {
    expect(errorsOf(variant('ticket.closed', { time: '2025-02-29T08:00:00+08:00' }))).toEqual([
      { path: '/time', message: 'is not a real calendar date' },
    ]);
    expect(errorsOf(variant('ticket.closed', { time: '2025-04-31T08:00:00+08:00' }))[0]?.path).toBe('/time');
  });

  it('rejects a time that is not a string', () => {
    expect(errorsOf(variant('ticket.closed', { time: 1753000000000 }))).toEqual([
      { path: '/time', message: 'must be string' },
    ]);
  });

  it('rejects an unknown source, listing the allowed sources', () => {
    const [e] = errorsOf(variant('ticket.closed', { source: 'email' }));
    expect(e?.path).toBe('/source');
    expect(e?.message).toMatch(/^must be one of 'hotline_12345', 'wechat', /);
    expect(e?.message).toContain("'osmand'");
  });

  it('rejects ids with spaces and empty ids', () => {
    expect(errorsOf(variant('ticket.closed', { id: 'a b' }))).toEqual([
      { path: '/id', message: 'must contain only letters, digits and _ . : - (no spaces)' },
    ]);
    expect(errorsOf(variant('ticket.closed', { ticketId: '' }))[0]?.path).toBe('/ticketId');
  });

  it('forbids unknown top-level properties (a misspelt field must not vanish silently)', () => {
    expect(errorsOf(variant('ticket.created', { resolveDue: '2025-07-21T14:30:00+08:00' }))).toEqual([
      { path: '/resolveDue', message: 'is not an allowed property' },
    ]);
  });

  it('rejects a meta name over 64 characters at /meta, with the name cut short', () => {
    expect(errorsOf(variant('ticket.closed', { meta: { ['设备'.repeat(40)]: 1 } }))).toEqual([
      {
        path: '/meta',
        message: `property name '${'设备'.repeat(12)}…' (80 characters) must not have more than 64 characters`,
      },
    ]);
    expect(validateEvent(variant('ticket.closed', { meta: { ['k'.repeat(64)]: 1 } })).ok).toBe(true);
  });

  it('rejects nested meta values', () => {
    expect(errorsOf(variant('ticket.closed', { meta: { raw: { a: 1 } } }))).toEqual([
      { path: '/meta/raw', message: 'must be string, number, boolean or null' },
    ]);
  });
});

describe('validateEvent: location', () => {
  it('reports an out-of-range latitude at /location/lat (e.g. lon and lat swapped)', () => {
    expect(errorsOf(variant('ticket.created', { location: { lon: 39.9, lat: 116.6 } }))).toEqual([
      { path: '/location/lat', message: 'must be <= 90' },
    ]);
  });

  it('reports an out-of-range longitude', () => {
    expect(errorsOf(variant('patrol.position', { location: { lon: -181, lat: 39.7 } }))).toEqual([
      { path: '/location/lon', message: 'must be >= -180' },
    ]);
  });

  it('rejects an unknown crs, listing the known ones', () => {
    expect(errorsOf(variant('patrol.incident', { location: { ...HERE, crs: 'cgcs2000' } }))).toEqual([
      { path: '/location/crs', message: "must be one of 'wgs84', 'gcj02', 'bd09'" },
    ]);
  });

  it('rejects coordinates given as strings', () => {
    expect(errorsOf(variant('ticket.created', { location: { lon: '116.6', lat: 39.9 } }))).toEqual([
      { path: '/location/lon', message: 'must be number' },
    ]);
  });

  it('requires a location where the event has a place, and reports it at /location', () => {
    expect(errorsOf(variant('ticket.created', { location: undefined }))).toEqual([
      { path: '/location', message: 'is required' },
    ]);
    expect(errorsOf(variant('patrol.position', { location: undefined }))).toEqual([
      { path: '/location', message: 'is required' },
    ]);
    expect(errorsOf(variant('patrol.incident', { location: undefined }))).toEqual([
      { path: '/location', message: 'is required' },
    ]);
  });

  it('reports a missing lat and unknown properties inside location', () => {
    expect(byPath(errorsOf(variant('ticket.created', { location: { lon: 116.6, latitude: 39.9 } })))).toEqual([
      { path: '/location/lat', message: 'is required' },
      { path: '/location/latitude', message: 'is not an allowed property' },
    ]);
  });

  it('reports a location that is not an object', () => {
    expect(errorsOf(variant('ticket.created', { location: [116.6, 39.9] }))).toEqual([
      { path: '/location', message: 'must be object' },
    ]);
  });
});

describe('validateEvent: tickets', () => {
  it('rejects an unknown category with the list of categories', () => {
    const [e] = errorsOf(variant('ticket.created', { category: 'pets' }));
    expect(e?.path).toBe('/category');
    expect(e?.message).toMatch(/^must be one of 'municipal_environment', 'property_management', /);
  });

  it('rejects an unknown urgency', () => {
    expect(errorsOf(variant('ticket.created', { urgency: 'high' }))).toEqual([
      { path: '/urgency', message: "must be one of 'urgent', 'normal', 'low'" },
    ]);
  });

  it('rejects a channel that is not a citizen channel', () => {
    expect(errorsOf(variant('ticket.created', { channel: 'sensor' }))[0]?.path).toBe('/channel');
  });

  it('reports every bad field of one event, each at its own path', () => {
    // The category alone fails 17 union branches: more than TypeBox buffers by default (8).
    const errors = errorsOf(
      variant('ticket.created', { category: 'pets', urgency: 3, title: '', location: { lon: 116.6, lat: 95 } }),
    );
    expect(byPath(errors).map((e) => e.path)).toEqual(['/category', '/location/lat', '/title', '/urgency']);
    expect(byPath(errors).slice(1)).toEqual([
      { path: '/location/lat', message: 'must be <= 90' },
      { path: '/title', message: 'must not have fewer than 1 characters' },
      { path: '/urgency', message: "must be one of 'urgent', 'normal', 'low'" },
    ]);
  });

  it('rejects a resolve deadline earlier than the response deadline', () => {
    expect(
      errorsOf(
        variant('ticket.created', { responseDueAt: '2025-07-21T00:00:00Z', resolveDueAt: '2025-07-20T23:00:00Z' }),
      ),
    ).toEqual([{ path: '/resolveDueAt', message: 'must not be earlier than responseDueAt' }]);
  });

  it('rejects an unknown status', () => {
    expect(errorsOf(variant('ticket.updated', { status: 'rated' }))).toEqual([
      { path: '/status', message: "must be one of 'received', 'dispatched', 'in_progress', 'replied', 'closed'" },
    ]);
  });

  it('requires at least one department, each known, none twice', () => {
    expect(errorsOf(variant('ticket.escalated', { departments: [] }))).toEqual([
      { path: '/departments', message: 'must not have fewer than 1 items' },
    ]);
    expect(errorsOf(variant('ticket.escalated', { departments: ['fire', 'army'] }))[0]?.path).toBe('/departments/1');
    expect(errorsOf(variant('ticket.escalated', { departments: ['fire', 'fire'] }))).toEqual([
      { path: '/departments', message: 'must not have duplicate items' },
    ]);
  });

  it('requires resolved to be a boolean on ticket.closed', () => {
    expect(errorsOf(variant('ticket.closed', { resolved: 'yes' }))).toEqual([
      { path: '/resolved', message: 'must be boolean' },
    ]);
  });

  it('requires who supervises and a known level on ticket.supervised, each at its own path', () => {
    expect(byPath(errorsOf(variant('ticket.supervised', { by: undefined, level: 'province' })))).toEqual([
      { path: '/by', message: 'is required' },
      { path: '/level', message: "must be one of 'city', 'district', 'town'" },
    ]);
    expect(errorsOf(variant('ticket.supervised', { ticketId: 'T 1' }))[0]?.path).toBe('/ticketId');
    expect(errorsOf(variant('ticket.supervised', { note: '' }))).toEqual([
      { path: '/note', message: 'must not have fewer than 1 characters' },
    ]);
  });

  it('rejects a score outside 1..5 or not an integer', () => {
    expect(errorsOf(variant('ticket.rated', { score: 6 }))).toEqual([{ path: '/score', message: 'must be <= 5' }]);
    expect(errorsOf(variant('ticket.rated', { score: 0 }))).toEqual([{ path: '/score', message: 'must be >= 1' }]);
    expect(errorsOf(variant('ticket.rated', { score: 4.5 }))).toEqual([{ path: '/score', message: 'must be integer' }]);
  });
});

describe('validateEvent: flood', () => {
  it('requires a numeric level', () => {
    expect(errorsOf(variant('flood.reading', { level: undefined }))).toEqual([
      { path: '/level', message: 'is required' },
    ]);
    expect(errorsOf(variant('flood.reading', { level: '21.3' }))).toEqual([
      { path: '/level', message: 'must be number' },
    ]);
  });

  it('rejects negative rainfall', () => {
    expect(errorsOf(variant('flood.reading', { rainfall: -1 }))).toEqual([
      { path: '/rainfall', message: 'must be >= 0' },
    ]);
  });

  it('requires an inspector', () => {
    expect(errorsOf(variant('flood.inspection', { inspector: undefined }))).toEqual([
      { path: '/inspector', message: 'is required' },
    ]);
  });

  it('rejects an unknown obstruction status', () => {
    expect(errorsOf(variant('flood.obstruction', { status: 'done' }))).toEqual([
      { path: '/status', message: "must be one of 'pending', 'clearing', 'cleared'" },
    ]);
  });

  it('rejects an unknown response level and a malformed area key', () => {
    expect(errorsOf(variant('flood.response', { level: 'V' }))).toEqual([
      { path: '/level', message: "must be one of 'none', 'IV', 'III', 'II', 'I'" },
    ]);
    const [e] = errorsOf(variant('flood.response', { area: 'village:110112004001' }));
    expect(e?.path).toBe('/area');
    expect(e?.message).toMatch(/^must be an area key/);
  });

  it('accepts a district-wide response with neither river nor area', () => {
    expect(validateEvent(variant('flood.response', { riverId: undefined, area: undefined, level: 'none' })).ok).toBe(
      true,
    );
  });
});

describe('validateEvent: patrols', () => {
  it('requires the cluster when a patrol starts', () => {
    expect(errorsOf(variant('patrol.started', { clusterId: undefined }))).toEqual([
      { path: '/clusterId', message: 'is required' },
    ]);
  });

  it('range-checks the optional position fields', () => {
    expect(errorsOf(variant('patrol.position', { battery: 140 }))).toEqual([
      { path: '/battery', message: 'must be <= 100' },
    ]);
    expect(errorsOf(variant('patrol.position', { bearing: -5 }))).toEqual([
      { path: '/bearing', message: 'must be >= 0' },
    ]);
    expect(errorsOf(variant('patrol.position', { speed: 'fast' }))).toEqual([
      { path: '/speed', message: 'must be number' },
    ]);
  });

  it('requires the patrol point of a check-in', () => {
    expect(errorsOf(variant('patrol.checkin', { pointId: undefined }))).toEqual([
      { path: '/pointId', message: 'is required' },
    ]);
  });

  it('rejects an unknown incident type and severity', () => {
    expect(byPath(errorsOf(variant('patrol.incident', { type: 'wildfire', severity: 'extreme' })))).toEqual([
      { path: '/severity', message: "must be one of 'low', 'medium', 'high'" },
      {
        path: '/type',
        message: "must be one of 'fire_risk', 'sos', 'pests', 'illegal_logging', 'dumping', 'fallen_tree', 'other'",
      },
    ]);
  });

  it('requires both ids when a patrol ends', () => {
    expect(byPath(errorsOf(variant('patrol.ended', { patrolId: undefined, rangerId: undefined })))).toEqual([
      { path: '/patrolId', message: 'is required' },
      { path: '/rangerId', message: 'is required' },
    ]);
  });
});

describe('validateEvent: TypeBox settings', () => {
  it('restores the global error limit after gathering errors', () => {
    const before = Settings.Get().maxErrors;
    errorsOf(variant('ticket.created', { category: 'pets' }));
    expect(Settings.Get().maxErrors).toBe(before);
  });
});

describe('validateEvent: paths with a base', () => {
  it('prefixes paths, e.g. for the items of a batch', () => {
    const r = validateEvent(variant('ticket.created', { location: { lon: 116.6, lat: 91 } }), '/events/3');
    expect(r).toEqual({ ok: false, errors: [{ path: '/events/3/location/lat', message: 'must be <= 90' }] });
  });
});

describe('validateStoredEvent', () => {
  const stored = {
    seq: 42,
    receivedAt: '2025-07-20T06:30:01.5Z',
    event: VALID['patrol.position'],
    place: { townId: '110112104', forestId: 'fc-yongledian-3' },
  };

  it('accepts a stored record', () => {
    expect(validateStoredEvent(stored)).toEqual({ ok: true, stored });
  });

  it('reports envelope and event problems together, event paths under /event', () => {
    const r = validateStoredEvent({
      ...stored,
      seq: 0,
      event: { ...VALID['patrol.position'], location: { lon: 200, lat: 39.7 } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(byPath(r.errors)).toEqual([
        { path: '/event/location/lon', message: 'must be <= 180' },
        { path: '/seq', message: 'must be >= 1' },
      ]);
    }
  });

  it('reports a missing event and an unknown place field', () => {
    const { event: _omit, ...rest } = stored;
    const r = validateStoredEvent({ ...rest, place: { village: 'x' } });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toContainEqual({ path: '/event', message: 'is required' });
      expect(r.errors).toContainEqual({ path: '/place/village', message: 'is not an allowed property' });
    }
  });
});
