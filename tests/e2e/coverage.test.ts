// The patrol-coverage overlay (巡林覆盖) in real headless Chromium against the real server: turned on over
// 永乐店镇's forest clusters, it draws today's walked ~100 m squares in the visited colour, also when it is
// turned off and on again before its first answer (deck.gl would otherwise be handed the layer instance it
// had finalized and fail its "assertion failed"), with no page error; and on the wall, whose forest scene shows
// it round after round. Screenshots: test-results/e2e-coverage.png, test-results/e2e-wall-coverage.png.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { TownProps } from '../../server/contract/areas';
import type { PatrolVisited } from '../../server/contract/patrol';
import { ClusterCells } from '../../server/live/coverage';
import { VISITED_RGBA } from '../../client/map/palette';
import {
  CHROMIUM_MISSING,
  NAME_SHIM,
  chromiumAvailable,
  decodePng,
  launchChromium,
  type RgbaImage,
  waitCameraStill,
} from '../helpers/browser';
import { signIn } from '../helpers/browser-session';
import { bearerHeaders, deviceToken, principals } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;
/** The wall's scenes turn this fast here (its default is 20 s), so the forest scene comes back soon. */
const WALL_TOUR_SECONDS = 3;

const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

interface ClusterFeature {
  properties: { id: string; townId: string };
  geometry: { type: string; coordinates: unknown };
}

/** Centres of every sub-cell of a cluster, on the lattice the server cuts. */
function subCellCentres(cluster: ClusterFeature): [number, number][] {
  const cells = new ClusterCells(cluster.geometry, 100);
  const out: [number, number][] = [];
  for (let r = 0; r < cells.rows; r++) {
    for (let c = 0; c < cells.cols; c++) {
      const lon = cells.west + (c + 0.5) * cells.dLon;
      const lat = cells.south + (r + 0.5) * cells.dLat;
      if (cells.cellOf(lon, lat) >= 0) out.push([lon, lat]);
    }
  }
  return out;
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/WebSocket|ERR_CONNECTION_REFUSED|net::ERR/.test(m.text()))
      errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** The colour the visited square gives a pixel that was `under` without it (deck.gl blends src-alpha). */
function overVisited(under: readonly number[]): number[] {
  const a = VISITED_RGBA[3] / 255;
  return [0, 1, 2].map((k) => VISITED_RGBA[k]! * a + under[k]! * (1 - a));
}

const pixel = (img: RgbaImage, x: number, y: number) => {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
};
const mostCommon = (colours: readonly number[][]): number[] => {
  const counts = new Map<string, number>();
  for (const c of colours) counts.set(c.join(), (counts.get(c.join()) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])[0]![0]
    .split(',')
    .map(Number);
};
const near = (a: readonly number[], b: readonly number[], tolerance: number) =>
  a.every((v, k) => Math.abs(v - b[k]!) <= tolerance);

describe.skipIf(!RUN)(RUN ? 'patrol coverage in Chromium' : `patrol coverage (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;
  // Found by the first test for the second: the town, and the colour of its fully walked cluster on screen.
  let townId: string;
  let walkedClusterRgb: number[];

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the walked squares of 永乐店镇 in the visited colour, also when turned off and on before the first answer', async () => {
    const origin = new URL(server.url).origin;
    const read = await bearerHeaders(server.app, principals.wall);
    const towns = (await (await fetch(`${origin}/api/v1/areas/towns`, { headers: read })).json()) as {
      features: { properties: TownProps }[];
    };
    const town = towns.features.find((f) => f.properties.name === '永乐店镇')!.properties;
    townId = town.id;

    // The simulator's rangers walk in the morning and afternoon only: for squares at any hour of the test, a
    // ranger's phone reports from every sub-cell of the town's largest cluster, which is then fully walked.
    const forest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'data/geo/forest-clusters.geojson'), 'utf8')) as {
      features: ClusterFeature[];
    };
    const clusters = forest.features.filter((f) => f.properties.townId === town.id);
    expect(clusters.length, 'the town has forest clusters').toBeGreaterThan(1);
    const cluster = clusters
      .map((f) => ({ f, centres: subCellCentres(f) }))
      .sort((a, b) => b.centres.length - a.centres.length)[0]!;
    const time = new Date(Date.now() - 5_000).toISOString();
    const res = await fetch(`${origin}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders(server.app, principals.feed)) },
      body: JSON.stringify(
        cluster.centres.map(([lon, lat], i) => ({
          id: `e2e-coverage-${i}`,
          kind: 'patrol.position',
          time,
          source: 'ranger_app',
          rangerId: 'e2e-ranger',
          location: { lon, lat },
        })),
      ),
    });
    expect(res.status).toBe(200);
    const visited = (await (
      await fetch(`${origin}/api/v1/patrol/visited?town=${town.id}`, { headers: read })
    ).json()) as PatrolVisited;
    const walked = visited.clusters.find((c) => c.clusterId === cluster.f.properties.id)!;
    expect(walked.corners.length / 2, 'every sub-cell of the cluster is walked today').toBe(walked.total);

    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, origin);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(`${server.url}/?area=town:${town.id}&sub=forest&metric=coverage&layers=`);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    await page.waitForSelector('.status[data-freshness="fresh"]', { timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const el = document.querySelector<HTMLElement>('.map-canvas');
        return !!el?.dataset.pendingVersion && el.dataset.deckVersion === el.dataset.pendingVersion;
      },
      null,
      { timeout: 30_000 },
    );
    await waitCameraStill(page, cluster.centres[0]!);

    // Where the walked sub-cells are on screen, and their colour without the overlay.
    const box = (await page.locator('.map-canvas').boundingBox())!;
    const spots = (
      await page.evaluate(
        (points) =>
          points.map(([lon, lat]) =>
            (
              window as unknown as { __OPSMAP__: { project(lon: number, lat: number): [number, number] } }
            ).__OPSMAP__.project(lon!, lat!),
          ),
        cluster.centres,
      )
    ).map(([x, y]) => ({ x: box.x + x, y: box.y + y }));
    const before = decodePng(await page.screenshot({ type: 'png' }));
    const expected = spots.map((s) => overVisited(pixel(before, s.x, s.y)));
    walkedClusterRgb = mostCommon(spots.map((s) => pixel(before, s.x, s.y)));

    // Its answers held back: on, off and on again before the first one, the way a wall scene or a quick double
    // click leaves the map's memoized layer unchanged. Each click has reached the page's view (its URL) before the
    // next; the answers go once the third is in.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await context.route(
      (url) => url.pathname === '/api/v1/patrol/visited',
      async (route) => {
        await held;
        await route.continue().catch(() => {}); // the page gave up on it (overlay turned off)
      },
    );
    const toggle = page.locator('[data-overlay="coverage"] input');
    const layersParam = (on: boolean) =>
      page.waitForFunction((on) => (new URL(location.href).searchParams.get('layers') === 'coverage') === on, on, {
        timeout: 10_000,
      });
    await toggle.click();
    await layersParam(true);
    await toggle.click();
    await layersParam(false);
    await toggle.click();
    await layersParam(true);
    await expect(toggle.isChecked()).resolves.toBe(true);
    expect(new URL(page.url()).searchParams.get('layers')).toBe('coverage');
    release();

    // The squares are drawn once the answer is in: each walked sub-cell turns the visited colour over the
    // cluster (a few at the cluster's outline may blend with it).
    const share = (img: RgbaImage) =>
      spots.filter((s, i) => near(pixel(img, s.x, s.y), expected[i]!, 6)).length / spots.length;
    let after = before;
    const deadline = Date.now() + 20_000;
    while (share(after) < 0.8 && Date.now() < deadline) {
      await page.waitForTimeout(200);
      after = decodePng(await page.screenshot({ type: 'png' }));
    }
    const png = await page.screenshot({ type: 'png' });
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(path.join(ARTEFACTS, 'e2e-coverage.png'), png);
    after = decodePng(png);
    expect(share(after), `walked sub-cells in the visited colour (of ${spots.length})`).toBeGreaterThanOrEqual(0.8);
    // It was not there before: the cluster's own colour is not the visited one.
    expect(share(before), 'the visited colour before the overlay').toBeLessThan(0.2);
    await expect(page.locator('.map-canvas').getAttribute('data-layers')).resolves.toContain('patrol-coverage');
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  }, 180_000);
  it("shows the walked squares in the wall's forest scene, round after round, though the first answer came after the scene had gone", async () => {
    expect(walkedClusterRgb, 'the first test walked a cluster').toBeDefined();
    // A town's wall tours its own town: here forest and flood, in turns, so the forest scene comes back.
    const token = await deviceToken(server.app, {
      ...principals.wall,
      id: 'wall-00e2ec0e',
      name: '永乐店镇大屏',
      scope: `town:${townId}`,
    });
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await context.addInitScript(NAME_SHIM);
    // The first answer is held past the first forest scene: the second one finds the map's layer unchanged.
    let held = 0;
    await context.route(
      (url) => url.pathname === '/api/v1/patrol/visited',
      async (route) => {
        if (held++ === 0) await new Promise((r) => setTimeout(r, WALL_TOUR_SECONDS * 1000 + 1000));
        await route.continue().catch(() => {});
      },
    );
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(
      `${server.url}/wall?device=${encodeURIComponent(token)}&scenes=forest,flood&tourSeconds=${WALL_TOUR_SECONDS}`,
    );
    await page.waitForSelector('.wall .map-canvas[data-map-state="ready"]', {
      state: 'attached',
      timeout: LOAD_TIMEOUT_MS,
    });

    const forestScene = () =>
      page.waitForFunction(() => document.querySelector('.wall')?.getAttribute('data-scene-kind') === 'forest', null, {
        timeout: 30_000,
      });
    const floodScene = () =>
      page.waitForFunction(() => document.querySelector('.wall')?.getAttribute('data-scene-kind') === 'flood', null, {
        timeout: 30_000,
      });
    await forestScene();
    await expect(page.locator('.wall').getAttribute('data-scene')).resolves.toBe(`forest:town:${townId}`);
    await floodScene();
    await forestScene();
    const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/patrol/visited' && r.ok(), {
      timeout: 15_000,
    });
    await page.waitForFunction(
      () =>
        /(^|,)patrol-coverage(,|$)/.test(
          document.querySelector<HTMLElement>('.wall .map-canvas')?.dataset.layers ?? '',
        ),
      null,
      { timeout: 10_000 },
    );
    await answered;
    await page.waitForTimeout(800);
    const png = await page.screenshot({ type: 'png' });
    mkdirSync(ARTEFACTS, { recursive: true });
    writeFileSync(path.join(ARTEFACTS, 'e2e-wall-coverage.png'), png);
    // The overlay is drawn: the walked cluster shows the visited colour somewhere on the map.
    const img = decodePng(png);
    const box = (await page.locator('.wall .map-canvas').boundingBox())!;
    let tinted = 0;
    const visitedOverCluster = overVisited(walkedClusterRgb);
    for (let y = Math.ceil(box.y); y < box.y + box.height; y += 2) {
      for (let x = Math.ceil(box.x); x < box.x + box.width; x += 2)
        if (near(pixel(img, x, y), visitedOverCluster, 6)) tinted++;
    }
    expect(tinted, 'pixels of the visited colour over the walked cluster').toBeGreaterThan(10);
    await floodScene();
    await forestScene();
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  }, 180_000);
});
