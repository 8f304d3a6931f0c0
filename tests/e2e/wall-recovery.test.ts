// The wall (/wall) recovers by itself, in real headless Chromium against the real server, with nobody at it:
// (a) the server restarts on the same port and the same SQLite log: the wall says it is reconnecting, then
// goes live again without a reload (its device cookie and the log survived) and a ticket posted after the
// restart reaches its KPI bar; (b) the machine loses its network: the wall says it is offline, and when the
// network is back it is live again and reloads its alert list, so a severe alert raised while it was away
// takes the screen over. Not one request leaves the origin.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { TownProps } from '../../server/contract/areas';
import type { App } from '../../server/app';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, decodePng, launchChromium } from '../helpers/browser';
import { bearerHeaders, deviceToken, principals } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';
import { ensureClientBuilt } from '../../server/start';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;
const VIEWPORT = { width: 1920, height: 1080 };
/** socket.io-client backs off to 5 s between attempts, the wall's own retry to 15 s: a minute is ample. */
const RECOVER_TIMEOUT_MS = 60_000;

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

/** A wall-sized context that records every request and stops any that would leave the origin. */
async function openWall(browser: Browser, origin: string) {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  await context.addInitScript(NAME_SHIM);
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  await context.route(
    (url) => url.protocol.startsWith('http') && url.origin !== origin,
    (route) => route.abort('blockedbyclient'),
  );
  const foreign = () => requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // Refused websockets and failed fetches while the server or the network is away are expected.
    if (
      m.type() === 'error' &&
      !/WebSocket|ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED|net::ERR|Failed to fetch/.test(m.text())
    )
      errors.push(`console: ${m.text()}`);
  });
  return { context, page, requests, foreign, errors };
}

async function waitWallLive(page: Page): Promise<void> {
  await page.waitForSelector('.wall .map-canvas[data-map-state="ready"]', {
    state: 'attached',
    timeout: LOAD_TIMEOUT_MS,
  });
  await page.waitForSelector('.wall-link[data-link="live"]', { timeout: 30_000 });
  await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
    timeout: 30_000,
  });
}

/** A marker on the page's window: gone if anything reloaded the page. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as { __wallMark?: string }).__wallMark = 'not reloaded';
  });
}
const pageMark = (page: Page) => page.evaluate(() => (window as { __wallMark?: string }).__wallMark ?? null);
const navigations = (page: Page) => page.evaluate(() => performance.getEntriesByType('navigation').length);

const linkOf = (page: Page) => page.locator('.wall-link').getAttribute('data-link');
const openKpi = async (page: Page) =>
  Number((await page.locator('[data-kpi="open"] .kpi-value').innerText()).replace(/[^\d]/g, ''));

async function screenshot(page: Page, name: string): Promise<Buffer> {
  const png = await page.screenshot({ type: 'png' });
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(path.join(ARTEFACTS, name), png);
  return png;
}

async function seatOf(url: string, app: App, town: string): Promise<[number, number]> {
  const towns = (await (
    await fetch(`${url}/api/v1/areas/towns`, { headers: await bearerHeaders(app, principals.wall) })
  ).json()) as { features: { properties: TownProps }[] };
  return towns.features.find((f) => f.properties.name === town)!.properties.seat as [number, number];
}

/** Posts events as the feed device (a Bearer token); returns the seq of the last one. */
async function post(server: TestServer, events: object[]): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await bearerHeaders(server.app, principals.feed)) },
    body: JSON.stringify(events),
  });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  const { results } = JSON.parse(text) as { results: { seq?: number; status?: string }[] };
  const seq = results.at(-1)?.seq;
  expect(seq, text).toBeTypeOf('number');
  return seq!;
}

const ticket = (id: string, seat: [number, number], minutesAgo = 0) => ({
  id: `wall-recovery-${id}`,
  kind: 'ticket.created',
  time: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  source: 'hotline_12345',
  ticketId: `T-WALL-RECOVERY-${id}`,
  category: 'municipal_environment',
  urgency: 'normal',
  channel: 'hotline_12345',
  title: '道路破损',
  location: { lon: seat[0] + 0.003, lat: seat[1] + 0.002 },
});

describe.skipIf(!RUN)(
  RUN ? 'the wall recovering by itself' : `the wall recovering by itself (skipped: ${CHROMIUM_MISSING})`,
  () => {
    let browser: Browser;
    let dir: string;
    const contexts: BrowserContext[] = [];
    const servers: TestServer[] = [];

    beforeAll(async () => {
      // Built now, not inside a restart: the restarted server must be back within the wall's retry window.
      await ensureClientBuilt(() => {});
      browser = await launchChromium();
      dir = mkdtempSync(path.join(tmpdir(), 'opsmap-wall-recovery-'));
    }, 300_000);

    afterAll(async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser?.close();
      for (const s of servers) await s.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });

    it('a server restart: reconnecting while it is away, then live again without a reload; a ticket posted after the restart reaches the KPI bar', async () => {
      // No simulator: every change on the wall is the test's. The device, its cookie's key and the log live in `dir`.
      const env = { STORE: 'sqlite', DATABASE_PATH: path.join(dir, 'restart.sqlite'), SIMULATOR: 'off' };
      let server = await startTestServer({}, env);
      servers.push(server);
      const port = new URL(server.url).port;
      const origin = new URL(server.url).origin;
      const seat = await seatOf(server.url, server.app, '宋庄镇');
      await post(server, [ticket('before-1', seat, 20), ticket('before-2', seat, 10)]);
      const token = await deviceToken(server.app, principals.wall);

      const { context, page, foreign, errors } = await openWall(browser, origin);
      contexts.push(context);
      await page.goto(`${server.url}/wall?device=${encodeURIComponent(token)}&tourSeconds=0`);
      await waitWallLive(page);
      await markPage(page);
      const openBefore = await openKpi(page);
      expect(openBefore).toBeGreaterThanOrEqual(2);
      const seqBefore = Number(await page.locator('.kpi-bar').getAttribute('data-seq'));

      await server.close();
      await page.waitForSelector('.wall-link[data-link="reconnecting"]', { timeout: 30_000 });
      // The connection state says so in words, and how old the data on screen is.
      await expect(page.locator('.wall-link-state').innerText()).resolves.not.toBe('');
      await page.waitForSelector('.wall-link[data-freshness="offline"]', { timeout: 10_000 });

      // Same port, same log: the server rebuilds its state, the wall's device cookie is still good.
      server = await startTestServer({}, { ...env, PORT: port });
      servers.push(server);
      await page.waitForSelector('.wall-link[data-link="live"]', { timeout: RECOVER_TIMEOUT_MS });
      await page.waitForSelector('.wall-link[data-freshness="fresh"]', { timeout: 30_000 });
      await expect(openKpi(page)).resolves.toBe(openBefore);

      // Live, not just connected: a ticket posted now reaches the wall's KPI bar.
      const seq = await post(server, [ticket('after-1', seat)]);
      expect(seq).toBeGreaterThan(seqBefore);
      await page.waitForFunction(
        (s) => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) >= s,
        seq,
        { timeout: 15_000 },
      );
      await page.waitForFunction(
        (n) => Number(document.querySelector('[data-kpi="open"] .kpi-value')?.textContent?.replace(/[^\d]/g, '')) === n,
        openBefore + 1,
        { timeout: 15_000 },
      );

      // Nobody reloaded the page: the same document all along.
      await expect(pageMark(page)).resolves.toBe('not reloaded');
      await expect(navigations(page)).resolves.toBe(1);
      expect(foreign(), foreign().join('\n')).toEqual([]);
      expect(errors, errors.join('\n')).toEqual([]);
      await context.close();
      await server.close();
    }, 300_000);

    it('a network drop: offline while it lasts, then live again with the alert list reloaded; an alert raised meanwhile takes the screen over', async () => {
      const server = await startTestServer(
        {},
        { STORE: 'sqlite', DATABASE_PATH: path.join(dir, 'network.sqlite'), SIMULATOR: 'off' },
      );
      servers.push(server);
      const origin = new URL(server.url).origin;
      const seat = await seatOf(server.url, server.app, '宋庄镇');
      await post(server, [ticket('net-1', seat, 15)]);
      const token = await deviceToken(server.app, principals.wall);

      const { context, page, requests, foreign, errors } = await openWall(browser, origin);
      contexts.push(context);
      await page.goto(`${server.url}/wall?device=${encodeURIComponent(token)}&tourSeconds=0`);
      await waitWallLive(page);
      await markPage(page);
      await expect(page.locator('.wall-takeover').count()).resolves.toBe(0);
      const alertLoads = () => requests.filter((u) => new URL(u).pathname === '/api/v1/alerts').length;
      const loadsBefore = alertLoads();
      expect(loadsBefore).toBeGreaterThanOrEqual(1);

      await context.setOffline(true);
      await page.waitForSelector('.wall-link[data-link="offline"]', { timeout: 5_000 });

      // A ranger reports a fire risk in 宋庄镇 while the wall has no network.
      await post(server, [
        {
          id: 'wall-recovery-fire-1',
          kind: 'patrol.incident',
          time: new Date(Date.now() - 5_000).toISOString(),
          source: 'ranger_app',
          rangerId: 'R-WALL-RECOVERY-1',
          incidentId: 'I-WALL-RECOVERY-FIRE-1',
          type: 'fire_risk',
          severity: 'high',
          description: '林下发现烟点',
          location: { lon: seat[0] + 0.01, lat: seat[1] + 0.005 },
        },
      ]);
      // The server has it as an open severe alert; the wall, without network, cannot know yet.
      const wallHeaders = await bearerHeaders(server.app, principals.wall);
      const openFire = async () => {
        const listed = (await (await fetch(`${server.url}/api/v1/alerts`, { headers: wallHeaders })).json()) as {
          items: { id: string; rule: string; status: string }[];
        };
        return listed.items.find((a) => a.rule === 'fire_risk' && a.status !== 'resolved')?.id ?? null;
      };
      await expect.poll(openFire, { timeout: 10_000 }).not.toBeNull();
      const fire = { id: (await openFire())! };
      await page.waitForTimeout(2_000);
      await expect(page.locator('.wall-takeover').count()).resolves.toBe(0);
      await expect(linkOf(page)).resolves.toBe('offline');

      await context.setOffline(false);
      await page.waitForSelector('.wall-link[data-link="live"]', { timeout: RECOVER_TIMEOUT_MS });
      // The list came again after the reconnect, and the alert it brought holds the screen.
      const banner = page.locator('.wall-takeover');
      await banner.waitFor({ state: 'visible', timeout: 20_000 });
      expect(alertLoads()).toBeGreaterThan(loadsBefore);
      await expect(banner.getAttribute('data-alert')).resolves.toBe(fire!.id);
      await expect(page.locator('.wall').getAttribute('data-takeover')).resolves.toBe(fire!.id);
      await expect(banner.innerText()).resolves.toContain('火险');
      await page.waitForSelector('.wall-link[data-freshness="fresh"]', { timeout: 30_000 });

      await expect(pageMark(page)).resolves.toBe('not reloaded');
      await expect(navigations(page)).resolves.toBe(1);
      const png = await screenshot(page, 'e2e-wall-recovered.png');
      const img = decodePng(png);
      expect([img.width, img.height]).toEqual([VIEWPORT.width, VIEWPORT.height]);
      expect(foreign(), foreign().join('\n')).toEqual([]);
      expect(errors, errors.join('\n')).toEqual([]);
      await context.close();
      await server.close();
    }, 300_000);
  },
);
