// 督办 in real headless Chromium against the real server: a 张家湾镇 duty officer opens an overdue ticket of their
// town, presses 督办, and the detail shows the badge (once, at the town's level, in their name); the map's hover
// card of the ticket says so too. On a phone (390×844) the same from the ticket sheet. A ticket with time left has
// no button. Screenshots in test-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { CHROMIUM_MISSING, NAME_SHIM, chromiumAvailable, launchChromium, waitCameraStill } from '../helpers/browser';
import { signIn } from '../helpers/browser-session';
import { principals, ZHANGJIAWAN } from '../helpers/auth';
import { ticket } from '../helpers/app';
import { postEvents } from '../helpers/callers';
import { pointsInTown } from '../helpers/towns';
import { startTestServer, type TestServer } from '../helpers/server';

const ARTEFACTS = path.join(PROJECT_ROOT, 'test-results');
const LOAD_TIMEOUT_MS = 90_000;
const RUN = chromiumAvailable() || process.env.CI === 'true';
if (!RUN) console.warn(`[e2e] skipped: ${CHROMIUM_MISSING}`);

const DESK_TICKET = 'T-E2E-SUPERVISE-DESK';
const PHONE_TICKET = 'T-E2E-SUPERVISE-PHONE';
const FRESH_TICKET = 'T-E2E-SUPERVISE-FRESH';
const CALLED_TICKET = 'T-E2E-FOLLOW-UP';

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTEFACTS, { recursive: true });
  writeFileSync(path.join(ARTEFACTS, name), await page.screenshot({ type: 'png' }));
}

describe.skipIf(!RUN)(RUN ? '督办 in Chromium' : `督办 (skipped: ${CHROMIUM_MISSING})`, () => {
  let browser: Browser;
  let server: TestServer;
  let origin: string;
  const where = new Map<string, { lon: number; lat: number }>();

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer({}, { SIMULATOR: 'off' });
    origin = new URL(server.url).origin;
    const spots = pointsInTown(server.app.services.geo, ZHANGJIAWAN, 4);
    const hours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
    // Two overdue tickets (due an hour ago) and two with six days left, all in 张家湾镇.
    const events = [DESK_TICKET, PHONE_TICKET, FRESH_TICKET, CALLED_TICKET].map((id, i) => {
      where.set(id, spots[i]!);
      const late = id === DESK_TICKET || id === PHONE_TICKET;
      return ticket(`ev-${id}`, {
        ticketId: id,
        title: late ? '路灯损坏多日未修' : '小区门口垃圾堆放',
        location: spots[i],
        time: hours(late ? -30 : -1),
        ...(late ? { responseDueAt: hours(-29), resolveDueAt: hours(-1) } : {}),
      });
    });
    expect((await postEvents(server.app, events)).json()).toMatchObject({ accepted: 4 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(size: { width: number; height: number }, phone = false) {
    const context: BrowserContext = await browser.newContext({
      viewport: size,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      ...(phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : {}),
    });
    await context.addInitScript(NAME_SHIM);
    await signIn(context, server.app, origin, principals.townOfficer);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/?area=${ZHANGJIAWAN}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.map-canvas[data-map-state="ready"]', { state: 'attached', timeout: LOAD_TIMEOUT_MS });
    await page.waitForFunction(() => Number(document.querySelector('.kpi-bar')?.getAttribute('data-seq')) > 0, null, {
      timeout: 30_000,
    });
    return { context, page, errors };
  }

  /** Opens a ticket's detail through the header's search, as an officer who knows the id would. */
  async function openBySearch(page: Page, id: string): Promise<void> {
    await page.locator('body').press('/');
    await page.keyboard.type(id);
    const option = page.locator(`.search-results [role="option"][data-kind="ticket"][data-id="${id}"]`);
    await option.waitFor({ timeout: 15_000 });
    await option.click();
    await page.locator(`[data-detail-ticket="${id}"]`).waitFor({ timeout: 15_000 });
  }

  it('desk 1920×1080: 督办 on an overdue ticket shows the badge on the detail and on the hover card', async () => {
    const { context, page, errors } = await open({ width: 1920, height: 1080 });
    // A ticket with time left: no button.
    await openBySearch(page, FRESH_TICKET);
    await expect(page.locator('[data-supervise]').count()).resolves.toBe(0);

    await openBySearch(page, DESK_TICKET);
    const detail = page.locator(`[data-detail-ticket="${DESK_TICKET}"]`);
    await expect(detail.locator('[data-ticket-supervised]').count()).resolves.toBe(0);
    await detail.locator(`[data-supervise="${DESK_TICKET}"]`).click();
    const badge = detail.locator('[data-ticket-supervised="1"]');
    await badge.waitFor({ timeout: 15_000 });
    const text = await badge.innerText();
    expect(text).toContain('已督办 1 次');
    expect(text).toContain('街乡级');
    expect(text).toContain(principals.townOfficer.name);
    // The server's state says the same: one supervision, the town's, by the officer.
    expect(server.app.services.live.ticket(DESK_TICKET)!.supervision).toMatchObject({
      count: 1,
      level: 'town',
      by: principals.townOfficer.name,
    });
    await screenshot(page, 'e2e-supervise-desk-1920x1080.png');

    // The hover card of the ticket on the map.
    const at = where.get(DESK_TICKET)!;
    await waitCameraStill(page, [at.lon, at.lat]);
    // project() answers in the map canvas's pixels; the mouse moves in the page's.
    const canvas = (await page.locator('.map-canvas').boundingBox())!;
    const [px, py] = (await page.evaluate(`window.__OPSMAP__.project(${at.lon}, ${at.lat})`)) as [number, number];
    const [x, y] = [canvas.x + px, canvas.y + py];
    const tooltip = page.locator('.map-tooltip');
    await expect
      .poll(
        async () => {
          await page.mouse.move(x + 1, y);
          await page.mouse.move(x, y);
          return (await tooltip.count()) > 0 ? tooltip.innerText() : '';
        },
        { timeout: 15_000 },
      )
      .toContain('已督办 1 次');
    await screenshot(page, 'e2e-supervise-hover-1920x1080.png');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('desk 1920×1080: a ticket closed while its detail is open shows its follow-up call (回访)', async () => {
    const { context, page, errors } = await open({ width: 1920, height: 1080 });
    await openBySearch(page, CALLED_TICKET);
    const detail = page.locator(`[data-detail-ticket="${CALLED_TICKET}"]`);
    await expect(detail.locator('[data-ticket-follow-up]').count()).resolves.toBe(0);
    // The handler closes it; the hotline calls the citizen back: not solved, not satisfied, 2 of 5.
    const now = Date.now();
    const res = await postEvents(server.app, [
      {
        id: 'ev-called-close',
        kind: 'ticket.closed',
        time: new Date(now - 60_000).toISOString(),
        source: 'hotline_12345',
        ticketId: CALLED_TICKET,
        resolved: true,
      },
      {
        id: 'ev-called-follow-up',
        kind: 'ticket.followed_up',
        time: new Date(now - 30_000).toISOString(),
        source: 'hotline_12345',
        ticketId: CALLED_TICKET,
        resolved: false,
        satisfied: false,
        score: 2,
        by: '回访员 07',
      },
    ]);
    expect(res.json()).toMatchObject({ accepted: 2 });
    // The ticket leaves the map; its detail stays, closed, with the call's answers, who made it and when.
    const call = detail.locator('[data-ticket-follow-up="yes"]');
    await call.waitFor({ timeout: 15_000 });
    const text = await call.innerText();
    for (const part of ['未解决', '不满意', '2 分', '回访员 07']) expect(text).toContain(part);
    await expect(detail.innerText()).resolves.toMatch(/状态\s+办结/);
    await screenshot(page, 'e2e-follow-up-desk-1920x1080.png');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);

  it('phone 390×844: 督办 from the ticket sheet, the badge in the detail', async () => {
    const { context, page, errors } = await open({ width: 390, height: 844 }, true);
    await page.locator('.sheet-tabs [data-sheet="table"]').tap();
    const row = page.locator('.ticket-row', { hasText: PHONE_TICKET });
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.tap();
    const detail = page.locator(`[data-detail-ticket="${PHONE_TICKET}"]`);
    await detail.waitFor({ state: 'visible', timeout: 15_000 });
    const button = detail.locator(`[data-supervise="${PHONE_TICKET}"]`);
    await button.scrollIntoViewIfNeeded();
    await button.tap();
    await detail.locator('[data-ticket-supervised="1"]').waitFor({ timeout: 15_000 });
    await detail.locator('[data-ticket-supervised]').scrollIntoViewIfNeeded();
    // The badge is on the screen, not cut off by the phone's edge.
    const box = (await detail.locator('.supervised-badge').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await screenshot(page, 'e2e-supervise-phone-390x844.png');
    expect(errors).toEqual([]);
    await context.close();
  }, 180_000);
});
