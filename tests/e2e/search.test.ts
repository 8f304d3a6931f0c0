// The header's search box in real headless Chromium against the real server: `/` focuses it; a village typed by
// name flies the map to the grid cell it lies in and opens that cell's detail; a ticket typed by its id opens
// the ticket's detail; while an IME composes nothing is asked. Screenshots in test-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import type { AreaTree } from '../../server/contract/areas';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium, waitCameraStill } from '../helpers/browser';
import { signIn } from '../helpers/browser-session';
import { bearerHeaders, principals } from '../helpers/auth';
import { ticket } from '../helpers/app';
import { postEvents } from '../helpers/callers';
import { startTestServer, type TestServer } from '../helpers/server';
import { loadGeo } from '../../server/geo/load';
import { interiorPoint } from '../../server/geo/interior';
import { GEO_DIR } from '../helpers/paths';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

const VILLAGE = { id: '110112117209', name: '老槐庄村', at: [116.768254, 39.634858] as const };
const TICKET_ID = 'T-E2E-SEARCH-0001';
/** A ranger on patrol in a forest cluster of 张家湾镇, the test leader's town. */
const RANGER_ID = 'rg-e2e-search';
const ZJW_CLUSTER = 'f-110112105-01';

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(path.join(ARTEFACTS, name), await page.screenshot({ type: 'png' }));
}

/** Width in CSS pixels that an area's bbox spans on the map now. */
async function spanPx(page: Page, bbox: readonly number[]): Promise<number> {
  return page.evaluate(([w, s, e, n]) => {
    const m = (window as unknown as { __OPSMAP__: { project(lon: number, lat: number): [number, number] } }).__OPSMAP__;
    const a = m.project(w!, s!);
    const b = m.project(e!, n!);
    // The larger side: a fit is bound by whichever side meets the map's edge first (a red grid is tall and thin).
    return Math.max(Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]));
  }, bbox);
}

describe.skipIf(!RUN)(RUN ? 'search in Chromium' : `search (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;
  let tree: AreaTree;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer();
    tree = (await (
      await fetch(`${server.url}/api/v1/areas/tree`, { headers: await bearerHeaders(server.app, principals.wall) })
    ).json()) as AreaTree;
    const geo = await loadGeo(GEO_DIR);
    const cluster = geo.layers.forest.features.find((f) => f.properties.id === ZJW_CLUSTER)!;
    const [lon, lat] = interiorPoint(cluster.geometry);
    const time = new Date().toISOString();
    const patrol = { time, source: 'ranger_app', patrolId: 'pt-e2e-search', rangerId: RANGER_ID };
    const res = await postEvents(server.app, [
      ticket('e2e-search-1', { ticketId: TICKET_ID, title: '搜索测试：楼道堆物', time }),
      { id: 'e2e-search-2', kind: 'patrol.started', ...patrol, clusterId: ZJW_CLUSTER },
      { id: 'e2e-search-3', kind: 'patrol.position', ...patrol, location: { lon, lat } },
    ]);
    expect(res.json()).toMatchObject({ accepted: 3 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds a village and a ticket: the map flies there and the detail opens', async () => {
    const origin = new URL(server.url).origin;
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, origin);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const searches: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/search')) searches.push(new URL(r.url()).searchParams.get('q') ?? '');
    });
    await page.goto(server.url);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
      timeout: 30_000,
    });

    // The box shows its shortcut on a desk; `/` from the page focuses it.
    await expect(page.locator('.search-shortcut').isVisible()).resolves.toBe(true);
    await page.locator('body').press('/');
    await expect(page.evaluate(() => document.activeElement?.className)).resolves.toContain('search-input');

    // A village by name: the first result; Enter chooses it.
    await page.keyboard.type(VILLAGE.name);
    const option = page.locator(`.search-results [role="option"][data-kind="village"][data-id="${VILLAGE.id}"]`);
    await option.waitFor({ timeout: 15_000 });
    await expect(page.locator('.search-results [role="option"]').first().getAttribute('data-id')).resolves.toBe(
      VILLAGE.id,
    );
    await expect(option.innerText()).resolves.toContain('永乐店镇');
    // One request for the whole name (the box waits for the typist), not one per character.
    expect(searches.filter((q) => q !== VILLAGE.name)).toEqual([]);
    await page.keyboard.press('Enter');

    // The map opens the grid cell the village lies in: URL, breadcrumb and the area's detail follow.
    await page.waitForFunction(() => new URL(location.href).searchParams.get('area')?.startsWith('grid:'));
    const cellKey = new URL(page.url()).searchParams.get('area')!;
    const cell = tree.nodes[cellKey]!;
    expect(cell.parent).toBe('town:110112117');
    await expect(page.locator('.breadcrumb [aria-current]').innerText()).resolves.toBe(cell.name);
    await page.locator(`[data-detail="area"][data-detail-id="${cellKey}"]`).waitFor({ timeout: 15_000 });
    // …and the map flew there: the camera settles with the cell filling much of the map, the village inside it.
    await waitCameraStill(page, VILLAGE.at);
    expect(await spanPx(page, cell.bbox)).toBeGreaterThan(200);
    const [x, y] = await page.evaluate(
      ([lon, lat]) =>
        (
          window as unknown as { __OPSMAP__: { project(lon: number, lat: number): [number, number] } }
        ).__OPSMAP__.project(lon, lat),
      VILLAGE.at,
    );
    const canvas = (await page.locator('.map-canvas').boundingBox())!;
    expect(x).toBeGreaterThan(0);
    expect(x).toBeLessThan(canvas.width);
    expect(y).toBeGreaterThan(0);
    expect(y).toBeLessThan(canvas.height);
    await screenshot(page, 'e2e-search-village.png');

    // A ticket by its id: chosen with the mouse, its detail opens (in 玉桥街道's grid cell).
    await page.locator('body').press('/');
    await page.keyboard.type(TICKET_ID);
    const ticketOption = page.locator(`.search-results [role="option"][data-kind="ticket"][data-id="${TICKET_ID}"]`);
    await ticketOption.waitFor({ timeout: 15_000 });
    await screenshot(page, 'e2e-search-ticket-results.png');
    await ticketOption.click();
    await page.locator(`[data-detail-ticket="${TICKET_ID}"]`).waitFor({ timeout: 15_000 });
    await expect(page.locator('[data-detail-ticket]').innerText()).resolves.toContain('搜索测试：楼道堆物');
    const ticketArea = new URL(page.url()).searchParams.get('area')!;
    expect(tree.nodes[ticketArea]?.parent).toBe('town:110112004');
    await screenshot(page, 'e2e-search-ticket.png');

    // An IME composing 小屯 from pinyin: nothing is asked until the composition ends.
    const cdp = await context.newCDPSession(page);
    await page.locator('.search-input').fill('');
    await page.locator('.search-input').focus();
    const before = searches.length;
    await cdp.send('Input.imeSetComposition', { text: 'xiao', selectionStart: 4, selectionEnd: 4 });
    await cdp.send('Input.imeSetComposition', { text: 'xiaotun', selectionStart: 7, selectionEnd: 7 });
    await page.waitForTimeout(600);
    expect(searches.slice(before)).toEqual([]);
    await cdp.send('Input.insertText', { text: '小屯村' });
    await page.locator('.search-results [role="option"][data-kind="village"]').first().waitFor({ timeout: 15_000 });
    expect(searches.slice(before)).toEqual(['小屯村']);
    // Both 小屯村, told apart by their towns.
    const contexts = await page
      .locator('.search-results [role="option"][data-kind="village"] .search-context')
      .allInnerTexts();
    expect(contexts).toEqual(expect.arrayContaining(['漷县镇', '西集镇']));

    expect(errors).toEqual([]);
    await context.close();
  }, 240_000);

  it("keeps a town leader to their town: their ranger opens, another town's ticket is not found", async () => {
    const origin = new URL(server.url).origin;
    const context = await browser.newContext({
      viewport: { width: 1920, height: 1080 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, origin, principals.townLeader);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    // A leader's own town on the map (a bare URL opens their landing).
    await page.goto(`${server.url}/?area=town:110112105`);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });

    await page.locator('body').press('/');
    await page.keyboard.type(TICKET_ID);
    await page.locator('.search-results .search-empty').waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelector('.search')?.getAttribute('data-status') === 'done');
    await expect(page.locator('.search-results .search-empty').innerText()).resolves.toBe('没有找到');
    expect(await page.locator('.search-results [role="option"]').count()).toBe(0);
    await screenshot(page, 'e2e-search-leader-other-town.png');

    await page.locator('.search-input').fill(RANGER_ID);
    const option = page.locator(`.search-results [role="option"][data-kind="ranger"][data-id="${RANGER_ID}"]`);
    await option.waitFor({ timeout: 15_000 });
    await option.click();
    await page.waitForFunction((k) => new URL(location.href).searchParams.get('area') === k, `forest:${ZJW_CLUSTER}`);
    await page.locator(`[data-detail-ranger="${RANGER_ID}"]`).waitFor({ timeout: 15_000 });
    await screenshot(page, 'e2e-search-leader-ranger.png');
    await context.close();
  }, 240_000);

  it('works on a phone (390 × 844): the box has its own row, the results stay on the screen, a tap opens the place', async () => {
    const origin = new URL(server.url).origin;
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    await signIn(context, server.app, origin);
    await context.addInitScript(NAME_SHIM);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    const input = page.locator('.search-input');
    // No keyboard shortcut shown where there is no keyboard.
    await expect(page.locator('.search-shortcut').isVisible()).resolves.toBe(false);
    const box = (await input.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    expect(box.height).toBeGreaterThanOrEqual(44);
    await input.tap();
    await page.keyboard.type('老槐庄');
    const option = page.locator(`.search-results [role="option"][data-id="${VILLAGE.id}"]`);
    await option.waitFor({ timeout: 15_000 });
    const list = (await page.locator('.search-results').boundingBox())!;
    expect(list.x).toBeGreaterThanOrEqual(0);
    expect(list.x + list.width).toBeLessThanOrEqual(390);
    expect((await option.boundingBox())!.height).toBeGreaterThanOrEqual(44);
    // No sideways scroll.
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'e2e-search-phone-390x844.png');
    await option.tap();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('area')?.startsWith('grid:'));
    await page.locator('[data-detail="area"]').waitFor({ timeout: 15_000 });
    await screenshot(page, 'e2e-search-phone-chosen-390x844.png');
    await context.close();
  }, 240_000);
});
