// A ranger presses SOS on Traccar Client and the wall is taken over within seconds, in real headless Chromium
// against the real server. The request is the Android client's own shape (traccar/traccar-client-android,
// app/src/main/java/org/traccar/client/ProtocolFormatter.kt: the position's fields plus alarm=sos, appended to
// the configured URL with its ?token=). Screenshot: test-results/e2e-wall-sos-1920x1080.png.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { TownProps } from '../../server/contract/areas';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, decodePng, launchChromium } from '../helpers/browser';
import { deviceToken, principals, sessionHeaders } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

describe.skipIf(!RUN)(RUN ? 'SOS on the wall' : `SOS on the wall (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;
  let origin: string;
  let wallToken: string;
  let feedToken: string;
  let seat: [number, number];

  beforeAll(async () => {
    browser = await launchChromium();
    // No simulator: its own alerts would take the wall over first.
    // The device table maps the phone's typed id to its ranger.
    const devices = path.join(mkdtempSync(path.join(tmpdir(), 'opsmap-sos-')), 'devices.json');
    writeFileSync(devices, JSON.stringify({ '王林 手机-2': 'ranger-wang-lin' }));
    server = await startTestServer({}, { SIMULATOR: 'off', OSMAND_DEVICES: devices });
    origin = new URL(server.url).origin;
    wallToken = await deviceToken(server.app, principals.wall);
    feedToken = await deviceToken(server.app, principals.feed);
    const admin = await sessionHeaders(server.app, principals.admin);
    const towns = (await (await fetch(`${server.url}/api/v1/areas/towns`, { headers: admin })).json()) as {
      features: { properties: TownProps }[];
    };
    seat = towns.features.find((f) => f.properties.name === '宋庄镇')!.properties.seat as [number, number];
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('alarm=sos from a ranger’s phone takes the wall over, naming the ranger and the device', async () => {
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    await context.route(
      (url) => url.protocol.startsWith('http') && url.origin !== origin,
      (route) => route.abort('blockedbyclient'),
    );
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/wall?device=${encodeURIComponent(wallToken)}&tourSeconds=6`);
    await page.waitForSelector('.wall .map-canvas[data-map-state="ready"]', { state: 'attached', timeout: 90_000 });
    await page.waitForSelector('.wall-link[data-link="live"]', { timeout: 30_000 });
    await expect(page.locator('.wall-takeover').count()).resolves.toBe(0);

    // [ProtocolFormatter.kt] id, timestamp, lat, lon, speed, bearing, altitude, accuracy, batt, alarm
    const fields = new URLSearchParams({
      id: '王林 手机-2',
      timestamp: String(Math.floor(Date.now() / 1000) - 3),
      lat: String(seat[1] + 0.005),
      lon: String(seat[0] + 0.01),
      speed: '0.0',
      bearing: '0.0',
      altitude: '21.0',
      accuracy: '8.0',
      batt: '37.0',
      alarm: 'sos',
    });
    const sent = Date.now();
    const res = await fetch(`${server.url}/api/v1/positions/osmand?token=${encodeURIComponent(feedToken)}&${fields}`, {
      method: 'POST',
    });
    expect(res.status, await res.text()).toBe(200);

    const banner = page.locator('.wall-takeover');
    await banner.waitFor({ state: 'visible', timeout: 20_000 });
    const tookMs = Date.now() - sent;
    expect(tookMs).toBeLessThan(20_000);
    await expect(banner.getAttribute('data-rule')).resolves.toBe('ranger_sos');
    await expect(banner.getAttribute('data-severity')).resolves.toBe('severe');
    const text = await banner.innerText();
    expect(text).toContain('严重');
    expect(text).toContain('护林员求救');
    expect(text).toContain('ranger-wang-lin');
    expect(text).toContain('王林 手机-2');
    expect(text).toContain('宋庄镇');
    await page.waitForSelector('.map-focus', { state: 'attached', timeout: 15_000 });
    await page.waitForTimeout(1_500);

    const png = await page.screenshot({ type: 'png' });
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(path.join(ARTEFACTS, 'e2e-wall-sos-1920x1080.png'), png);
    expect(decodePng(png).width).toBe(1920);
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
