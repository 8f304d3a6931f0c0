// Ticket clusters in real headless Chromium against the real server: at mid zoom a group of tickets is one
// disc with its count, its largest category families as coloured chips and a red ring for the overdue ones
// (found by their pixels where the clustering says they are); a click flies to the cluster's expansion zoom,
// where the tickets are points again; zoomed out to the district, the heatmap is back.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { TicketCategory } from '../../server/contract/events';
import type { TownProps } from '../../server/contract/areas';
import type { TicketObject } from '../../server/contract/live';
import { FAMILY_OF, FAMILY_RGBA, OVERDUE_RGBA, type Rgba } from '../../client/map/palette';
import { clusterRadius, clusterTickets, TICKET_CLUSTER_MAX_ZOOM } from '../../client/map/layers/ticket-clusters';
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
import { bearerHeaders, principals } from '../helpers/auth';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

const DAY_MS = 86_400_000;
/** Mid zoom: a town fills a good part of the screen; clusters, not the district's heatmap. */
const MID_ZOOM = 12.3;

interface Handle {
  project(lon: number, lat: number): [number, number];
  jumpTo(lon: number, lat: number, zoom: number): void;
  zoom(): number;
}

async function screenshot(page: Page, name: string): Promise<RgbaImage> {
  const png = await page.screenshot({ type: 'png' });
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(path.join(ARTEFACTS, name), png);
  return decodePng(png);
}

/** Pixels within `tol` per channel of `c`, in the ring between radii r0 and r1 around (x, y). */
function ringHits(img: RgbaImage, x: number, y: number, r0: number, r1: number, c: Rgba, tol = 40): number {
  let hits = 0;
  for (let dy = -r1; dy <= r1; dy++) {
    for (let dx = -r1; dx <= r1; dx++) {
      const d = Math.hypot(dx, dy);
      if (d < r0 || d > r1) continue;
      const px = Math.round(x + dx);
      const py = Math.round(y + dy);
      if (px < 0 || py < 0 || px >= img.width || py >= img.height) continue;
      const i = (py * img.width + px) * 4;
      if (
        Math.abs(img.data[i]! - c[0]) <= tol &&
        Math.abs(img.data[i + 1]! - c[1]) <= tol &&
        Math.abs(img.data[i + 2]! - c[2]) <= tol
      )
        hits++;
    }
  }
  return hits;
}

/** Pixels of colour `c` in a box. */
function boxHits(img: RgbaImage, x0: number, y0: number, x1: number, y1: number, c: Rgba, tol = 40): number {
  let hits = 0;
  for (let y = Math.round(y0); y <= y1; y++)
    for (let x = Math.round(x0); x <= x1; x++) {
      const i = (y * img.width + x) * 4;
      if (
        Math.abs(img.data[i]! - c[0]) <= tol &&
        Math.abs(img.data[i + 1]! - c[1]) <= tol &&
        Math.abs(img.data[i + 2]! - c[2]) <= tol
      )
        hits++;
    }
  return hits;
}

async function waitDrawn(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const el = document.querySelector<HTMLElement>('.map-canvas');
      return !!el?.dataset.pendingVersion && el.dataset.deckVersion === el.dataset.pendingVersion;
    },
    null,
    { timeout: 30_000 },
  );
}

describe.skipIf(!RUN)(RUN ? 'ticket clusters on the map' : 'ticket clusters on the map (skipped)', () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchChromium();
    // A quiet server: the tickets on the map are the ones this test posts.
    server = await startTestServer({}, { SIMULATOR: 'off' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('at mid zoom draws a cluster with its family chips and overdue ring; a click zooms in to points', async () => {
    const origin = new URL(server.url).origin;
    const towns = (await (
      await fetch(`${origin}/api/v1/areas/towns`, { headers: await bearerHeaders(server.app, principals.wall) })
    ).json()) as { features: { properties: TownProps }[] };
    const town = towns.features.find((f) => f.properties.name === '宋庄镇')!.properties;
    // Beside the seat, not on it: the town's name label sits on the seat.
    const centre: [number, number] = [town.seat[0] + 0.012, town.seat[1] + 0.008];

    // 40 tickets within ~150 m: 18 traffic (road), 12 environment (sanitation), 6 property (heating),
    // 4 safety (safety_hazard); 5 of them opened five days ago, past any resolve deadline (overdue).
    const mix: [TicketCategory, number][] = [
      ['road', 18],
      ['sanitation', 12],
      ['heating', 6],
      ['safety_hazard', 4],
    ];
    const now = Date.now();
    const events: Record<string, unknown>[] = [];
    let k = 0;
    for (const [category, count] of mix) {
      for (let i = 0; i < count; i++, k++) {
        const a = (k * 137.5 * Math.PI) / 180;
        const r = 0.0012 * Math.sqrt(k / 40);
        const old = k % 8 === 0;
        events.push({
          id: `e2e-cluster-${k}`,
          kind: 'ticket.created',
          time: new Date(old ? now - 5 * DAY_MS : now - 60_000).toISOString(),
          source: 'hotline_12345',
          ticketId: `E2E-CL-${k}`,
          category,
          // Urgent: resolved within 24 h, so five days old is overdue.
          urgency: old ? 'urgent' : 'normal',
          channel: 'hotline_12345',
          title: '聚合测试',
          location: { lon: centre[0] + r * Math.cos(a), lat: centre[1] + r * Math.sin(a), crs: 'wgs84' },
        });
      }
    }
    const res = await fetch(`${origin}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await bearerHeaders(server.app, principals.feed)) },
      body: JSON.stringify(events),
    });
    expect(res.status).toBe(200);
    // Deadlines are judged on the server's clock tick: wait for the old ones to turn overdue.
    let ours: TicketObject[] = [];
    for (let tries = 0; tries < 40; tries++) {
      const listed = (await (
        await fetch(`${origin}/api/v1/tickets?area=town:${town.id}&limit=100`, {
          headers: await bearerHeaders(server.app, principals.wall),
        })
      ).json()) as { items: TicketObject[] };
      ours = listed.items.filter((t) => t.id.startsWith('E2E-CL-'));
      if (ours.filter((t) => t.overdue).length === 5) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(ours, 'the tickets lie in the town').toHaveLength(40);
    expect(ours.filter((t) => t.overdue).length, 'the old ones are overdue').toBe(5);

    // Where the clusters are, by the same pure function the map uses.
    const expected = clusterTickets(ours).at(MID_ZOOM);
    expect(expected.clusters).toHaveLength(1);
    let cluster = expected.clusters[0]!;
    expect(cluster.count).toBe(40);
    expect(cluster.overdue).toBe(5);

    const context = await browser.newContext({
      viewport: { width: 1600, height: 1000 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, origin);
    await context.addInitScript(NAME_SHIM);
    const foreign: string[] = [];
    context.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol.startsWith('http') && u.origin !== origin) foreign.push(r.url());
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    await page.goto(`${server.url}/?layers=tickets`);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: 90_000 });
    await page.waitForSelector('.status[data-freshness="fresh"]', { timeout: 30_000 });

    // The district view (zoomed out): the heatmap.
    await page.evaluate(
      ([lon, lat]) => (window as unknown as { __OPSMAP__: Handle }).__OPSMAP__.jumpTo(lon, lat, 10),
      centre,
    );
    await page.waitForSelector('.map-canvas[data-ticket-view="heatmap"]', { timeout: 10_000 });

    // Mid zoom: clusters.
    await page.evaluate(
      ([lon, lat, z]) => (window as unknown as { __OPSMAP__: Handle }).__OPSMAP__.jumpTo(lon, lat, z),
      [centre[0], centre[1], MID_ZOOM] as const,
    );
    await page.waitForSelector('.map-canvas[data-ticket-view="clusters"]', { timeout: 10_000 });
    await waitCameraStill(page, centre);
    await waitDrawn(page);
    await page.waitForTimeout(800);
    const at = async (lon: number, lat: number) => {
      const [x, y] = await page.evaluate(
        ([a, b]) => (window as unknown as { __OPSMAP__: Handle }).__OPSMAP__.project(a, b),
        [lon, lat] as const,
      );
      const box = (await page.locator('.map-canvas').boundingBox())!;
      return { x: box.x + x, y: box.y + y };
    };
    const img = await screenshot(page, 'e2e-ticket-clusters-mid.png');
    const c = await at(cluster.position[0], cluster.position[1]);
    const r = clusterRadius(cluster.count);
    // The rim in the largest family's colour (traffic), the red ring outside it for the overdue ones.
    const rim = ringHits(img, c.x, c.y, r - 3, r + 2, FAMILY_RGBA[FAMILY_OF.road]);
    const ring = ringHits(img, c.x, c.y, r + 2, r + 8, OVERDUE_RGBA);
    expect(rim, `traffic rim around ${c.x.toFixed(0)},${c.y.toFixed(0)}`).toBeGreaterThan(40);
    expect(ring, 'red overdue ring').toBeGreaterThan(40);
    // The family chips under the disc: traffic, environment and property, each in its colour.
    for (const category of ['road', 'sanitation', 'heating'] as const) {
      const hits = boxHits(img, c.x - 60, c.y + r + 2, c.x + 60, c.y + r + 26, FAMILY_RGBA[FAMILY_OF[category]], 30);
      expect(hits, `${FAMILY_OF[category]} chip`).toBeGreaterThan(15);
    }
    // Safety is the fourth family: in the hover card, not in a chip.
    // (Below the red ring, and tightly: the safety colour is close to the overdue red.)
    expect(boxHits(img, c.x - 60, c.y + r + 8, c.x + 60, c.y + r + 26, FAMILY_RGBA.safety, 12)).toBeLessThan(10);
    // No single ticket points at this zoom: the cluster holds them all (no point of the traffic colour
    // outside the cluster's disc, chips and ring).
    expect(ringHits(img, c.x, c.y, r + 40, r + 120, FAMILY_RGBA.traffic, 20)).toBe(0);

    // The hover card lists the count, the overdue and every family.
    await page.mouse.move(c.x, c.y);
    const card = page.locator('.map-tooltip');
    await card.waitFor({ timeout: 10_000 });
    const text = await card.innerText();
    expect(text).toContain('工单 40 件');
    expect(text).toContain('超期 5 件');
    for (const family of ['道路停车照明 18', '市容环境 12', '物业供暖 6', '安全隐患 4']) expect(text).toContain(family);
    expect(text).toContain('点击放大');

    // Live deltas reach the clusters: two batches of five road tickets 300 ms apart (the first rebuilds the
    // index at once, the second within the next second), then the card says 50, 28 of them traffic.
    const more = (from: number) =>
      Array.from({ length: 5 }, (_, j) => ({
        ...events[0]!,
        id: `e2e-cluster-${from + j}`,
        ticketId: `E2E-CL-${from + j}`,
        time: new Date(Date.now() - 60_000).toISOString(),
        urgency: 'normal',
        location: { lon: centre[0] + 0.0003 * (j - 2), lat: centre[1] - 0.0002, crs: 'wgs84' },
      }));
    for (const from of [40, 45]) {
      const posted = await fetch(`${origin}/api/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await bearerHeaders(server.app, principals.feed)) },
        body: JSON.stringify(more(from)),
      });
      expect(posted.status).toBe(200);
      await page.waitForTimeout(300);
    }
    await page.waitForFunction(
      () => Number(document.querySelector('[data-kpi="open"] .kpi-value')?.textContent?.replace(/[^\d]/g, '')) === 50,
      null,
      { timeout: 15_000 },
    );
    // The pointer has stayed on the cluster: its card follows the new count without a mouse move.
    await page.waitForFunction(
      () => document.querySelector('.map-tooltip')?.textContent?.includes('工单 50 件'),
      null,
      {
        timeout: 10_000,
      },
    );
    await expect(card.innerText()).resolves.toContain('道路停车照明 28');
    const listed = (await (
      await fetch(`${origin}/api/v1/tickets?area=town:${town.id}&limit=100`, {
        headers: await bearerHeaders(server.app, principals.wall),
      })
    ).json()) as { items: TicketObject[] };
    ours = listed.items.filter((t) => t.id.startsWith('E2E-CL-'));
    expect(ours).toHaveLength(50);
    const now50 = clusterTickets(ours).at(MID_ZOOM).clusters;
    expect(now50.map((x) => x.count)).toEqual([50]);
    cluster = now50[0]!;

    // A click flies to the expansion zoom, where the tickets are points.
    await page.mouse.click(c.x, c.y);
    await page.waitForFunction(
      (z) => (window as unknown as { __OPSMAP__: Handle }).__OPSMAP__.zoom() >= z - 0.01,
      cluster.expansionZoom,
      { timeout: 15_000 },
    );
    await waitCameraStill(page, centre);
    const zoom = await page.evaluate(() => (window as unknown as { __OPSMAP__: Handle }).__OPSMAP__.zoom());
    expect(zoom).toBeGreaterThanOrEqual(cluster.expansionZoom - 0.01);
    const view = await page.locator('.map-canvas').getAttribute('data-ticket-view');
    const after = clusterTickets(ours).at(zoom);
    expect(view).toBe(zoom >= TICKET_CLUSTER_MAX_ZOOM ? 'points' : 'clusters');
    expect(after.clusters.every((x) => x.count < cluster.count)).toBe(true);
    await waitDrawn(page);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(800);
    const zoomed = await screenshot(page, 'e2e-ticket-clusters-expanded.png');
    // The tickets standing alone are drawn at their places in their family colours.
    let drawn = 0;
    for (const t of after.singles) {
      const p = await at(t.position[0], t.position[1]);
      if (ringHits(zoomed, p.x, p.y, 0, 4, FAMILY_RGBA[FAMILY_OF[t.category]], 40) >= 3) drawn++;
    }
    expect(after.singles.length).toBeGreaterThan(0);
    expect(drawn, `of ${after.singles.length} single tickets`).toBeGreaterThanOrEqual(after.singles.length * 0.6);

    expect(foreign).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  }, 300_000);
});
