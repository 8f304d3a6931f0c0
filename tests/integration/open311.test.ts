// Open311 GeoReport v2 at /api/v1/open311/, spoken as its clients speak it. The fixtures are the spec's own examples
// (wiki.open311.org/GeoReport_v2: "GET Service List", "GET Service Definition", "POST Service Request", "GET Service
// Requests", "Errors") and the request FixMyStreet's Open311 client makes (mysociety/fixmystreet
// perl-lib/Open311.pm: _populate_service_request_params, _request, send_service_request, get_service_requests),
// each named where it is used. Their coordinates are San Francisco's; where a request must land, they are moved
// into the district and nothing else is changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { Principal } from '../../server/contract/auth';
import { testApp } from '../helpers/app';
import { bearerHeaders, deviceToken, principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { asAdmin, postEvents } from '../helpers/callers';
import { pointsInTown, townLocator } from '../helpers/towns';

const BASE = '/api/v1/open311';
/** A point in 玉桥街道 (the helpers' ticket). */
const YUQIAO = { lat: 39.8875, long: 116.6842 };

/** Parses XML as FixMyStreet's XML::Simple does with ForceArray for the repeated elements. */
const parser = new XMLParser({
  isArray: (name) => ['service', 'request', 'error', 'attribute', 'value', 'endpoint', 'format'].includes(name),
  parseTagValue: false,
});
const parseXml = (body: string) => parser.parse(body) as Record<string, Record<string, unknown>>;

// ---- the spec's examples ----

// GeoReport v2, "GET Service List", sample JSON response (first item; the spec writes service_code as 001,
// which is not JSON: a leading zero is refused by every parser, so it is quoted here).
const SPEC_SERVICE_JSON = {
  service_code: '001',
  service_name: 'Cans left out 24x7',
  description:
    'Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.',
  metadata: true,
  type: 'realtime',
  keywords: 'lorem, ipsum, dolor',
  group: 'sanitation',
};
// GeoReport v2, "GET Service List", sample XML response (first item).
const SPEC_SERVICES_XML = `<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>001</service_code>
    <service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>sanitation</group>
  </service>
</services>`;
// GeoReport v2, "GET Service Definition", sample XML response (service DMV66).
const SPEC_DEFINITION_XML = `<?xml version="1.0" encoding="utf-8"?>
<service_definition>
  <service_code>DMV66</service_code>
  <attributes>
    <attribute>
      <variable>true</variable>
      <code>WHISHETN</code>
      <datatype>singlevaluelist</datatype>
      <required>true</required>
      <datatype_description></datatype_description>
      <order>1</order>
      <description>What is the ticket/tag/DL number?</description>
      <values>
        <value>
          <key>123</key>
          <name>Ford</name>
        </value>
        <value>
          <key>124</key>
          <name>Chrysler</name>
        </value>
      </values>
    </attribute>
  </attributes>
</service_definition>`;
// GeoReport v2, "POST Service Request", sample XML response.
const SPEC_CREATED_XML = `<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>293944</service_request_id>
    <service_notice>The City will inspect and require the responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public Works Code</service_notice>
    <account_id/>
  </request>
</service_requests>`;
// GeoReport v2, "Errors", sample XML response.
const SPEC_ERRORS_XML = `<?xml version="1.0" encoding="utf-8"?>
<errors>
  <error>
    <code>403</code>
    <description>Invalid api_key received -- can't proceed with create_request.</description>
  </error>
</errors>`;
// GeoReport v2, "GET Service Requests", sample JSON response, as it is except service_code 006 (not JSON: quoted).
const SPEC_REQUESTS_JSON = [
  {
    service_request_id: 638344,
    status: 'closed',
    status_notes: 'Duplicate request.',
    service_name: 'Sidewalk and Curb Issues',
    service_code: '006',
    description: null,
    agency_responsible: null,
    service_notice: null,
    requested_datetime: '2010-04-14T06:37:38-08:00',
    updated_datetime: '2010-04-14T06:37:38-08:00',
    expected_datetime: '2010-04-15T06:37:38-08:00',
    address: '8TH AVE and JUDAH ST',
    address_id: 545483,
    zipcode: 94122,
    lat: 37.762221815,
    long: -122.4651145,
    media_url: 'http://city.gov.s3.amazonaws.com/requests/media/638344.jpg ',
  },
  {
    service_request_id: 638349,
    status: 'open',
    status_notes: null,
    service_name: 'Sidewalk and Curb Issues',
    service_code: '006',
    description: null,
    agency_responsible: null,
    service_notice: null,
    requested_datetime: '2010-04-19T06:37:38-08:00',
    updated_datetime: '2010-04-19T06:37:38-08:00',
    expected_datetime: '2010-04-19T06:37:38-08:00',
    address: '8TH AVE and JUDAH ST',
    address_id: 545483,
    zipcode: 94122,
    lat: 37.762221815,
    long: -122.4651145,
    media_url: 'http://city.gov.s3.amazonaws.com/requests/media/638349.jpg',
  },
];

/**
 * GeoReport v2, "POST Service Request", the sample request's fields (a form: api_key, jurisdiction_id,
 * service_code, lat, long, address_string, email, device_id, account_id, first_name, last_name, phone,
 * description, media_url, attribute[…]); lat / long moved into 玉桥街道, the service code one of ours.
 */
const specPostForm = (key: string, code = 'road') =>
  new URLSearchParams({
    api_key: key,
    jurisdiction_id: 'city.gov',
    service_code: code,
    lat: String(YUQIAO.lat),
    long: String(YUQIAO.long),
    address_string: '1234 5th street',
    email: 'smit222@sfgov.edu',
    device_id: 'tt222111',
    account_id: '123456',
    first_name: 'john',
    last_name: 'smith',
    phone: '111111111',
    description: 'A large sinkhole is destroying the street',
    media_url: 'http://tinyurl.com/sfgeo311',
    'attribute[WHISETN]': '123',
  }).toString();

/**
 * FixMyStreet's Open311 client (perl-lib/Open311.pm, _populate_service_request_params and _request): POSTs to
 * requests.xml a form of description (extended: "title: …\n\ndetail: …\n\nurl: …\n\nSubmitted via FixMyStreet\n"),
 * service_code, first_name, last_name, phone, email, lat / long (truncated), media_url (one per photo with
 * multi_photos), deviceid, attribute[name] per extra field, jurisdiction_id and api_key; it reads
 * <service_requests><request><service_request_id> from the answer.
 */
function fixMyStreetForm(key: string, over: Record<string, string | undefined> = {}) {
  const fields: [string, string][] = [
    [
      'description',
      'title: 楼道里电动车飞线充电\n\ndetail: 3号楼2单元楼道里每天晚上有人拉线给电动车充电\n\nurl: https://fms.example/report/17\n\nSubmitted via FixMyStreet\n',
    ],
    ['service_code', 'e_bike'],
    ['first_name', '王'],
    ['last_name', '小明'],
    ['phone', '13800000000'],
    ['email', 'wxm@example.com'],
    ['lat', '39.88750'],
    ['long', '116.68420'],
    ['media_url', 'https://fms.example/photo/17.0.full.jpeg'],
    ['media_url', 'https://fms.example/photo/17.1.full.jpeg'],
    ['deviceid', 'fms-app'],
    ['attribute[fixmystreet_id]', '17'],
    ['attribute[title]', '楼道里电动车飞线充电'],
    ['attribute[report_url]', 'https://fms.example/report/17'],
    ['attribute[ebike_hazard]', 'flying_wire'],
    ['jurisdiction_id', 'tongzhou'],
    ['api_key', key],
  ];
  const form = new URLSearchParams();
  for (const [k, v] of fields) if (!(k in over)) form.append(k, v);
  for (const [k, v] of Object.entries(over)) if (v !== undefined) form.append(k, v);
  return form.toString();
}

// ---- the app ----

let app: App;
const lines: string[] = [];
let feedKey: string;
let wallKey: string;
const townFeed: Principal = {
  kind: 'device',
  id: 'feed-0000002a',
  name: '张家湾镇网格',
  role: 'feed',
  scope: ZHANGJIAWAN,
};
const otherFeed: Principal = {
  kind: 'device',
  id: 'feed-0000002b',
  name: '另一个数据源',
  role: 'feed',
  scope: principals.feed.scope,
};
let townFeedKey: string;

beforeAll(async () => {
  app = await testApp({ LOG_LEVEL: 'trace' }, { logStream: { write: (l) => void lines.push(l) } });
  feedKey = await deviceToken(app, principals.feed);
  wallKey = await deviceToken(app, principals.wall);
  townFeedKey = await deviceToken(app, townFeed);
});
afterAll(async () => {
  await app?.close();
});

const form = (url: string, payload: string, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload,
  });

/** Element names of a parsed XML object, recursively, for comparing shapes (not values). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([k]) => k !== '?xml')
        .map(([k, x]) => [k, shape(x)]),
    );
  return 'text';
}

async function adminGet(url: string) {
  return app.inject({ url, headers: await asAdmin(app) });
}

describe('services and discovery', () => {
  it('lists our categories as services with the fields of the spec example, in JSON and in XML', async () => {
    const json = await app.inject(`${BASE}/services.json`);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const services = json.json() as Record<string, unknown>[];
    expect(services.length).toBeGreaterThan(10);
    for (const s of services) expect(Object.keys(s).sort()).toEqual(Object.keys(SPEC_SERVICE_JSON).sort());
    expect(services.find((s) => s.service_code === 'e_bike')).toMatchObject({
      service_name: '电动车',
      type: 'realtime',
      metadata: true,
      group: '安全',
    });
    expect(services.find((s) => s.service_code === 'road')).toMatchObject({ metadata: false });

    const xml = await app.inject(`${BASE}/services.xml`);
    expect(xml.statusCode).toBe(200);
    expect(xml.headers['content-type']).toMatch(/^text\/xml; charset=utf-8/);
    expect(xml.body.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(shape(parseXml(xml.body))).toEqual(shape(parseXml(SPEC_SERVICES_XML)));
    expect(parseXml(xml.body).services!.service).toHaveLength(services.length);
  });

  it('gives a service definition in the spec example shape, an empty attribute list where there is none, 404 for an unknown code', async () => {
    const xml = await app.inject(`${BASE}/services/e_bike.xml`);
    expect(xml.statusCode).toBe(200);
    expect(shape(parseXml(xml.body))).toEqual(shape(parseXml(SPEC_DEFINITION_XML)));
    const json = (await app.inject(`${BASE}/services/e_bike.json`)).json();
    expect(json.attributes[0]).toMatchObject({ code: 'ebike_hazard', datatype: 'singlevaluelist', order: 1 });
    expect((await app.inject(`${BASE}/services/road.json`)).json()).toEqual({ service_code: 'road', attributes: [] });
    expect((await app.inject(`${BASE}/services/road.xml`)).body).toContain('<attributes/>');

    const unknown = await app.inject(`${BASE}/services/DMV66.json`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual([{ code: 404, description: expect.stringContaining("'DMV66'") }]);
    const unknownXml = await app.inject(`${BASE}/services/DMV66.xml`);
    expect(unknownXml.statusCode).toBe(404);
    expect(shape(parseXml(unknownXml.body))).toEqual(shape(parseXml(SPEC_ERRORS_XML)));
  });

  it('publishes a discovery document naming the GeoReport v2 endpoint and its formats', async () => {
    const json = (await app.inject(`${BASE}/discovery.json`)).json();
    expect(json.endpoints).toEqual([
      expect.objectContaining({
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: expect.stringMatching(/\/api\/v1\/open311$/),
        type: 'production',
        formats: ['application/json', 'text/xml'],
      }),
    ]);
    const xml = parseXml((await app.inject(`${BASE}/discovery.xml`)).body);
    expect(xml.discovery!.endpoints).toMatchObject({
      endpoint: [{ formats: { format: ['application/json', 'text/xml'] } }],
    });
  });
});

describe('POST requests', () => {
  it("takes the spec's sample request as a form with api_key, answers its XML, and keeps the address and photo on the ticket", async () => {
    const res = await form(`${BASE}/requests.xml`, specPostForm(feedKey));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    const got = parseXml(res.body);
    expect(shape(got)).toEqual(shape(parseXml(SPEC_CREATED_XML)));
    const created = (got.service_requests!.request as Record<string, string>[])[0]!;
    expect(created.service_request_id).toMatch(/^\d{8}-[0-9a-f]{8}$/);
    expect(created.account_id).toBe('123456');
    expect(created.service_notice).toMatch(/办结时限/);

    const tickets = (await adminGet('/api/v1/tickets?limit=1000')).json().items as Record<string, unknown>[];
    const ticket = tickets.find((t) => t.id === `o311-${created.service_request_id}`);
    expect(ticket).toMatchObject({
      category: 'road',
      title: 'A large sinkhole is destroying the street',
      address: '1234 5th street',
      mediaUrl: 'http://tinyurl.com/sfgeo311',
    });
    // The contact is kept for the follow-up call (the raw log, admins only), never the key.
    const log = JSON.stringify((await adminGet('/api/v1/events?after=0&limit=10000')).json());
    expect(log).toContain('smit222@sfgov.edu');
    expect(log).not.toContain(feedKey.split('.')[1]!);
  });

  it("takes FixMyStreet's request as Open311.pm sends it (several media_url, deviceid, its attributes) and FixMyStreet can read the id", async () => {
    const res = await form(`${BASE}/requests.xml`, fixMyStreetForm(feedKey));
    expect(res.statusCode, res.body).toBe(200);
    // Open311.pm: $obj->{request}->[0]->{service_request_id}, a plain value (not a ref).
    const id = (parseXml(res.body).service_requests!.request as Record<string, unknown>[])[0]!.service_request_id;
    expect(typeof id).toBe('string');
    const ticket = (await adminGet('/api/v1/tickets?limit=1000'))
      .json()
      .items.find((t: { id: string }) => t.id === `o311-${String(id)}`);
    // The title is the first line without FixMyStreet's label; the first photo is the ticket's link.
    expect(ticket).toMatchObject({
      category: 'e_bike',
      title: '楼道里电动车飞线充电',
      mediaUrl: 'https://fms.example/photo/17.0.full.jpeg',
    });
    const read = (await adminGet(`${BASE}/requests/${String(id)}.json`)).json()[0];
    expect(read.description).toContain('Submitted via FixMyStreet');
  });

  it('takes JSON with a Bearer key at requests (no suffix) and requests.json, answering the spec array', async () => {
    const headers = { ...(await bearerHeaders(app, principals.feed)), 'content-type': 'application/json' };
    for (const url of [`${BASE}/requests`, `${BASE}/requests.json`]) {
      const res = await app.inject({
        method: 'POST',
        url,
        headers,
        payload: JSON.stringify({ service_code: 'lighting', ...YUQIAO, description: '路灯不亮', attribute: {} }),
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual([
        { service_request_id: expect.any(String), service_notice: expect.any(String), account_id: null },
      ]);
    }
  });

  it('places a request by its address_string or address_id where the district knows the place, and refuses what it cannot place', async () => {
    const geo = app.services.geo;
    const townAt = townLocator(geo);
    const post = (fields: Record<string, string>) =>
      form(
        `${BASE}/requests.json`,
        new URLSearchParams({ api_key: feedKey, service_code: 'noise', ...fields }).toString(),
      );
    const byAddress = await post({ address_string: '通州区永乐店镇老槐庄村村委会东侧' });
    expect(byAddress.statusCode, byAddress.body).toBe(200);
    const id = byAddress.json()[0].service_request_id as string;
    const read = (await adminGet(`${BASE}/requests/${id}.json`)).json()[0];
    expect(read.address).toBe('通州区永乐店镇老槐庄村村委会东侧');
    expect(townAt(read.long, read.lat)).toBe('town:110112117');
    const village = geo.layers.villages.features.find((f) => f.properties.name === '玉桥南里社区')!;
    const byId = await post({ address_id: village.properties.id });
    expect(byId.statusCode, byId.body).toBe(200);

    // FixMyStreet's not-pinpointed marker, a UK postcode, nothing at all: 400 in the spec's shape, naming the field.
    const notPinpointed = await post({ address_id: '#NOTPINPOINTED#' });
    expect(notPinpointed.statusCode).toBe(400);
    expect(notPinpointed.json()[0]).toMatchObject({ code: 400, description: expect.stringMatching(/^address_id: /) });
    const postcode = await post({ address_string: 'SW1A 1AA' });
    expect(postcode.json()[0].description).toMatch(/^address_string: cannot be placed/);
    const none = await post({});
    expect(none.statusCode).toBe(400);
    expect(none.json()[0].description).toMatch(/^lat, long: a location is required/);
  });

  it('refuses in the spec error shape with the right status, JSON or XML as asked, and stores nothing', async () => {
    const before = (await adminGet('/api/v1/events?after=0&limit=10000')).json().events.length;
    const post = (url: string, fields: Record<string, string>) =>
      form(
        url,
        new URLSearchParams({
          api_key: feedKey,
          service_code: 'road',
          lat: '39.8875',
          long: '116.6842',
          ...fields,
        }).toString(),
      );
    const cases: [string, Record<string, string>, number, RegExp][] = [
      [`${BASE}/requests.json`, { service_code: 'DMV66' }, 400, /^service_code: 'DMV66' is no service of ours/],
      [`${BASE}/requests.json`, { service_code: '' }, 400, /^service_code: is required/],
      [`${BASE}/requests.json`, { lat: '31.2304', long: '121.4737' }, 400, /outside the district/],
      [`${BASE}/requests.json`, { lat: 'north' }, 400, /^lat: must be a number/],
      [`${BASE}/requests.json`, { long: '' }, 400, /^lat: lat and long come together|^long: /],
      [`${BASE}/requests.json`, { media_url: 'javascript:alert(1)' }, 400, /^media_url: must be an http/],
      [`${BASE}/requests.json`, { email: 'not-an-address' }, 400, /^email: /],
      [
        `${BASE}/requests.json`,
        { service_code: 'e_bike', 'attribute[ebike_hazard]': 'fire' },
        400,
        /^attribute\[ebike_hazard\]: must be one of/,
      ],
      [`${BASE}/requests.json`, { api_key: 'feed-0000000b.guessed-secret' }, 401, /^api_key is not a valid key/],
      [`${BASE}/requests.xml`, { api_key: wallKey }, 403, /^a wall may not post/],
    ];
    for (const [url, fields, status, description] of cases) {
      const res = await post(url, fields);
      expect(res.statusCode, `${JSON.stringify(fields)}: ${res.body}`).toBe(status);
      const errors = url.endsWith('.xml')
        ? (parseXml(res.body).errors!.error as { code: string; description: string }[]).map((e) => ({
            code: Number(e.code),
            description: e.description,
          }))
        : (res.json() as { code: number; description: string }[]);
      expect(errors[0]!.code).toBe(status);
      expect(errors[0]!.description).toMatch(description);
    }
    const noKey = await form(`${BASE}/requests.xml`, 'service_code=road&lat=39.8875&long=116.6842');
    expect(noKey.statusCode).toBe(401);
    expect(shape(parseXml(noKey.body))).toEqual(shape(parseXml(SPEC_ERRORS_XML)));
    const wrongType = await app.inject({
      method: 'POST',
      url: `${BASE}/requests.json?api_key=${encodeURIComponent(feedKey)}`,
      headers: { 'content-type': 'text/plain' },
      payload: 'service_code=road',
    });
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json()[0].code).toBe(415);
    expect((await adminGet('/api/v1/events?after=0&limit=10000')).json().events.length).toBe(before);
  });

  it("keeps a town's feed inside its town: a request in another town is refused 403", async () => {
    const [inTown] = pointsInTown(app.services.geo, ZHANGJIAWAN, 1);
    const [elsewhere] = pointsInTown(app.services.geo, SONGZHUANG, 1);
    const post = (p: { lon: number; lat: number }) =>
      form(
        `${BASE}/requests.json`,
        new URLSearchParams({
          api_key: townFeedKey,
          service_code: 'parking',
          lat: String(p.lat),
          long: String(p.lon),
        }).toString(),
      );
    expect((await post(inTown!)).statusCode).toBe(200);
    const refused = await post(elsewhere!);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()[0].description).toMatch(/outside the area this key may report in \(town:110112105\)/);
  });
});

describe('GET requests: a client round trip', () => {
  it('report → list → read by id → closed when the ticket closes', async () => {
    const created = await form(
      `${BASE}/requests.json`,
      new URLSearchParams({
        api_key: feedKey,
        service_code: 'waterlogging',
        ...mapStrings(YUQIAO),
        description: '下穿通道积水',
        'attribute[depth_cm]': '30',
        media_url: 'https://example.org/p/1.jpg',
        address_string: '玉桥南里12号楼',
      }).toString(),
    );
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json()[0].service_request_id as string;

    // The feed that posted it reads it back with its key in the query, as GeoReport clients do.
    const list = await app.inject(
      `${BASE}/requests.json?api_key=${encodeURIComponent(feedKey)}&service_code=waterlogging`,
    );
    expect(list.statusCode, list.body).toBe(200);
    const mine = (list.json() as { service_request_id: string }[]).find((r) => r.service_request_id === id);
    expect(mine).toMatchObject({
      status: 'open',
      service_code: 'waterlogging',
      service_name: '积水',
      description: '下穿通道积水',
      address: '玉桥南里12号楼',
      media_url: 'https://example.org/p/1.jpg',
      lat: YUQIAO.lat,
      long: YUQIAO.long,
      status_notes: null,
      expected_datetime: expect.stringMatching(/\+08:00$/),
    });
    // Every field of the spec's GET Service Requests example is there (address_id and zipcode as null).
    expect(Object.keys(mine!).sort()).toEqual(Object.keys(SPEC_REQUESTS_JSON[0]!).sort());

    const one = await app.inject(`${BASE}/requests/${id}.xml?api_key=${encodeURIComponent(feedKey)}`);
    expect(one.statusCode).toBe(200);
    const xmlRequest = (parseXml(one.body).service_requests!.request as Record<string, string>[])[0]!;
    expect(xmlRequest).toMatchObject({ service_request_id: id, status: 'open', status_notes: '' });

    // The ticket closes the way the system closes tickets: a ticket.closed event on the log.
    const closedAt = new Date().toISOString();
    const closed = await postEvents(app, [
      {
        id: `close-${id}`,
        kind: 'ticket.closed',
        time: closedAt,
        source: 'hotline_12345',
        ticketId: `o311-${id}`,
        resolved: true,
        note: '已抽排，积水消除',
      },
    ]);
    expect(closed.json().accepted).toBe(1);
    const after = (await app.inject(`${BASE}/requests/${id}.json?api_key=${encodeURIComponent(feedKey)}`)).json()[0];
    expect(after).toMatchObject({ status: 'closed', status_notes: '已抽排，积水消除', updated_datetime: closedAt });

    // Filters: status, ids, dates.
    const ask = async (query: string) =>
      (
        (await app.inject(`${BASE}/requests.json?api_key=${encodeURIComponent(feedKey)}&${query}`)).json() as {
          service_request_id: string;
        }[]
      ).map((r) => r.service_request_id);
    expect(await ask('status=closed')).toContain(id);
    expect(await ask('status=open')).not.toContain(id);
    expect(await ask(`service_request_id=${id},nope`)).toEqual([id]);
    // A list of ids overrides every other argument, as the spec says.
    expect(await ask(`service_request_id=${id}&status=open&service_code=road`)).toEqual([id]);
    expect(await ask(`start_date=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await ask(`end_date=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`)).not.toContain(
      id,
    );
    const bad = await app.inject(
      `${BASE}/requests.json?api_key=${encodeURIComponent(feedKey)}&start_date=yesterday&status=pending`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().map((e: { description: string }) => e.description.split(':')[0])).toEqual([
      'start_date',
      'status',
    ]);
  });

  it("is scoped as every read: a town's people see their town's requests, a feed only what it posted", async () => {
    const geo = app.services.geo;
    const [zjw] = pointsInTown(geo, ZHANGJIAWAN, 1);
    const [sz] = pointsInTown(geo, SONGZHUANG, 1);
    const post = async (p: { lon: number; lat: number }) =>
      (
        await form(
          `${BASE}/requests.json`,
          new URLSearchParams({
            api_key: feedKey,
            service_code: 'heating',
            lat: String(p.lat),
            long: String(p.lon),
          }).toString(),
        )
      ).json()[0].service_request_id as string;
    const inZjw = await post(zjw!);
    const inSz = await post(sz!);
    const leader = await sessionHeaders(app, principals.townLeader);
    const leaderList = (await app.inject({ url: `${BASE}/requests.json`, headers: leader })).json() as {
      service_request_id: string;
      lat: number;
      long: number;
    }[];
    expect(leaderList.map((r) => r.service_request_id)).toContain(inZjw);
    expect(leaderList.map((r) => r.service_request_id)).not.toContain(inSz);
    for (const r of leaderList) expect(townLocator(geo)(r.long, r.lat)).toBe(ZHANGJIAWAN);
    expect((await app.inject({ url: `${BASE}/requests/${inSz}.json`, headers: leader })).statusCode).toBe(404);
    expect((await app.inject({ url: `${BASE}/requests/${inZjw}.json`, headers: leader })).statusCode).toBe(200);

    // The district sees both; another feed sees neither; a wall reads in its scope.
    const officer = await sessionHeaders(app, principals.districtOfficer);
    const all = (await app.inject({ url: `${BASE}/requests.json`, headers: officer })).json() as {
      service_request_id: string;
    }[];
    expect(all.map((r) => r.service_request_id)).toEqual(expect.arrayContaining([inZjw, inSz]));
    const other = await bearerHeaders(app, otherFeed);
    expect((await app.inject({ url: `${BASE}/requests.json`, headers: other })).json()).toEqual([]);
    expect((await app.inject({ url: `${BASE}/requests/${inZjw}.json`, headers: other })).statusCode).toBe(404);
    expect((await app.inject(`${BASE}/requests.json?api_key=${encodeURIComponent(wallKey)}`)).statusCode).toBe(200);
    expect((await app.inject(`${BASE}/requests.json`)).statusCode).toBe(401);
  });
});

describe("POST import: a hotline system's list of existing requests", () => {
  const post = async (payload: string, type = 'application/json') =>
    app.inject({
      method: 'POST',
      url: `${BASE}/import`,
      headers: { ...(await bearerHeaders(app, principals.feed)), 'content-type': type },
      payload,
    });
  const moved = SPEC_REQUESTS_JSON.map((r) => ({ ...r, ...YUQIAO }));

  it("reads the spec's own example output as it is: only its San Francisco coordinates are refused", async () => {
    const res = (await post(JSON.stringify(SPEC_REQUESTS_JSON))).json();
    expect(res).toMatchObject({ accepted: 0, rejected: 2 });
    for (const r of res.results)
      expect(r.errors).toEqual([{ path: '/lat,/long', message: expect.stringMatching(/outside the district/) }]);
    expect(res.results.map((r: { service_request_id: unknown }) => r.service_request_id)).toEqual([638344, 638349]);
  });

  it('stores the example inside the district (numeric ids, nulls, address_id, zipcode), and a second send stores nothing new', async () => {
    const first = (await post(JSON.stringify(moved))).json();
    expect(first).toMatchObject({ accepted: 2, rejected: 0 });
    const length = (await adminGet('/api/v1/events?after=0&limit=10000')).json().events.length;
    const again = (await post(JSON.stringify(moved))).json();
    expect(again).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
    expect((await adminGet('/api/v1/events?after=0&limit=10000')).json().events.length).toBe(length);

    const read = (await adminGet(`${BASE}/requests/638344.json`)).json()[0];
    expect(read).toMatchObject({
      service_request_id: '638344',
      status: 'closed',
      status_notes: 'Duplicate request.',
      address: '8TH AVE and JUDAH ST',
      address_id: '545483',
      zipcode: '94122',
      media_url: 'http://city.gov.s3.amazonaws.com/requests/media/638344.jpg',
      requested_datetime: '2010-04-14T06:37:38-08:00',
      expected_datetime: '2010-04-15T06:37:38-08:00',
    });
    expect((await adminGet(`${BASE}/requests/638349.json`)).json()[0].status).toBe('open');
  });

  it('takes NDJSON, names the field of a bad item and keeps the good ones', async () => {
    const good = { ...moved[1]!, service_request_id: 'HL-2', status: 'open' };
    const ndjson = [
      JSON.stringify({ ...good, service_request_id: 'HL-1', lat: 'north' }),
      'not json',
      JSON.stringify(good),
      JSON.stringify({ ...good, service_request_id: 'HL-3', media_url: 'file:///etc/passwd' }),
    ].join('\n');
    const res = (await post(ndjson, 'application/x-ndjson')).json();
    expect(res.results.map((r: { status: string }) => r.status)).toEqual([
      'rejected',
      'rejected',
      'accepted',
      'rejected',
    ]);
    expect(res.results[0].errors[0].path).toBe('/lat');
    expect(res.results[1].errors[0].message).toMatch(/line 2 is not valid JSON/);
    expect(res.results[3].errors[0].path).toBe('/media_url');
  });

  it("keeps a town's feed inside its town", async () => {
    const [elsewhere] = pointsInTown(app.services.geo, SONGZHUANG, 1);
    const res = await app.inject({
      method: 'POST',
      url: `${BASE}/import`,
      headers: { ...(await bearerHeaders(app, townFeed)), 'content-type': 'application/json' },
      payload: JSON.stringify([
        { ...moved[1]!, service_request_id: 'HL-SZ', lat: elsewhere!.lat, long: elsewhere!.lon },
      ]),
    });
    expect(res.json().results[0]).toMatchObject({
      status: 'rejected',
      errors: [{ path: '/lat,/long', message: expect.stringMatching(/outside the area this feed may report in/) }],
    });
  });
});

describe('after a restart', () => {
  it('a request and its closing are read back the same, folded again from the SQLite log', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-open311-'));
    const env = { STORE: 'sqlite', DATABASE_PATH: path.join(dir, 'log.db') };
    try {
      const first = await testApp(env);
      const key = await deviceToken(first, principals.feed);
      const created = await first.inject({
        method: 'POST',
        url: `${BASE}/requests.json`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          api_key: key,
          service_code: 'heating',
          ...mapStrings(YUQIAO),
          description: '暖气不热',
          media_url: 'https://example.org/r.jpg',
        }).toString(),
      });
      const id = created.json()[0].service_request_id as string;
      await postEvents(first, [
        {
          id: `close-${id}`,
          kind: 'ticket.closed',
          time: new Date().toISOString(),
          source: 'hotline_12345',
          ticketId: `o311-${id}`,
          resolved: true,
          note: '已维修',
        },
      ]);
      const before = (await first.inject(`${BASE}/requests/${id}.json?api_key=${encodeURIComponent(key)}`)).json();
      await first.close();

      const second = await testApp(env);
      const after = await second.inject(`${BASE}/requests/${id}.json?api_key=${encodeURIComponent(key)}`);
      expect(after.statusCode, after.body).toBe(200);
      expect(after.json()).toEqual(before);
      expect(before[0]).toMatchObject({
        status: 'closed',
        status_notes: '已维修',
        media_url: 'https://example.org/r.jpg',
      });
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the key', () => {
  it('as api_key (query or form field) is in no log line, answer, stored event or metric', async () => {
    const secret = feedKey.split('.')[1]!;
    const answers = [
      await form(`${BASE}/requests.xml`, specPostForm(feedKey)),
      await form(
        `${BASE}/requests.json?api_key=${encodeURIComponent(feedKey)}`,
        'service_code=road&lat=39.8875&long=116.6842',
      ),
      await form(
        `${BASE}/requests.json`,
        `api_key=${encodeURIComponent(feedKey)}&service_code=road&lat=31.2&long=121.4`,
      ),
      await form(`${BASE}/requests.json`, `api_key=feed-0000000b.guessed-secret&service_code=road`),
      await app.inject(`${BASE}/requests.json?api_key=${encodeURIComponent(feedKey)}`),
      await app.inject(`${BASE}/requests/nope.xml?api_key=${encodeURIComponent(feedKey)}`),
      await app.inject(`${BASE}/no-such-route?api_key=${encodeURIComponent(feedKey)}`),
      await app.inject('/metrics'),
    ];
    for (const res of answers) {
      expect(res.body).not.toContain(secret);
      expect(res.body).not.toContain('guessed-secret');
    }
    expect(lines.filter((l) => l.includes(secret) || l.includes('guessed-secret'))).toEqual([]);
    expect(lines.some((l) => l.includes('api_key=[Redacted]'))).toBe(true);
    expect(JSON.stringify((await adminGet('/api/v1/events?after=0&limit=10000')).json())).not.toContain(secret);
  });
});

function mapStrings(o: Record<string, number>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
}
