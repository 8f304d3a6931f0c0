// E-mail on the real app: an alert raised through ingest arrives at a local mail server (smtp-server, in-process)
// with the login, the severity in the subject, the recipients, Chinese text and HTML bodies and the link back;
// the delivery is on the alert's trail under one Message-ID. Faults like the other channels': a relay down at
// first and then up gets the message once; a refused login is dead-lettered at once, its reason on the trail,
// in the admin list and in /metrics; the admin's test message arrives; the password is never in a log or an
// answer.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { Alert } from '../../server/contract/alerts';
import { interiorPoint } from '../../server/geo/interior';
import { testApp } from '../helpers/app';
import { principals, sessionHeaders, ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { startMailReceiver, type MailReceiver } from '../helpers/mail-receiver';
import { buildMail } from '../../server/notify/mail';
import { sendMail } from '../../server/notify/smtp';
import { until } from '../helpers/receiver';

const PASSWORD = 'smtp-pass-5d0c1e7a9b3f4a2e';
const WRONG_PASSWORD = 'smtp-wrong-8e2f4c6a0b1d3e5f';
const PUBLIC_URL = 'https://ops.tongzhou.example';
const ALERT = 'fire_risk:mail-zjw-1';

let app: App;
const logs: string[] = [];
let relay: MailReceiver;
let late: MailReceiver;
let strict: MailReceiver;

function fire(incidentId: string) {
  const cluster = app.services.geo.layers.forest.features.find((f) => `town:${f.properties.townId}` === ZHANGJIAWAN)!;
  const [lon, lat] = interiorPoint(cluster.geometry as never);
  return {
    id: `ev-${incidentId}`,
    kind: 'patrol.incident',
    time: new Date(Date.now() - 30_000).toISOString(),
    source: 'ranger_app',
    rangerId: 'r-mail-1',
    incidentId,
    type: 'fire_risk',
    severity: 'high',
    description: '林下发现烟点',
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

const trail = (a: Alert, channel: string) =>
  a.actions.filter((x) => x.kind === 'alert.notified' && x.channel === channel);

const ofAlert = (r: MailReceiver) => r.mails.filter((m) => m.headers['x-opsmap-alert'] === ALERT);

beforeAll(async () => {
  relay = await startMailReceiver({ user: 'opsmap@tongzhou.example', password: PASSWORD });
  // Down when the alert comes: its port is known, nobody listens until the test starts it.
  late = await startMailReceiver(undefined);
  await late.stop();
  strict = await startMailReceiver({ user: 'opsmap@tongzhou.example', password: PASSWORD });
  const mail = (id: string, port: number, extra: object = {}) => ({
    id,
    type: 'smtp',
    scope: 'district:110112',
    host: '127.0.0.1',
    port,
    from: '运行一张图 <opsmap@tongzhou.example>',
    to: ['duty@tongzhou.example', 'chief@tongzhou.example'],
    ...extra,
  });
  const config = {
    channels: [
      mail('duty-mail', relay.port, { user: 'opsmap@tongzhou.example', password: 'env:TEST_SMTP_PASSWORD' }),
      mail('late-mail', late.port, { retries: 20 }),
      mail('strict-mail', strict.port, { user: 'opsmap@tongzhou.example', password: WRONG_PASSWORD }),
    ],
    delivery: { backoffMs: 150, maxBackoffMs: 300, timeoutMs: 3000 },
  };
  app = await testApp(
    { NOTIFY_CONFIG: JSON.stringify(config), PUBLIC_URL, TEST_SMTP_PASSWORD: PASSWORD, LOG_LEVEL: 'info' },
    { logStream: { write: (line) => void logs.push(line) } },
  );
  expect((await postEvents(app, [fire('mail-zjw-1')])).json()).toMatchObject({ accepted: 1 });
});

afterAll(async () => {
  await app?.close();
  await Promise.all([relay, late, strict].map((r) => r?.stop()));
});

describe('e-mail over SMTP', () => {
  it('arrives at the mail server with the login, the severity in the subject, the recipients and the bodies', async () => {
    await until(() => ofAlert(relay).length >= 1, 10_000, 'the mail at the relay');
    const m = ofAlert(relay)[0]!;
    expect(m.user).toBe('opsmap@tongzhou.example');
    expect(m.envelopeFrom).toBe('opsmap@tongzhou.example');
    expect(m.envelopeTo).toEqual(['duty@tongzhou.example', 'chief@tongzhou.example']);
    expect(m.headers.to).toBe('duty@tongzhou.example, chief@tongzhou.example');
    expect(m.headers.from).toBe('运行一张图 <opsmap@tongzhou.example>');
    expect(m.subject).toBe('【严重】新告警：火险：林下发现烟点');
    expect(m.text).toMatch(/^【严重】新告警：火险：林下发现烟点\n\n级别：严重（街乡级）\n规则：火险\n区域：张家湾镇/);
    const link = `${PUBLIC_URL}/?area=`;
    expect(m.text).toContain(`查看告警：${link}`);
    expect(m.text).toContain(`alert=${encodeURIComponent(ALERT)}`);
    expect(m.html).toContain(
      '<th style="padding:4px 12px 4px 0;vertical-align:top;text-align:left;white-space:nowrap">区域</th>',
    );
    expect(m.html).toContain(`<a href="${link}`);
  });

  it('is on the alert trail, delivered once, under the Message-ID and key the mail carries', async () => {
    // Not idle(): the channel whose relay is down is still retrying, for the next test.
    await waitFor(async () => trail(await alertOf(ALERT), 'duty-mail').length >= 1);
    expect(trail(await alertOf(ALERT), 'duty-mail')).toEqual([
      expect.objectContaining({ result: 'delivered', transition: 'raised' }),
    ]);
    const stored = (await app.services.store.read(0, 10_000)).map((s) => s.event);
    const step = stored.find(
      (e) =>
        e.kind === 'alert.notified' && e.channel === 'duty-mail' && e.alertId === ALERT && e.result === 'delivered',
    ) as { key: string } | undefined;
    const m = ofAlert(relay)[0]!;
    expect(m.headers['idempotency-key']).toBe(step!.key);
    expect(m.headers['message-id']).toMatch(/^<opsmap\.[0-9a-f]{32}@tongzhou\.example>$/);
    await new Promise((r) => setTimeout(r, 300));
    expect(ofAlert(relay)).toHaveLength(1);
  });

  it('a relay down at first, then up: retried until it takes the message, which arrives once', async () => {
    await until(
      () => app.services.notifier!.health().find((h) => h.id === 'late-mail')!.lastFailure !== undefined,
      10_000,
      'a failed attempt at the relay that is down',
    );
    const down = app.services.notifier!.health().find((h) => h.id === 'late-mail')!;
    expect(down).toMatchObject({ up: false, lastFailure: 'network error ECONNREFUSED', queued: 1 });
    await late.start();
    await until(() => ofAlert(late).length >= 1, 10_000, 'the mail once the relay is up');
    await app.services.notifier!.idle();
    await new Promise((r) => setTimeout(r, 500));
    expect(ofAlert(late)).toHaveLength(1);
    expect(ofAlert(late)[0]!.subject).toBe('【严重】新告警：火险：林下发现烟点');
    expect(trail(await alertOf(ALERT), 'late-mail')).toEqual([expect.objectContaining({ result: 'delivered' })]);
    expect(app.services.notifier!.health().find((h) => h.id === 'late-mail')).toMatchObject({ up: true, queued: 0 });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/opsmap_notify_deliveries_total\{channel="late-mail",result="retry"\} [1-9]/);
    expect(metrics).toMatch(/opsmap_notify_deliveries_total\{channel="late-mail",result="delivered"\} 1\b/);
  });

  it('a refused login is dead-lettered at once (no retry), with the reason on the trail, the admin list and /metrics', async () => {
    await app.services.notifier!.idle();
    expect(trail(await alertOf(ALERT), 'strict-mail')).toEqual([
      expect.objectContaining({ result: 'failed', note: 'SMTP 535 (login refused): Invalid username or password' }),
    ]);
    expect(strict.refusedLogins).toBe(1);
    expect(strict.mails).toEqual([]);
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/notify/channels',
      headers: await sessionHeaders(app, principals.admin),
    });
    const strictView = (list.json().channels as { id: string; up: boolean; deadLetters: { reason: string }[] }[]).find(
      (c) => c.id === 'strict-mail',
    )!;
    expect(strictView).toMatchObject({ up: false, type: 'smtp' });
    expect(strictView.deadLetters[0]!.reason).toMatch(/^SMTP 535/);
    const ready = (await app.inject({ method: 'GET', url: '/readyz' })).json();
    expect(ready.notify['strict-mail']).toEqual({ up: false, queued: 0, failed: 1 });
    expect(ready.notify['duty-mail']).toMatchObject({ up: true, failed: 0 });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/opsmap_notify_deliveries_total\{channel="strict-mail",result="failed"\} 1\b/);
    expect(metrics).not.toMatch(/opsmap_notify_deliveries_total\{channel="strict-mail",result="retry"\}/);
  });

  it('the admin’s test message arrives, and the answer says so', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/notify/channels/duty-mail/test',
      headers: { ...(await sessionHeaders(app, principals.admin)), 'content-type': 'application/json' },
      payload: JSON.stringify({ note: '值班邮箱测试' }),
    });
    expect(res.json()).toMatchObject({ channel: 'duty-mail', ok: true });
    const m = relay.mails.at(-1)!;
    expect(m.subject).toBe('运行一张图：通知渠道测试');
    expect(m.text).toContain('测试消息：值班邮箱测试');
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/admin/notify/channels/strict-mail/test',
      headers: { ...(await sessionHeaders(app, principals.admin)), 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(refused.json()).toMatchObject({ ok: false, reason: expect.stringMatching(/^SMTP 535 \(login refused\)/) });
  });

  it('never writes the password into the log or an admin answer', async () => {
    const list = await app.inject({
      method: 'GET',
      url: '/api/v1/admin/notify/channels',
      headers: await sessionHeaders(app, principals.admin),
    });
    const all = logs.join('\n');
    expect(all).toContain('strict-mail'); // the dead letter was logged, by channel
    for (const secret of [PASSWORD, WRONG_PASSWORD]) {
      expect(all).not.toContain(secret);
      expect(list.body).not.toContain(secret);
    }
    expect(list.body).not.toContain('duty@tongzhou.example');
  });
});

async function waitFor(ok: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** This machine's address on a network (not loopback), if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe.skipIf(lanAddress === undefined)('a password over a network', () => {
  it('is never sent to a server that offers no STARTTLS: the mail is refused before the login', async () => {
    const open = await startMailReceiver({ user: 'opsmap@tongzhou.example', password: PASSWORD }, 0, '0.0.0.0');
    try {
      const smtp = {
        host: lanAddress!,
        port: open.port,
        secure: false,
        user: 'opsmap@tongzhou.example',
        password: PASSWORD,
        from: 'opsmap@tongzhou.example',
        to: ['duty@tongzhou.example'],
      };
      const notice = {
        key: 'k-tls',
        alertId: 'test',
        transition: 'raised' as const,
        rule: 'fire_risk' as const,
        severity: 'severe' as const,
        level: 'town' as const,
        title: '火险',
        area: ZHANGJIAWAN,
        areaName: '张家湾镇',
        at: new Date().toISOString(),
        raisedAt: new Date().toISOString(),
        facts: {},
      };
      const verdict = await sendMail(smtp, buildMail(smtp, notice, 'zh'), 3000, new AbortController().signal);
      expect(verdict).toEqual({ ok: false, reason: 'TLS refused by the mail server', retry: false });
      expect(open.refusedLogins).toBe(0);
      expect(open.mails).toEqual([]);
      // The same server on loopback (a local relay) takes the login in the clear.
      const local = await sendMail(
        { ...smtp, host: '127.0.0.1' },
        buildMail(smtp, notice, 'zh'),
        3000,
        new AbortController().signal,
      );
      expect(local).toEqual({ ok: true });
    } finally {
      await open.stop();
    }
  });
});
