// npm run bench -- replay: how long history mode takes to start. A simulated log (normal scenario, realistic
// rates: the embedded simulator's own mix) in a SQLite file; a replay opens over one whole day: at the day's
// start (the fold reads nothing of the day), and at its end (a seek to the last moment folds the whole day);
// then the same on a week-long log, where every replay first folds the days before the window.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadGeo } from '../../server/geo/load';
import { createLocator } from '../../server/geo/locate';
import { createAcceptor } from '../../server/ingest/accept';
import { createInProcessBus } from '../../server/bus/in-process';
import { DAY_MS, dayStartMs, localDay } from '../../server/contract/time';
import { ReplaySession } from '../../server/replay/session';
import { createSimulator } from '../../server/sim/engine';
import { openSqliteStore } from '../../server/store/sqlite';
import { GEO_DIR } from '../helpers/paths';

type Row = (...cells: (string | number)[]) => void;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchReplayRows(row: Row): Promise<void> {
  const geo = await loadGeo(GEO_DIR);
  const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-replay-bench-'));
  try {
    const end = dayStartMs(localDay(Date.parse('2026-07-27T12:00:00+08:00')));
    for (const days of [1, 7]) {
      const store = openSqliteStore(path.join(dir, `log-${days}.sqlite`), { synchronous: 'normal' });
      const bus = createInProcessBus(store);
      const start = end - days * DAY_MS;
      const accept = createAcceptor({
        geo,
        locator: createLocator(geo),
        bus,
        maxFutureSkewMs: 300_000,
        now: () => end + 60_000,
      });
      const sim = createSimulator({ geo, scenario: 'normal', seed: 5, start });
      for (let t = start + 3600_000; t <= end; t += 3600_000) {
        const events = sim.next(t);
        for (let i = 0; i < events.length; i += 5000) await accept(events.slice(i, i + 5000));
      }
      const logLength = await store.lastSeq();
      const dayFrom = end - DAY_MS;
      const deps = { geo, store };
      const time = async (atMs: number): Promise<{ ms: number; seq: number }> => {
        const times: number[] = [];
        let seq = 0;
        for (let r = 0; r < 3; r++) {
          const t0 = performance.now();
          const session = await ReplaySession.open(deps, {
            scope: geo.tree.root as never,
            fromMs: dayFrom,
            toMs: end,
            atMs,
          });
          session.snapshot();
          times.push(performance.now() - t0);
          seq = session.seq;
        }
        return { ms: median(times), seq };
      };
      const atStart = await time(dayFrom);
      const atEnd = await time(end);
      const eventsPerDay = Math.round(logLength / days);
      row(
        `replay: start a day's replay (district snapshot), log of ${days} day${days > 1 ? 's' : ''}, at the day's start`,
        `${Math.round(atStart.ms)} ms`,
        `${logLength.toLocaleString('en')} events in the log (${eventsPerDay.toLocaleString('en')}/day, normal scenario); folds ${atStart.seq.toLocaleString('en')} events; median of 3; goal < 2 s`,
      );
      row(
        `replay: the same, opened at the day's end (the whole day folded)`,
        `${Math.round(atEnd.ms)} ms`,
        `folds ${atEnd.seq.toLocaleString('en')} events; median of 3`,
      );
      await bus.close();
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
