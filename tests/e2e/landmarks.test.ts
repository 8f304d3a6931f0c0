// The landmarks layer in real headless Chromium against the real server: in 玉桥街道's view 和乐公园 is drawn
// as a ring in the park colour where the layer puts it, with its name, the legend explains it, and the page
// logs no error. Screenshots: test-results/e2e-landmarks.png and its close-up e2e-landmarks-park.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { LandmarkProps, TownProps } from '../../server/contract/areas';
import { LANDMARK_RGBA } from '../../client/map/layers/landmarks';
import {
  CHROMIUM_MISSING,
  NAME_SHIM,
  chromiumAvailable,
  decodePng,
  launchChromium,
  waitCameraStill,
} from '../helpers/browser';
import { signIn } from '../helpers/browser-session';
import { bearerHeaders, principals } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

describe.skipIf(!RUN)(RUN ? 'landmarks in Chromium' : `landmarks (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws 和乐公园 in 玉桥街道 as a ring in the park colour, with the legend entry', async () => {
    const origin = new URL(server.url).origin;
    const read = await bearerHeaders(server.app, principals.wall);
    const get = async <T>(layer: string) =>
      (await (await fetch(`${origin}/api/v1/areas/${layer}`, { headers: read })).json()) as T;
    const towns = await get<{ features: { properties: TownProps }[] }>('towns');
    const yuqiao = towns.features.find((f) => f.properties.name === '玉桥街道')!.properties.id;
    const landmarks = await get<{ features: { properties: LandmarkProps; geometry: { coordinates: number[] } }[] }>(
      'landmarks',
    );
    const park = landmarks.features.find((f) => f.properties.name === '和乐公园')!;
    const at = park.geometry.coordinates as [number, number];

    const context = await browser.newContext({
      viewport: { width: 1600, height: 1000 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, origin);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|net::ERR/.test(m.text()))
        errors.push(`console: ${m.text()}`);
    });
    // No overlays, so nothing but the areas lies under the ring.
    await page.goto(`${server.url}/?area=town:${yuqiao}&layers=&theme=day`);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: 90_000 });
    await page.waitForFunction(
      () => (document.querySelector<HTMLElement>('.map-canvas')?.dataset.layers ?? '').includes('landmark-labels'),
      null,
      { timeout: 30_000 },
    );
    await waitCameraStill(page, at);
    await page.waitForTimeout(500);

    const box = (await page.locator('.map-canvas').boundingBox())!;
    const [x, y] = await page.evaluate(
      ([lon, lat]) =>
        (
          window as unknown as { __OPSMAP__: { project(lon: number, lat: number): [number, number] } }
        ).__OPSMAP__.project(lon!, lat!),
      at,
    );
    const png = await page.screenshot({ type: 'png' });
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(path.join(ARTEFACTS, 'e2e-landmarks.png'), png);
    // A close-up of the ring and its name, for a person to look at.
    const clip = { x: box.x + x - 160, y: box.y + y - 40, width: 320, height: 90 };
    writeFileSync(path.join(ARTEFACTS, 'e2e-landmarks-park.png'), await page.screenshot({ type: 'png', clip }));
    const img = decodePng(png);
    // The ring's stroke: pixels about 9 px from the point in the park green (blended with the area under it).
    const green = LANDMARK_RGBA.park;
    let hits = 0;
    for (let k = 0; k < 32; k++) {
      const a = (k / 32) * Math.PI * 2;
      for (const r of [8, 9, 10]) {
        const px = Math.round(box.x + x + Math.cos(a) * r);
        const py = Math.round(box.y + y + Math.sin(a) * r);
        const i = (py * img.width + px) * 4;
        const rgb = [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
        if (rgb.every((v, c) => Math.abs(v - green[c]!) < 45)) {
          hits++;
          break;
        }
      }
    }
    expect(hits, 'directions around 和乐公园 that meet the green ring (of 32)').toBeGreaterThanOrEqual(24);
    await expect(page.locator('[data-legend="landmarks"]').textContent()).resolves.toContain('地标');
    await expect(page.locator('[data-legend="landmarks"]').textContent()).resolves.toContain('近似');
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  }, 180_000);
});
