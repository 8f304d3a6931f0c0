// The API reference page (/api/docs) in a real browser: it renders every operation of the OpenAPI document from
// files this server serves (the npm package's), asks no other host for anything (no CDN, font or validator), and
// works under the app's own CSP, unchanged. Screenshot: test-results/e2e-api-docs.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { loadConfig, PROJECT_ROOT } from '../../server/config';
import { startServer } from '../../server/main';
import { CHROMIUM_MISSING, chromiumAvailable, launchChromium } from '../helpers/browser';

const SCREENSHOT = path.join(PROJECT_ROOT, 'test-results', 'e2e-api-docs.png');
const VIEWPORT = { width: 1400, height: 1000 };
const RENDER_TIMEOUT_MS = 60_000;

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

describe.skipIf(!RUN)(
  RUN ? 'the API reference page in Chromium' : `the API reference (skipped: ${CHROMIUM_MISSING})`,
  () => {
    let app: App;
    let url: string;
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium();
      // The page is the server's own; the client build is not needed (a folder without one), nor the simulator.
      const config = loadConfig({
        STORE: 'memory',
        SIMULATOR: 'off',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        NODE_ENV: 'test',
        GEO_DIR: process.env.GEO_DIR,
      });
      ({ app, url } = await startServer(config, { clientDir: path.join(tmpdir(), 'opsmap-no-client') }));
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it(
      'renders every operation from this origin only, under the app CSP',
      async () => {
        const origin = new URL(url).origin;
        const doc = (await app.inject('/api/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
        const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);

        // The HTML names no other host: scripts, styles and icons are this server's files.
        const html = await app.inject('/api/docs');
        expect(html.statusCode).toBe(200);
        expect(html.body).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
        expect(html.body).not.toMatch(/<script>|<script [^>]*>[^<\s]/); // no inline script
        // The page gets the app's CSP as it is: not a looser one of its own.
        expect(html.headers['content-security-policy']).toBe(
          (await app.inject('/healthz')).headers['content-security-policy'],
        );

        const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
        const requests: string[] = [];
        context.on('request', (request) => requests.push(request.url()));
        // Anything off-origin is stopped before it leaves, and reported below.
        await context.route(
          (u) => u.protocol.startsWith('http') && u.origin !== origin,
          (route) => route.abort('blockedbyclient'),
        );
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('pageerror', (err) => problems.push(err.message));
        // A CSP violation is reported on the console as an error.
        page.on('console', (msg) => {
          if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
        });

        await page.goto(`${url}/api/docs`, { waitUntil: 'load' });
        await page.waitForSelector('.opblock', { timeout: RENDER_TIMEOUT_MS });
        await expect(page.locator('.info .title').innerText()).resolves.toContain('Ops Map API');
        expect(await page.locator('.opblock').count()).toBe(operations);
        const paths = await page.locator('.opblock-summary-path').allInnerTexts();
        for (const p of ['/api/v1/tickets', '/api/v1/events', '/api/v1/auth/login', '/api/v1/alerts/{id}/acknowledge'])
          expect(paths.map((t) => t.replace(/\u200b/g, ''))).toContain(p);

        // The top of the page: the title, the Authorize button (both credentials), the first operations.
        await page.locator('.btn.authorize').waitFor({ timeout: RENDER_TIMEOUT_MS });
        const screenshot = await page.screenshot({ type: 'png' });
        mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        writeFileSync(SCREENSHOT, screenshot);

        // One operation opened: its answers, the shared error among them.
        const tickets = page.locator('.opblock-get', { has: page.locator('[data-path="/api/v1/tickets"]') });
        await tickets.locator('.opblock-summary-control').click();
        await page.waitForSelector('.opblock.is-open .responses-table', { timeout: RENDER_TIMEOUT_MS });
        const codes = await page.locator('.opblock.is-open .responses-table .response-col_status').allInnerTexts();
        expect(codes.map((c) => c.trim())).toEqual(expect.arrayContaining(['200', '400', '401', '403']));

        const foreign = requests.filter((u) => {
          const parsed = new URL(u);
          return parsed.protocol !== 'data:' && parsed.protocol !== 'blob:' && parsed.origin !== origin;
        });
        expect(foreign, `requests to other hosts:\n${foreign.join('\n')}`).toEqual([]);
        expect(requests).toContain(`${origin}/api/docs/json`);
        expect(requests).toContain(`${origin}/api/docs/static/swagger-ui-bundle.js`);
        expect(problems, 'page errors, CSP violations').toEqual([]);
        await context.close();
      },
      RENDER_TIMEOUT_MS * 2,
    );
  },
);
