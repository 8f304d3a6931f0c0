// Logging in, in a real browser against the real server: an anonymous visit gets the login page, a wrong
// password says so, the right one opens the dashboard with the user's name, a town leader following a link to
// another town sees "not in your area" and none of that town's data, logout returns to the login page, and
// too many attempts say so. Screenshot of the login page: test-results/e2e-login.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { hashPassword } from '../../server/auth/password';
import type { UserRole } from '../../server/auth/types';
import type { AreaKey } from '../../server/contract/areas';
import { ticket } from '../helpers/app';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium } from '../helpers/browser';
import { postEvents } from '../helpers/callers';
import { pointsInTown } from '../helpers/towns';
import { startTestServer, type TestServer } from '../helpers/server';
import { DISTRICT, SONGZHUANG, ZHANGJIAWAN } from '../helpers/auth';

const SCREENSHOT = path.join(PROJECT_ROOT, 'test-results', 'e2e-login.png');
const VIEWPORT = { width: 1600, height: 900 };
const TIMEOUT_MS = 60_000;
const SONGZHUANG_ID = SONGZHUANG.slice('town:'.length);

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

const officer = {
  username: 'duty-e2e',
  password: 'officer-pass-1',
  name: '区值班员甲',
  role: 'officer' as UserRole,
  scope: DISTRICT as AreaKey,
};
const leader = {
  username: 'leader-zjw-e2e',
  password: 'leader-pass-1',
  name: '张家湾镇领导乙',
  role: 'leader' as UserRole,
  scope: ZHANGJIAWAN as AreaKey,
};

describe.skipIf(!RUN)(RUN ? 'login in Chromium' : `login (skipped: ${CHROMIUM_MISSING})`, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    // A small login limit, so the last test reaches it in a few tries.
    server = await startTestServer({}, { LOGIN_RATE_LIMIT: '8' });
    for (const u of [officer, leader]) {
      await server.app.services.auth.users.putUser({
        username: u.username,
        name: u.name,
        role: u.role,
        scope: u.scope,
        passwordHash: await hashPassword(u.password),
        createdAt: Date.now(),
      });
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(url: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await browser.newContext({
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${server.url}${url}`, { waitUntil: 'load' });
    return { context, page, errors };
  }

  async function logIn(page: Page, username: string, password: string): Promise<void> {
    await page.waitForSelector('[data-page="login"]', { timeout: TIMEOUT_MS });
    await page.fill('input[name="username"]', username);
    await page.fill('input[name="password"]', password);
    await page.press('input[name="password"]', 'Enter');
  }

  it(
    'shows an anonymous visitor the login page in Chinese, and nothing of the dashboard',
    async () => {
      const { context, page, errors } = await open('/');
      await page.waitForSelector('[data-page="login"]', { timeout: TIMEOUT_MS });
      expect(await page.locator('.map-canvas').count()).toBe(0);
      expect(await page.locator('h2').first().innerText()).toBe('登录');
      await expect(page.locator('label', { hasText: '用户名' }).count()).resolves.toBe(1);
      // Keyboard only: the user name field has the focus, Tab reaches the password.
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('username');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('password');
      const png = await page.screenshot({ type: 'png' });
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      writeFileSync(SCREENSHOT, png);
      // The language toggle speaks English on the same page.
      await page.click('.lang-toggle');
      expect(await page.locator('h2').first().innerText()).toBe('Log in');
      expect(errors).toEqual([]);
      await context.close();
    },
    TIMEOUT_MS * 2,
  );

  it(
    'says a wrong password is wrong, then opens the dashboard with the user name; logout returns to the login page',
    async () => {
      const { context, page, errors } = await open('/');
      await logIn(page, officer.username, 'not-the-password');
      const error = await page.waitForSelector('[data-login-error]', { timeout: TIMEOUT_MS });
      expect(await error.innerText()).toBe('用户名或密码错误');
      expect(await page.locator('.map-canvas').count()).toBe(0);

      await logIn(page, officer.username, officer.password);
      await page.waitForSelector('.app-header .user-name', { timeout: TIMEOUT_MS });
      expect(await page.locator('.user-name').innerText()).toBe(officer.name);
      expect(await page.locator('.user-role').innerText()).toContain('值班员');
      expect(await page.locator('.user-role').innerText()).toContain('通州区');
      // The session survives a reload (httpOnly cookie; the page asks the server who it is).
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('.app-header .user-name', { timeout: TIMEOUT_MS });
      // The officer's alert badge opens the inbox.
      await page.focus('.alert-badge');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-panel="alerts"]', { timeout: TIMEOUT_MS });

      // By keyboard: the map's software rendering may keep the page from settling for a mouse click's checks.
      await page.focus('.user-logout');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-page="login"]', { timeout: TIMEOUT_MS });
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('[data-page="login"]', { timeout: TIMEOUT_MS });
      expect(errors).toEqual([]);
      await context.close();
    },
    TIMEOUT_MS * 3,
  );

  it(
    'shows a 张家湾镇 leader "not in your area" for a 宋庄镇 link, with none of 宋庄镇 data, and leads back home',
    async () => {
      const { context, page, errors } = await open(`/?area=${SONGZHUANG}`);
      // Everything the page receives after logging in: HTTP bodies of the API and socket frames.
      const received: string[] = [];
      page.on('websocket', (ws) =>
        ws.on('framereceived', (f) =>
          received.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('utf8')),
        ),
      );
      const asked: string[] = [];
      page.on('request', (r) => {
        if (r.url().includes('/api/')) asked.push(r.url());
      });
      await logIn(page, leader.username, leader.password);
      const notice = await page.waitForSelector('[data-page="not-in-area"]', { timeout: TIMEOUT_MS });
      const text = await notice.innerText();
      expect(text).toContain('不在您的管辖范围');
      expect(text).toContain('宋庄镇');
      expect(await page.locator('.map-canvas').count()).toBe(0);
      expect(await page.locator('.kpi-bar').count()).toBe(0);
      // The socket follows the leader's own town. Once it is live, a ticket in 宋庄镇 and then one in 张家湾镇: the
      // leader's socket gets the second, and with it anything of the first that would leak.
      await page.waitForFunction(() => document.querySelector('[data-connection="live"]') !== null, undefined, {
        timeout: TIMEOUT_MS,
      });
      const geo = server.app.services.geo;
      for (const [id, town] of [
        ['e2e-leak-sz', SONGZHUANG],
        ['e2e-leak-zjw', ZHANGJIAWAN],
      ] as const) {
        const res = await postEvents(server.app, [ticket(id, { location: pointsInTown(geo, town, 1)[0] })]);
        expect(res.json<{ accepted: number }>().accepted, res.body).toBe(1);
      }
      await expect.poll(() => received.some((f) => f.includes('T-e2e-leak-zjw')), { timeout: 30_000 }).toBe(true);
      expect(received.some((f) => f.includes('state:snapshot'))).toBe(true);
      expect(received.filter((f) => f.includes(SONGZHUANG_ID) || f.includes('T-e2e-leak-sz'))).toEqual([]);
      expect(asked.filter((u) => decodeURIComponent(u).includes(SONGZHUANG_ID))).toEqual([]);

      await page.click('[data-page="not-in-area"] button');
      await page.waitForSelector(`.app[data-area="${ZHANGJIAWAN}"]`, { timeout: TIMEOUT_MS });
      expect(await page.locator('[data-page="not-in-area"]').count()).toBe(0);
      expect(await page.locator('.user-name').innerText()).toBe(leader.name);
      expect(errors).toEqual([]);
      await context.close();
    },
    TIMEOUT_MS * 3,
  );

  it(
    'says so when there were too many attempts',
    async () => {
      const { context, page } = await open('/');
      let message = '';
      for (let i = 0; i < 12 && !message.includes('尝试次数过多'); i++) {
        await logIn(page, officer.username, `wrong-${i}`);
        const error = await page.waitForSelector('[data-login-error]', { timeout: TIMEOUT_MS });
        await page.waitForFunction(
          () => !(document.querySelector('.login-submit') as HTMLButtonElement | null)?.textContent?.includes('…'),
        );
        message = await error.innerText();
      }
      expect(message).toBe('尝试次数过多，请稍后再试');
      await context.close();
    },
    TIMEOUT_MS * 3,
  );
});
