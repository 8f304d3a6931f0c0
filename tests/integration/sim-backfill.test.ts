// A long backfill: the simulator's thin part (engine.ts `detailFrom`) and the embedded server's first start and
// resume (embedded.ts). Before detailFrom a run has every ticket but no ranger GPS track and one gauge reading an
// hour; a resumed run must regenerate exactly the events of its first start, thin part included.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpsEvent } from '../../server/contract/events';
import { loadGeo, type Geo } from '../../server/geo/load';
import type { AcceptSummary } from '../../server/ingest/accept';
import { detailFromFor, startEmbeddedSimulator } from '../../server/sim/embedded';
import { createSimulator } from '../../server/sim/engine';
import { GEO_DIR } from '../helpers/paths';

const HOUR = 3_600_000;
const START = Date.parse('2025-04-15T00:00:00+08:00');

let geo: Geo;
beforeAll(async () => {
  geo = await loadGeo(GEO_DIR);
});

/** What identifies an event apart from its serial id: the id counts every event, thin or not. */
const ticketKey = (e: OpsEvent): string => {
  const { id: _id, ...rest } = e;
  return JSON.stringify(rest);
};

describe('the thin part of a run (detailFrom)', () => {
  const detailFrom = START + 30 * HOUR;
  const end = START + 36 * HOUR;
  let thin: OpsEvent[];
  let full: OpsEvent[];
  beforeAll(() => {
    const opts = { geo, scenario: 'normal' as const, seed: 3, start: START, runId: 'thin-test' };
    thin = createSimulator({ ...opts, detailFrom }).next(end);
    full = createSimulator(opts).next(end);
  });
  const before = (list: OpsEvent[]) => list.filter((e) => Date.parse(e.time) < detailFrom);
  const after = (list: OpsEvent[]) => list.filter((e) => Date.parse(e.time) >= detailFrom);

  it('keeps every ticket event of a full run, whatever the detail', () => {
    const tickets = (list: OpsEvent[]) => list.filter((e) => e.kind.startsWith('ticket.')).map(ticketKey);
    expect(tickets(full).length).toBeGreaterThan(1000);
    expect(tickets(thin)).toEqual(tickets(full));
  });

  it('sends no ranger position before detailFrom, and the positions of a full run after it', () => {
    expect(before(thin).filter((e) => e.kind === 'patrol.position')).toEqual([]);
    expect(before(full).filter((e) => e.kind === 'patrol.position').length).toBeGreaterThan(10_000);
    expect(after(thin).filter((e) => e.kind === 'patrol.position').length).toBeGreaterThan(1000);
  });

  it('still starts, checks in and ends patrols before detailFrom', () => {
    const count = (list: OpsEvent[], kind: string) => before(list).filter((e) => e.kind === kind).length;
    for (const kind of ['patrol.started', 'patrol.checkin', 'patrol.ended']) {
      expect(count(thin, kind), kind).toBeGreaterThan(0);
      // Long steps reach a check-in a little later, so a patrol may miss its last point: within 15 %.
      expect(Math.abs(count(thin, kind) / count(full, kind) - 1), kind).toBeLessThan(0.15);
    }
  });

  it('sends the hour’s gauge readings before detailFrom (the same as a full run’s), every reading after it', () => {
    const readings = (list: OpsEvent[]) => list.filter((e) => e.kind === 'flood.reading').map(ticketKey);
    const onTheHour = (e: OpsEvent) => new Date(Date.parse(e.time)).getUTCMinutes() === 0;
    const thinBefore = before(thin).filter((e) => e.kind === 'flood.reading');
    expect(thinBefore.length).toBeGreaterThan(0);
    expect(thinBefore.every(onTheHour)).toBe(true);
    expect(readings(thinBefore)).toEqual(readings(before(full).filter(onTheHour)));
    expect(readings(after(thin))).toEqual(readings(after(full)));
  });
});

describe('the embedded simulator’s first start and resume', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-sim-'));
  const stateFile = path.join(dir, 'opsmap.sqlite.sim.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const log = { info: () => {}, warn: () => {} };
  const collect = (into: OpsEvent[]) => async (items: readonly unknown[]) => {
    into.push(...(items as OpsEvent[]));
    return { accepted: items.length, duplicates: 0, rejected: 0, results: [] } satisfies AcceptSummary;
  };
  // 10:00 on the fourth day: the detail starts at the third day's midnight, 34 hours back.
  const now = START + 82 * HOUR;
  const first: OpsEvent[] = [];
  const again: OpsEvent[] = [];

  beforeAll(async () => {
    const a = startEmbeddedSimulator({
      geo,
      accept: collect(first),
      scenario: 'normal',
      seed: 1,
      backfillHours: 82,
      stateFile,
      emptyLog: true,
      now: () => now,
      tickMs: 3_600_000,
      log,
    });
    await a.ready;
    await a.stop();
    // A restart an hour later, the log now holding the first start's events.
    const b = startEmbeddedSimulator({
      geo,
      accept: collect(again),
      scenario: 'normal',
      seed: 1,
      backfillHours: 82,
      stateFile,
      emptyLog: false,
      now: () => now + HOUR,
      tickMs: 3_600_000,
      log,
    });
    await b.ready;
    await b.stop();
  });

  it('backfills the whole period, only yesterday and today with ranger positions', () => {
    const detailFrom = START + 48 * HOUR;
    expect(detailFromFor(now)).toBe(detailFrom);
    const t = (e: OpsEvent) => Date.parse(e.time);
    expect(first.some((e) => e.kind === 'ticket.created' && t(e) < START + HOUR)).toBe(true);
    const positions = first.filter((e) => e.kind === 'patrol.position');
    expect(positions.length).toBeGreaterThan(1000);
    expect(positions.every((e) => t(e) >= detailFrom)).toBe(true);
    // Yesterday's morning patrols, which yesterday's brief counts, have their track.
    expect(positions.some((e) => t(e) < detailFrom + 12 * HOUR)).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({
      scenario: 'normal',
      seed: 1,
      start: START,
      detailFrom,
    });
  });

  it('resumes the same run: the first start’s events again, with the same ids, then the hour since', () => {
    expect(again.slice(0, first.length)).toEqual(first);
    expect(again.length).toBeGreaterThan(first.length);
  });
});
