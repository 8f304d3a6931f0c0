// Main-thread ms per applied delta of two or more builds of the harness page (tests/bench/page), run
// alternately so that a noisy machine weighs on each the same: `node --import tsx tests/bench/compare-deltas.ts
// DIR_A DIR_B [--rounds 3] [--renderer llvmpipe] [--tickets points|heatmap] [--deltas 100]`. A DIR without an
// index.html is built there from this checkout first (build the old one from a worktree at the old commit with
// the same command run there). Prints each run and each build's median of the runs' medians, and the ratio.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchDeltas, buildHarnessInto, median, type RendererName } from './dashboard';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    renderer: { type: 'string', default: 'llvmpipe' },
    tickets: { type: 'string', default: 'points' },
    deltas: { type: 'string', default: '100' },
  },
});
for (const dir of positionals) if (!existsSync(path.join(dir, 'index.html'))) await buildHarnessInto(dir);
type Row = {
  total: number;
  withFrame: number;
  frame: number;
  sync: number;
  redraw: number;
  apply: number;
  build: number;
};
const runs: Row[][] = positionals.map(() => []);
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [i, dir] of positionals.entries()) {
    const d = await benchDeltas(values.renderer as RendererName, dir, {
      tickets: values.tickets as 'points' | 'heatmap',
      warmup: 10,
      deltas: Number(values.deltas),
      intervalMs: 150,
      budgetMs: 120_000,
    });
    const row = {
      total: d.totalMedian,
      withFrame: d.withFrameMedian,
      frame: d.parts.frame,
      sync: d.syncMedian,
      redraw: d.parts.redraw,
      apply: d.parts.apply,
      build: d.parts.build,
    };
    runs[i]!.push(row);
    console.log(
      `round ${round} ${dir}: total ${row.total.toFixed(2)} ms median (p95 ${d.totalP95.toFixed(1)}), with the frame's commit ${row.withFrame.toFixed(2)} (commit ${row.frame.toFixed(2)}), sync ${row.sync.toFixed(2)}, apply ${row.apply.toFixed(2)}, layers ${row.build.toFixed(2)}, redraw ${row.redraw.toFixed(2)}, loop frames ${d.parts.loopFrames.toFixed(2)}`,
    );
  }
}
const first = median(runs[0]!.map((r) => r.total));
const firstWithFrame = median(runs[0]!.map((r) => r.withFrame));
for (const [i, rs] of runs.entries()) {
  const m = (k: keyof Row) => median(rs.map((r) => r[k])).toFixed(2);
  console.log(
    `${positionals[i]}: total ${m('total')} ms (median of ${rs.length} runs' medians), with the frame's commit ${m('withFrame')}, commit ${m('frame')}, sync ${m('sync')}, apply ${m('apply')}, layers ${m('build')}, redraw ${m('redraw')}; ratio to the first ${(median(rs.map((r) => r.total)) / first).toFixed(2)} (with the commit ${(median(rs.map((r) => r.withFrame)) / firstWithFrame).toFixed(2)})`,
  );
}
