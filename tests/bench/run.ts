// npm run bench: prints the figures docs/BENCHMARKS.md records. Each section warms up, then measures several
// rounds and reports the median, because this machine is noisy; compare approaches as ratios within one run.
import { performance } from 'node:perf_hooks';
import { cpus, totalmem } from 'node:os';
import { validateEvent, type OpsEvent } from '../../server/contract/events';
import { loadGeo } from '../../server/geo/load';
import { GEO_DIR } from '../helpers/paths';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[][] = [];
const row = (...cells: (string | number)[]) => {
  rows.push(cells.map(String));
  console.log(cells.join(' | '));
};

function ticket(i: number): OpsEvent {
  return {
    id: `bench-${i}`,
    kind: 'ticket.created',
    time: '2026-07-20T14:30:00+08:00',
    source: 'hotline_12345',
    ticketId: `T${i}`,
    category: 'e_bike',
    urgency: 'normal',
    channel: 'hotline_12345',
    title: '楼道内电动车充电',
    location: { lon: 116.68 + (i % 100) * 1e-4, lat: 39.89, crs: 'gcj02' },
  } as OpsEvent;
}

async function benchGeoLoad(): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await loadGeo(GEO_DIR);
    times.push(performance.now() - t);
  }
  row('geo: load + validate all layers (data/geo)', `${median(times).toFixed(0)} ms`, 'median of 5');
}

function benchValidate(): void {
  const N = 100_000;
  const good = Array.from({ length: N }, (_, i) => ticket(i));
  const bad = good.map((e, i) => ({ ...e, location: { lon: 'x', lat: 39.9 }, id: `bad-${i}` }));
  for (const [label, items] of [
    ['valid ticket.created', good],
    ['invalid ticket.created (with reasons)', bad],
  ] as const) {
    for (const e of items.slice(0, 5000)) validateEvent(e); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      for (const e of items) validateEvent(e);
      rates.push(N / ((performance.now() - t) / 1000));
    }
    row(`contract: validateEvent, ${label}`, `${Math.round(median(rates)).toLocaleString('en')} events/s`, 'median of 5 × 100k');
  }
}

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
  console.log('benchmark | figure | how');
  await benchGeoLoad();
  benchValidate();
}

await main();
