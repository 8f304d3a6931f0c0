// The Open311 and OsmAnd adapters: each wire format maps onto contract events, and bad input is named in the
// producer's own field names.
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../server/contract/events';
import { categoryOf, mapOpen311, toOpen311Field } from '../../server/ingest/open311';
import { mapOsmand } from '../../server/ingest/osmand';
import { toWgs84 } from '../../server/geo/crs';

const request = {
  service_request_id: '638344',
  status: 'open',
  service_code: 'e_bike',
  service_name: '电动车',
  description: '3号楼楼道内电动车飞线充电，存在火灾隐患',
  lat: 39.8875,
  long: 116.6842,
  address: '通州区玉桥街道玉桥东里3号楼',
  requested_datetime: '2026-07-20T09:12:00+08:00',
  updated_datetime: '2026-07-20T09:12:00+08:00',
  expected_datetime: '2026-07-27T09:12:00+08:00',
};

describe('Open311 GeoReport v2 → ticket events', () => {
  it('maps an open request to one valid ticket.created with the documented fields', () => {
    const m = mapOpen311(request);
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.events).toHaveLength(1);
    const e = m.events[0]!;
    expect(validateEvent(e).ok).toBe(true);
    expect(e).toMatchObject({
      kind: 'ticket.created',
      id: 'o311-638344-created',
      ticketId: 'o311-638344',
      source: 'open311',
      category: 'e_bike',
      time: '2026-07-20T09:12:00+08:00',
      resolveDueAt: '2026-07-27T09:12:00+08:00',
      location: { lon: 116.6842, lat: 39.8875, crs: 'wgs84' },
      address: '通州区玉桥街道玉桥东里3号楼',
    });
  });

  it('maps a closed request to created + closed, with stable ids so a re-post is idempotent', () => {
    const m = mapOpen311({
      ...request,
      status: 'closed',
      updated_datetime: '2026-07-21T15:00:00+08:00',
      resolved: false,
    });
    expect(m.ok && m.events.map((e) => [e.kind, e.id])).toEqual([
      ['ticket.created', 'o311-638344-created'],
      ['ticket.closed', 'o311-638344-closed'],
    ]);
    expect(m.ok && m.events[1]).toMatchObject({ resolved: false, time: '2026-07-21T15:00:00+08:00' });
  });

  it('takes the category from service_code, else from the Chinese service_name, else other', () => {
    expect(categoryOf('noise', undefined)).toBe('noise');
    expect(categoryOf('X-17', '物业管理')).toBe('property_management');
    expect(categoryOf(undefined, '路灯')).toBe('lighting');
    expect(categoryOf('X-99', '别的')).toBe('other');
  });

  it('rejects a bad request with the Open311 field that is wrong', () => {
    const m = mapOpen311({ ...request, lat: 'north', status: 'pending' });
    expect(m.ok).toBe(false);
    if (m.ok) return;
    expect(m.errors.map((e) => e.path).sort()).toEqual(['/lat', '/status']);
    const closedWithoutTime = mapOpen311({ ...request, status: 'closed', updated_datetime: undefined });
    expect(!closedWithoutTime.ok && closedWithoutTime.errors[0]!.path).toBe('/updated_datetime');
    expect(toOpen311Field('/location/lon')).toBe('/long');
  });
});

describe('OsmAnd / Traccar Client → patrol.position', () => {
  it('maps the flat protocol: Unix seconds, speed in knots, battery in percent', () => {
    const m = mapOsmand({
      id: 'phone-17',
      lat: '39.7101',
      lon: '116.7932',
      timestamp: '1784512800',
      speed: '2',
      bearing: '90',
      altitude: '12',
      accuracy: '8',
      batt: '76',
    });
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(validateEvent(m.report.position).ok).toBe(true);
    expect(m.report.position).toMatchObject({
      kind: 'patrol.position',
      source: 'osmand',
      rangerId: 'phone-17',
      time: new Date(1784512800 * 1000).toISOString(),
      location: { lon: 116.7932, lat: 39.7101 },
      speed: 1.03,
      bearing: 90,
      battery: 76,
    });
  });

  it('maps the Traccar Client JSON form: m/s and battery 0–1', () => {
    const m = mapOsmand({
      device_id: 'phone-17',
      location: {
        timestamp: '2026-07-20T10:00:00Z',
        coords: { latitude: 39.71, longitude: 116.79, speed: 1.4, heading: 180 },
        battery: { level: 0.5 },
      },
    });
    expect(m.ok && m.report.position).toMatchObject({
      rangerId: 'phone-17',
      speed: 1.4,
      bearing: 180,
      battery: 50,
      time: '2026-07-20T10:00:00.000Z',
    });
  });

  it('maps device ids to rangers when a device table is configured, and refuses unknown devices', () => {
    const devices = new Map([['phone-17', { rangerId: 'ranger-yld-03' }]]);
    const known = mapOsmand({ id: 'phone-17', lat: 39.71, lon: 116.79, timestamp: 1784512800 }, { devices });
    expect(known.ok && known.report.position).toMatchObject({ rangerId: 'ranger-yld-03' });
    const unknown = mapOsmand({ id: 'phone-99', lat: 39.71, lon: 116.79, timestamp: 1784512800 }, { devices });
    expect(!unknown.ok && unknown.errors[0]).toMatchObject({
      path: '/id',
      message: expect.stringMatching(/unknown device/),
    });
  });

  it('names each bad field', () => {
    const m = mapOsmand({ id: 'bad id!', lat: 'x', timestamp: 'yesterday-ish' });
    expect(m.ok).toBe(false);
    if (m.ok) return;
    expect(m.errors.map((e) => e.path).sort()).toEqual(['/id', '/lat', '/lon', '/timestamp']);
  });
});

describe('coordinate systems', () => {
  it('moves GCJ-02 about 500 m west and 120 m south in Tongzhou, BD-09 further, WGS84 not at all', () => {
    const [lon, lat] = toWgs84(116.6842, 39.8875, 'gcj02');
    expect((116.6842 - lon) * 85_500).toBeGreaterThan(450);
    expect((116.6842 - lon) * 85_500).toBeLessThan(560);
    expect((39.8875 - lat) * 111_000).toBeGreaterThan(80);
    expect((39.8875 - lat) * 111_000).toBeLessThan(160);
    const [blon] = toWgs84(116.6842, 39.8875, 'bd09');
    expect(116.6842 - blon).toBeGreaterThan(116.6842 - lon);
    expect(toWgs84(116.6842, 39.8875, 'wgs84')).toEqual([116.6842, 39.8875]);
  });
});
