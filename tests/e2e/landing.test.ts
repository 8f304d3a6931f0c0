// The leader's landing in real headless Chromium against the real server with the simulator: a 张家湾镇 leader
// (session cookie issued by the server's own auth service) opens the page and lands on their town, with its
// KPIs against the district, its villages ranked and no 宋庄镇 anywhere; English on the toggle; a click on a
// village opens the map on that village's grid cell. Not one request leaves the origin.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { SESSION_COOKIE } from '../../server/contract/auth';
import type { Landing } from '../../server/contract/landing';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium } from '../helpers/browser';
import { principals, sessionHeaders } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

describe.skipIf(!RUN)(
  RUN ? 'the leader landing in Chromium' : `the leader landing (skipped: ${CHROMIUM_MISSING})`,
  () => {
    let browser: Browser;
    let server: TestServer;

    beforeAll(async () => {
      browser = await launchChromium();
      // The simulator's backfill gives the town a few hours of tickets: ranked villages, rates, maybe overdue.
      server = await startTestServer({}, { SIMULATOR: 'on', SIM_BACKFILL_HOURS: '6', SIM_SEED: '7' });
    }, 240_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it("shows a 张家湾镇 leader their town's landing and nothing of 宋庄镇", async () => {
      const origin = server.url;
      const { cookie } = await sessionHeaders(server.app, principals.townLeader);
      const value = cookie.slice(`${SESSION_COOKIE}=`.length);
      const context = await browser.newContext({
        viewport: { width: 1920, height: 1080 },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      await context.addInitScript(NAME_SHIM);
      await context.addCookies([{ name: SESSION_COOKIE, value, url: origin, httpOnly: true, sameSite: 'Strict' }]);
      const requests: string[] = [];
      context.on('request', (r) => requests.push(r.url()));
      await context.route(
        (url) => url.protocol.startsWith('http') && url.origin !== origin,
        (route) => route.abort('blockedbyclient'),
      );
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));

      // Wait until the backfill has put tickets into the town, so the page has something to rank.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const agg = server.app.services.live.aggregate('town:110112105');
        if ((agg && agg.tickets.open + agg.tickets.closedToday > 0) || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 500));
      }

      await page.goto(origin, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.landing[data-landing="ready"]', { timeout: LOAD_TIMEOUT_MS });
      await expect.poll(() => page.locator('.landing h1').textContent()).toContain('张家湾镇');
      // Ten KPI cards, each with the district average beside it and a standing.
      await expect.poll(() => page.locator('.landing-kpi').count()).toBe(10);
      expect(await page.locator('.landing-kpi-district').first().textContent()).toContain('全区平均');
      // 未诉先办: the month's share with the tickets it rests on, as the API has it.
      const api = (await (await context.request.get(`${origin}/api/v1/landing`)).json()) as Landing;
      const proactive = page.locator('.landing-kpi[data-kpi="proactiveShare"]');
      expect(await proactive.locator('.landing-kpi-label').textContent()).toBe('未诉先办');
      expect(await proactive.locator('.landing-kpi-sample').getAttribute('data-sample')).toBe(String(api.kpis.created));
      if (api.kpis.proactiveShare !== null)
        expect(await proactive.locator('.landing-kpi-value').textContent()).toBe(
          `${(api.kpis.proactiveShare * 100).toFixed(1)}%`,
        );
      // 督办: open supervised tickets now on the card, those supervised in the window beneath, as the API has them.
      const supervised = page.locator('.landing-kpi[data-kpi="supervisedOpen"]');
      expect(await supervised.locator('.landing-kpi-label').textContent()).toContain('督办');
      if (api.kpis.supervisedOpen !== undefined)
        expect(await supervised.locator('.landing-kpi-value').textContent()).toBe(String(api.kpis.supervisedOpen));
      if (api.kpis.supervised !== undefined)
        expect(await supervised.locator('.landing-kpi-sample').getAttribute('data-supervised')).toBe(
          String(api.kpis.supervised),
        );
      // Villages of the town, ranked: every one a 村 or 社区 of 张家湾镇 in the geography.
      const villages = new Set(
        server.app.services.geo.layers.villages.features
          .filter((f) => f.properties.townId === '110112105')
          .map((f) => f.properties.name),
      );
      const names = await page
        .locator('.landing-units .landing-rank-name')
        .evaluateAll((els) => els.map((e) => e.firstChild?.textContent ?? ''));
      expect(names.length).toBeGreaterThan(10);
      for (const n of names) expect(villages.has(n), n).toBe(true);
      const text = (await page.locator('.landing').textContent()) ?? '';
      expect(text).not.toContain('宋庄');

      mkdirSync(ARTEFACTS, { recursive: true });
      writeFileSync(path.join(ARTEFACTS, 'e2e-landing.png'), await page.screenshot({ type: 'png' }));

      // English on the toggle.
      await page.locator('.landing .lang-toggle').click();
      await expect.poll(() => page.locator('.landing-units h2').textContent()).toBe('Villages and communities');
      writeFileSync(path.join(ARTEFACTS, 'e2e-landing-en.png'), await page.screenshot({ type: 'png' }));

      // A click on the worst village opens the map on its worst grid cell.
      const first = page.locator('.landing-units .landing-rank-row').first();
      const area = await first.getAttribute('data-area');
      expect(area).toMatch(/^grid:g-110112105-/);
      await first.click();
      await page.waitForSelector(`.app[data-area="${area}"]`, { timeout: 30_000 });
      expect(new URL(page.url()).searchParams.get('area')).toBe(area);

      expect(errors).toEqual([]);
      expect(requests.filter((u) => !/^(data|blob):/.test(u) && new URL(u).origin !== origin)).toEqual([]);
      await context.close();
    }, 240_000);
  },
);
