// The admins' notification channel page in real headless Chromium against the real server: an admin follows the
// header's "通知渠道" link, sees each configured channel (a signed webhook at a local receiver, an e-mail relay,
// a webhook whose receiver is down) with its type and scope, presses "发送测试" on the webhook: the receiver gets
// one request whose signature it verifies, and the row says 已送达 and turns healthy; the test of the dead
// channel says why it failed. No URL, secret or password reaches the page. A duty officer at the same address
// gets the dashboard, no link and a 403 from the API. Screenshots at desk (1920×1080) and phone (390×844).
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { Principal } from '../../server/contract/auth';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium } from '../helpers/browser';
import { interiorPoint } from '../../server/geo/interior';
import { principals, sessionHeaders, SONGZHUANG } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { signIn } from '../helpers/browser-session';
import { deadPort, startReceiver, type Received, type Receiver } from '../helpers/receiver';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const TIMEOUT_MS = 90_000;
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

const SECRET = 'whsec-e2e-admin-0123456789abcdef';
const SMTP_PASSWORD = 'smtp-e2e-password-9f8e7d6c';

/** What the receiving system does: recompute the signature over timestamp and body with the shared secret. */
function signedByUs(r: Received): boolean {
  const timestamp = String(r.headers['x-opsmap-timestamp']);
  const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${r.body}`).digest('hex')}`;
  return r.headers['x-opsmap-signature'] === expected && Math.abs(Date.now() - Number(timestamp)) < 5 * 60_000;
}

describe.skipIf(!RUN)(
  RUN ? 'the notification channel page in Chromium' : `the channel page (skipped: ${CHROMIUM_MISSING})`,
  () => {
    let browser: Browser;
    let server: TestServer;
    let receiver: Receiver;
    let down: number;

    beforeAll(async () => {
      browser = await launchChromium();
      receiver = await startReceiver((r) => (signedByUs(r) ? {} : { status: 401, body: 'bad signature' }));
      down = await deadPort();
      const config = {
        channels: [
          {
            id: 'duty-webhook',
            type: 'webhook',
            url: `${receiver.url}/hooks/opsmap`,
            secret: SECRET,
            scope: 'district:110112',
            // Not the SOS below: this receiver counts test messages only.
            rules: ['flood_warning'],
          },
          {
            id: 'zjw-mail',
            type: 'smtp',
            host: '127.0.0.1',
            port: down,
            user: 'opsmap@tongzhou.example',
            password: SMTP_PASSWORD,
            from: '运行一张图 <opsmap@tongzhou.example>',
            to: ['duty@tongzhou.example'],
            scope: 'town:110112105',
            minSeverity: 'warning',
          },
          {
            id: 'sz-webhook',
            type: 'webhook',
            url: `http://127.0.0.1:${down}/in`,
            secret: SECRET,
            scope: SONGZHUANG,
            retries: 0,
          },
        ],
        delivery: { timeoutMs: 2000 },
      };
      server = await startTestServer(
        {},
        { SIMULATOR: 'off', NOTIFY_CONFIG: JSON.stringify(config), PUBLIC_URL: 'https://ops.tongzhou.example' },
      );
      mkdirSync(ARTEFACTS, { recursive: true });
      // A ranger's SOS in 宋庄镇: its channel's receiver is down, so it is dead-lettered, for the page to list.
      const cluster = server.app.services.geo.layers.forest.features.find(
        (f) => `town:${f.properties.townId}` === SONGZHUANG,
      )!;
      const [lon, lat] = interiorPoint(cluster.geometry as never);
      const sos = {
        id: 'ev-e2e-admin-sos',
        kind: 'patrol.incident',
        time: new Date(Date.now() - 10_000).toISOString(),
        source: 'ranger_app',
        rangerId: 'r-e2e-admin',
        incidentId: 'e2e-admin-sos',
        type: 'sos',
        severity: 'high',
        description: '护林员按下求救',
        location: { lon, lat },
      };
      expect((await postEvents(server.app, [sos])).json()).toMatchObject({ accepted: 1 });
      await server.app.services.rules.idle();
      await server.app.services.notifier!.idle();
    }, 300_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await receiver?.close();
    });

    async function open(viewport: { width: number; height: number }, who: Principal = principals.admin) {
      const context: BrowserContext = await browser.newContext({
        viewport,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
        ...(viewport.width < 500 ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
      });
      await context.addInitScript(NAME_SHIM);
      await signIn(context, server.app, server.url, who);
      const bodies: string[] = [];
      context.on('response', (res) => {
        if (res.url().includes('/api/v1/admin/'))
          void res.text().then(
            (t) => bodies.push(t),
            () => undefined,
          );
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      return { context, page, errors, bodies };
    }

    const row = (page: Page, id: string) => page.locator(`.admin-table tr[data-channel="${id}"]`);

    it('an admin opens the page from the header, test-sends the webhook: signed request received, 已送达 shown', async () => {
      const { context, page, errors, bodies } = await open({ width: 1920, height: 1080 });
      await page.goto(server.url, { waitUntil: 'domcontentloaded' });
      const link = page.locator('.app-header [data-admin-link="notify"]');
      await link.waitFor({ timeout: TIMEOUT_MS });
      expect(await link.textContent()).toBe('通知渠道');
      await link.click();
      await page.waitForSelector('.admin[data-load="ready"]', { timeout: TIMEOUT_MS });
      expect(new URL(page.url()).pathname).toBe('/admin/notify');
      expect(await page.locator('.admin h1').textContent()).toBe('通知渠道');

      // Every configured channel, by id, type and scope's name; nothing sent yet.
      expect(
        await page.locator('.admin-table tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.channel)),
      ).toEqual(['duty-webhook', 'zjw-mail', 'sz-webhook']);
      expect(await row(page, 'zjw-mail').locator('.admin-channel-type').textContent()).toBe('邮件（SMTP）');
      expect(await row(page, 'zjw-mail').locator('td').nth(1).textContent()).toBe('张家湾镇');
      expect(await row(page, 'duty-webhook').getAttribute('data-health')).toBe('idle');

      // The test message through the webhook.
      await row(page, 'duty-webhook').locator('button.admin-test').click();
      const result = row(page, 'duty-webhook').locator('[data-test-result]');
      await result.waitFor({ timeout: 10_000 });
      await page.waitForFunction(
        () =>
          document
            .querySelector('tr[data-channel="duty-webhook"] [data-test-result]')
            ?.getAttribute('data-test-result') !== 'sending',
      );
      expect(await result.getAttribute('data-test-result')).toBe('delivered');
      expect(await result.textContent()).toMatch(/^已送达（\d+ 毫秒）$/);
      expect(receiver.requests).toHaveLength(1);
      const r = receiver.requests[0]!;
      expect(r.url).toBe('/hooks/opsmap');
      expect(signedByUs(r)).toBe(true);
      expect(JSON.parse(r.body)).toMatchObject({ test: true, text: { title: '运行一张图：通知渠道测试' } });
      // The list was read again: the channel has a last success now.
      await page.waitForSelector('tr[data-channel="duty-webhook"][data-health="up"]', { timeout: 10_000 });
      expect(await row(page, 'duty-webhook').locator('[data-field="last-delivered"]').textContent()).not.toBe('—');

      // The SOS its receiver never took, in the channel's dead letters.
      const dead = row(page, 'sz-webhook').locator('[data-field="dead-letters"]');
      expect(await dead.locator('summary').textContent()).toBe('1 条');
      await dead.locator('summary').click();
      expect(await dead.locator('li').textContent()).toMatch(
        /^ranger_sos:e2e-admin-sos（新告警）.+：network error ECONNREFUSED$/,
      );

      // A channel whose receiver is down says why.
      await row(page, 'sz-webhook').locator('button.admin-test').click();
      await page.waitForSelector('tr[data-channel="sz-webhook"] [data-test-result="failed"]', { timeout: 10_000 });
      expect(await row(page, 'sz-webhook').locator('[data-test-result]').textContent()).toBe(
        '未送达：network error ECONNREFUSED',
      );
      await page.waitForSelector('tr[data-channel="sz-webhook"][data-health="down"]', { timeout: 10_000 });
      // And the mail relay that is down too.
      await row(page, 'zjw-mail').locator('button.admin-test').click();
      await page.waitForSelector('tr[data-channel="zjw-mail"] [data-test-result="failed"]', { timeout: 10_000 });
      expect(await row(page, 'zjw-mail').locator('[data-test-result]').textContent()).toBe(
        '未送达：network error ECONNREFUSED',
      );
      writeFileSync(
        path.join(ARTEFACTS, 'e2e-notify-admin-desk-1920x1080.png'),
        await page.screenshot({ type: 'png' }),
      );

      // English on the toggle.
      await page.locator('.admin-tools [data-lang]').click();
      await page.waitForFunction(() => document.querySelector('.admin h1')?.textContent === 'Notification channels');
      expect(await row(page, 'duty-webhook').locator('button.admin-test').textContent()).toBe('Send test');

      // Secrets never reach the page.
      const seen = [...bodies, await page.content()].join('\n');
      for (const secret of [SECRET, SMTP_PASSWORD, receiver.url, 'duty@tongzhou.example', String(down)])
        expect(seen).not.toContain(secret);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('on a phone each channel is a card with its test button within the screen', async () => {
      const { context, page, errors } = await open({ width: 390, height: 844 });
      await page.goto(`${server.url}/admin/notify`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.admin[data-load="ready"]', { timeout: TIMEOUT_MS });
      const before = receiver.requests.length;
      await row(page, 'duty-webhook').locator('button.admin-test').tap();
      await page.waitForSelector('tr[data-channel="duty-webhook"] [data-test-result="delivered"]', { timeout: 10_000 });
      expect(receiver.requests).toHaveLength(before + 1);
      // Nothing wider than the phone: no sideways scrolling to reach the button.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      for (const id of ['duty-webhook', 'zjw-mail', 'sz-webhook']) {
        const box = (await row(page, id).locator('button.admin-test').boundingBox())!;
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(390);
        expect(box.height).toBeGreaterThanOrEqual(32);
      }
      writeFileSync(
        path.join(ARTEFACTS, 'e2e-notify-admin-phone-390x844.png'),
        await page.screenshot({ type: 'png', fullPage: true }),
      );
      expect(errors).toEqual([]);
      await context.close();
    });

    it('a duty officer gets no such page: the dashboard at its address, no link, and the API refuses', async () => {
      const { context, page } = await open({ width: 1920, height: 1080 }, principals.districtOfficer);
      await page.goto(`${server.url}/admin/notify`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.app-header .user-name', { timeout: TIMEOUT_MS });
      expect(await page.locator('.admin').count()).toBe(0);
      expect(await page.locator('[data-admin-link]').count()).toBe(0);
      const list = await context.request.get(`${server.url}/api/v1/admin/notify/channels`);
      expect(list.status()).toBe(403);
      // With a valid CSRF token, so that the refusal is the role's and not the token's.
      const before = receiver.requests.length;
      const test = await fetch(`${server.url}/api/v1/admin/notify/channels/duty-webhook/test`, {
        method: 'POST',
        headers: {
          ...(await sessionHeaders(server.app, principals.districtOfficer)),
          'content-type': 'application/json',
        },
        body: '{}',
      });
      expect(test.status).toBe(403);
      expect(((await test.json()) as { code: string }).code).toBe('forbidden');
      expect(receiver.requests).toHaveLength(before);
      await context.close();
    });
  },
);
