// Notifications on the real app: alerts raised through ingest reach local receivers standing for a signed
// webhook, a WeCom group robot, a DingTalk custom robot and an SMS gateway, each checking the request format its
// service documents; routing by area (a town's group hears its town, the district's group the escalation);
// the delivery on the alert's trail; the admin's test message, /readyz and /metrics; secrets never in logs.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { Alert } from '../../server/contract/alerts';
import { interiorPoint } from '../../server/geo/interior';
import { testApp } from '../helpers/app';
import { principals, sessionHeaders, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { startReceiver, until, type Received, type Receiver } from '../helpers/receiver';

const WEBHOOK_SECRET = 'whsec-7d1f0c2b9a8e4f56b3c1d2e3f4a5b6c7';
const WECOM_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';
const DING_TOKEN = 'a5c19f3e02feba7bd5dfc22bfb04afa2';
const DING_SECRET = 'SEC4801ebab0yeuq924909668e5979f7d184b3f4bfac6a63ae36a';
const SMS_SECRET = 'sms-gateway-key-0123456789abcdef';
const PUBLIC_URL = 'https://ops.tongzhou.example';

const NOW = Date.parse('2025-07-20T14:00:00+08:00');
let clock = NOW;
let app: App;
const logs: string[] = [];
let webhook: Receiver;
let wecom: Receiver;
let dingtalk: Receiver;
let sms: Receiver;

/** What a webhook receiver does: recompute the signature with the shared secret, refuse an old timestamp. */
function verifyWebhook(r: Received, secret: string, nowMs = Date.now()): boolean {
  const timestamp = String(r.headers['x-opsmap-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  const fresh = Math.abs(nowMs - Number(timestamp)) < 5 * 60_000;
  return r.headers['x-opsmap-signature'] === expected && fresh;
}

/** What DingTalk does with 加签: timestamp within an hour, sign = base64 HMAC-SHA256(secret, ts + "\n" + secret). */
function verifyDingTalk(r: Received, secret: string): boolean {
  const q = new URL(r.url, 'http://x').searchParams;
  const timestamp = q.get('timestamp') ?? '';
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return q.get('sign') === sign && Math.abs(Date.now() - Number(timestamp)) < 3600_000;
}

function incident(town: string, incidentId: string, type: 'fire_risk' | 'sos', description: string) {
  const cluster = app.services.geo.layers.forest.features.find((f) => `town:${f.properties.townId}` === town)!;
  const [lon, lat] = interiorPoint(cluster.geometry as never);
  return {
    id: `ev-${incidentId}`,
    kind: 'patrol.incident',
    time: new Date(clock - 60_000).toISOString(),
    source: 'ranger_app',
    rangerId: 'r-notify-1',
    incidentId,
    type,
    severity: 'high',
    description,
    location: { lon, lat },
  };
}

async function alertOf(id: string): Promise<Alert> {
  const res = await app.inject({
    method: 'GET',
    url: `/api/v1/alerts/${encodeURIComponent(id)}`,
    headers: await sessionHeaders(app, principals.admin),
  });
  return res.json() as Alert;
}

beforeAll(async () => {
  webhook = await startReceiver((r) => (verifyWebhook(r, WEBHOOK_SECRET) ? {} : { status: 401 }));
  wecom = await startReceiver();
  dingtalk = await startReceiver((r) =>
    verifyDingTalk(r, DING_SECRET) ? {} : { body: '{"errcode":310000,"errmsg":"sign not match"}' },
  );
  sms = await startReceiver((r) => (verifyWebhook(r, SMS_SECRET) ? { body: '{"ok":true}' } : { status: 403 }));
  const config = {
    channels: [
      {
        id: 'duty-webhook',
        type: 'webhook',
        url: `${webhook.url}/hooks/opsmap`,
        secret: WEBHOOK_SECRET,
        scope: 'district:110112',
      },
      {
        id: 'zjw-wecom',
        type: 'wecom',
        url: `${wecom.url}/cgi-bin/webhook/send?key=${WECOM_KEY}`,
        scope: ZHANGJIAWAN,
        minSeverity: 'warning',
      },
      {
        id: 'district-ding',
        type: 'dingtalk',
        url: `${dingtalk.url}/robot/send?access_token=${DING_TOKEN}`,
        secret: 'env:TEST_DING_SECRET',
        scope: 'district:110112',
        level: 'district',
        transitions: ['raised', 'escalated'],
        language: 'en',
      },
      {
        id: 'sz-sms',
        type: 'sms',
        url: `${sms.url}/sms/send`,
        secret: SMS_SECRET,
        scope: SONGZHUANG,
        phones: ['13800001111', '+8613900002222'],
        template: '【通州运行一张图】{severity}：{title}（{area}，{time}）',
        templateId: 'SMS_4823',
        transitions: ['raised'],
      },
    ],
    delivery: { backoffMs: 50, maxBackoffMs: 200, timeoutMs: 2000 },
  };
  app = await testApp(
    {
      NOTIFY_CONFIG: JSON.stringify(config),
      PUBLIC_URL,
      TEST_DING_SECRET: DING_SECRET,
      LOG_LEVEL: 'info',
    },
    { now: () => clock, logStream: { write: (line) => void logs.push(line) } },
  );
});

afterAll(async () => {
  await app?.close();
  await Promise.all([webhook, wecom, dingtalk, sms].map((r) => r?.close()));
});

describe('notifications to each kind of receiver', () => {
  const ZJW_ALERT = 'fire_risk:notify-zjw-1';

  beforeAll(async () => {
    const res = await postEvents(app, [incident(ZHANGJIAWAN, 'notify-zjw-1', 'fire_risk', '林下发现烟点')]);
    expect(res.json()).toMatchObject({ accepted: 1 });
    await app.services.rules.idle();
    await until(() => webhook.requests.length >= 1 && wecom.requests.length >= 1, 10_000, 'webhook and WeCom');
  });

  it('webhook: a JSON body signed with HMAC-SHA256 over timestamp and body, which the receiver verifies', () => {
    const r = webhook.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/hooks/opsmap');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(verifyWebhook(r, WEBHOOK_SECRET)).toBe(true);
    // Signed with another secret, or replayed later, the receiver refuses it.
    expect(verifyWebhook(r, 'another-secret')).toBe(false);
    expect(verifyWebhook(r, WEBHOOK_SECRET, Date.now() + 10 * 60_000)).toBe(false);
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({
      transition: 'raised',
      alert: { id: ZJW_ALERT, rule: 'fire_risk', severity: 'severe', area: expect.any(String), townName: '张家湾镇' },
      link: expect.stringContaining(`${PUBLIC_URL}/?area=`),
    });
    expect(body.link).toContain(`alert=${encodeURIComponent(ZJW_ALERT)}`);
    expect(body.idempotencyKey).toBe(r.headers['idempotency-key']);
    expect(body.text.markdown).toContain('严重');
  });

  it('WeCom group robot: {"msgtype":"markdown","markdown":{"content"}} to its URL with key=, in Chinese by default', () => {
    const r = wecom.requests[0]!;
    expect(r.method).toBe('POST');
    expect(new URL(r.url, 'http://x').searchParams.get('key')).toBe(WECOM_KEY);
    const body = JSON.parse(r.body);
    expect(Object.keys(body).sort()).toEqual(['markdown', 'msgtype']);
    expect(body.msgtype).toBe('markdown');
    expect(Object.keys(body.markdown)).toEqual(['content']);
    const content: string = body.markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toMatch(/^### 【严重】新告警：火险：林下发现烟点/);
    expect(content).toContain('张家湾镇');
    expect(content).toContain('2025-07-20 14:00');
    expect(content).toContain(`](${PUBLIC_URL}/?area=`);
  });

  it('a channel hears its scope only: the 宋庄镇 SMS gateway did not get the 张家湾镇 alert', () => {
    expect(sms.requests).toEqual([]);
  });

  it('the delivery is on the alert trail: which channel, when, delivered', async () => {
    await app.services.notifier!.idle();
    const alert = await alertOf(ZJW_ALERT);
    const notified = alert.actions.filter((a) => a.kind === 'alert.notified');
    expect(notified.map((a) => [a.channel, a.transition, a.result]).sort()).toEqual([
      ['duty-webhook', 'raised', 'delivered'],
      ['zjw-wecom', 'raised', 'delivered'],
    ]);
    expect(notified.every((a) => typeof a.at === 'string')).toBe(true);
  });

  it('DingTalk custom robot: hears the escalation, markdown msgtype, URL signed with timestamp and sign', async () => {
    expect(dingtalk.requests).toEqual([]); // level: district — a town's alert is not the district's yet
    clock += 11 * 60_000; // a severe alert unacknowledged for 10 min escalates to the district
    app.services.rules.tick();
    await app.services.rules.idle();
    await until(() => dingtalk.requests.length >= 1, 10_000, 'DingTalk');
    const r = dingtalk.requests[0]!;
    const q = new URL(r.url, 'http://x').searchParams;
    expect(q.get('access_token')).toBe(DING_TOKEN);
    expect(verifyDingTalk(r, DING_SECRET)).toBe(true);
    const body = JSON.parse(r.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('【Severe】Escalated to the district：火险：林下发现烟点');
    expect(body.markdown.text).toContain('**Area**');
    await app.services.notifier!.idle();
    const alert = await alertOf(ZJW_ALERT);
    expect(alert.actions.some((a) => a.channel === 'district-ding' && a.result === 'delivered')).toBe(true);
    // The escalation went to the webhook too (every transition), but not to WeCom twice for the raise.
    expect(wecom.requests.filter((x) => JSON.parse(x.body).markdown.content.includes('新告警'))).toHaveLength(1);
  });

  it('a whistle and the resolution are told too, each once, in order, and only to the channels that want them', async () => {
    const headers = {
      ...(await sessionHeaders(app, principals.districtOfficer)),
      'content-type': 'application/json',
    };
    const url = `/api/v1/alerts/${encodeURIComponent(ZJW_ALERT)}`;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `${url}/whistle`,
          headers,
          payload: JSON.stringify({ departments: ['fire', 'landscaping'], note: '请消防、园林到场' }),
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `${url}/resolve`,
          headers,
          payload: JSON.stringify({ note: '已扑灭' }),
        })
      ).statusCode,
    ).toBe(200);
    await until(() => webhook.requests.length >= 4, 10_000, 'whistle and resolution at the webhook');
    await app.services.notifier!.idle();
    const told = webhook.requests.map((r) => JSON.parse(r.body) as { transition: string; alert: { id: string } });
    expect(told.filter((b) => b.alert.id === ZJW_ALERT).map((b) => b.transition)).toEqual([
      'raised',
      'escalated',
      'whistled',
      'resolved',
    ]);
    const whistle = told.find((b) => b.transition === 'whistled') as unknown as { departments: string[]; note: string };
    expect(whistle).toMatchObject({ departments: ['fire', 'landscaping'], note: '请消防、园林到场' });
    const wecomWhistle = wecom.requests.map((r) => JSON.parse(r.body).markdown.content as string);
    expect(wecomWhistle.some((c) => c.includes('吹哨报到') && c.includes('消防、园林绿化'))).toBe(true);
    expect(wecomWhistle.some((c) => c.startsWith('### 【严重】已办结'))).toBe(true);
    // The district's DingTalk group hears raises and escalations only.
    expect(dingtalk.requests).toHaveLength(1);
    const alert = await alertOf(ZJW_ALERT);
    expect(alert.status).toBe('resolved');
    expect(
      alert.actions.filter((a) => a.kind === 'alert.notified' && a.channel === 'duty-webhook').map((a) => a.transition),
    ).toEqual(['raised', 'escalated', 'whistled', 'resolved']);
  });

  it('SMS gateway: phones, the template filled in, the template id and its params, signed', async () => {
    await postEvents(app, [incident(SONGZHUANG, 'notify-sz-1', 'fire_risk', '村口秸秆焚烧')]);
    await app.services.rules.idle();
    await until(() => sms.requests.length >= 1, 10_000, 'SMS');
    const r = sms.requests[0]!;
    expect(verifyWebhook(r, SMS_SECRET)).toBe(true);
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({
      phones: ['13800001111', '+8613900002222'],
      templateId: 'SMS_4823',
      params: { title: '火险：村口秸秆焚烧', severity: 'severe', transition: 'raised', area: expect.any(String) },
    });
    expect(body.text).toMatch(
      /^【通州运行一张图】严重：火险：村口秸秆焚烧（宋庄镇 · .+，2025-07-20 14:1\d）$|^【通州运行一张图】严重：火险：村口秸秆焚烧（.+，2025-07-20 14:1\d）$/,
    );
  });
});

describe('admin: channels, test message, readiness, metrics', () => {
  it('lists the channels with their health, never a URL, a key or a secret', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/notify/channels',
      headers: await sessionHeaders(app, principals.admin),
    });
    expect(res.statusCode).toBe(200);
    const { channels } = res.json() as { channels: { id: string; up: boolean; delivered: number }[] };
    expect(channels.map((c) => c.id)).toEqual(['duty-webhook', 'zjw-wecom', 'district-ding', 'sz-sms']);
    expect(channels.find((c) => c.id === 'duty-webhook')).toMatchObject({ up: true, type: 'webhook' });
    for (const secret of [WEBHOOK_SECRET, WECOM_KEY, DING_TOKEN, DING_SECRET, SMS_SECRET, '13800001111', '127.0.0.1'])
      expect(res.body).not.toContain(secret);
  });

  it('sends a test message to one channel on demand and says whether it arrived', async () => {
    const before = wecom.requests.length;
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/notify/channels/zjw-wecom/test',
      headers: { ...(await sessionHeaders(app, principals.admin)), 'content-type': 'application/json' },
      payload: JSON.stringify({ note: '值班测试' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ channel: 'zjw-wecom', ok: true });
    expect(wecom.requests).toHaveLength(before + 1);
    const content: string = JSON.parse(wecom.requests.at(-1)!.body).markdown.content;
    expect(content).toContain('运行一张图：通知渠道测试');
    expect(content).toContain('值班测试');
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/notify/channels/nope/test',
      headers: { ...(await sessionHeaders(app, principals.admin)), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(unknown.statusCode, unknown.body).toBe(404);
  });

  it('reports each channel in /readyz and /metrics', async () => {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({
      status: 'ready',
      notify: { 'duty-webhook': { up: true, queued: 0, failed: 0 }, 'zjw-wecom': { up: true } },
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/opsmap_notify_deliveries_total\{channel="duty-webhook",result="delivered"\} [1-9]/);
    expect(metrics).toMatch(/opsmap_notify_up\{channel="zjw-wecom"\} 1/);
    expect(metrics).toMatch(/opsmap_notify_queued\{channel="sz-sms"\} 0/);
    expect(metrics).toContain('opsmap_notify_request_seconds_bucket');
  });

  it('never writes a URL key, a secret or a phone number into the log', () => {
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [WEBHOOK_SECRET, WECOM_KEY, DING_TOKEN, DING_SECRET, SMS_SECRET, '13800001111'])
      expect(all).not.toContain(secret);
  });
});
