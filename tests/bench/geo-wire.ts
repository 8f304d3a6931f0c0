// npm run bench -- geo: the area layers and the tree on the wire, before (the files' JSON as it is, sent
// uncompressed) and after (coordinates cut to 5 decimals, brotli or gzip as served), and what a reader spends
// decoding each: decompression plus JSON.parse, in Node (the browser decompresses natively, off the main
// thread, and parses with the same kind of engine).
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from 'node:zlib';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import { LAYER_NAMES } from '../../server/contract/areas';
import { principals, sessionHeaders } from '../helpers/auth';

type Row = (...cells: (string | number)[]) => void;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Median ms of `fn` over 15 rounds after 3 warm-ups. */
function timeMs(fn: () => unknown): number {
  for (let i = 0; i < 3; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

interface Wire {
  before: Buffer;
  plain: Buffer;
  gzip: Buffer;
  br: Buffer;
}

/** The route's answer in each coding; brotli is made in the background, so it waits for it. */
async function fetchAll(app: App, headers: Record<string, string>, url: string, before: unknown): Promise<Wire> {
  const get = (coding?: string) =>
    app.inject({ method: 'GET', url, headers: coding ? { ...headers, 'accept-encoding': coding } : headers });
  const plain = await get();
  const gzip = await get('gzip');
  let br = await get('br, gzip');
  const deadline = Date.now() + 60_000;
  while (br.headers['content-encoding'] !== 'br') {
    if (Date.now() > deadline) throw new Error(`${url}: no brotli copy after 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    br = await get('br, gzip');
  }
  return {
    before: Buffer.from(JSON.stringify(before)),
    plain: plain.rawPayload,
    gzip: gzip.rawPayload,
    br: br.rawPayload,
  };
}

export async function benchGeoWireRows(row: Row): Promise<void> {
  const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', STORE: 'memory', SIMULATOR: 'off' }));
  try {
    await app.ready();
    const headers = await sessionHeaders(app, principals.wall);
    const { geo } = app.services;
    const items: [string, string, unknown][] = [
      ...LAYER_NAMES.map((n): [string, string, unknown] => [n, `/api/v1/areas/${n}`, geo.layers[n]]),
      ['tree', '/api/v1/areas/tree', geo.tree],
    ];
    const totals = { before: 0, plain: 0, gzip: 0, br: 0, parseBefore: 0, decodeBr: 0 };
    for (const [name, url, before] of items) {
      const w = await fetchAll(app, headers, url, before);
      const parseBefore = timeMs(() => JSON.parse(w.before.toString()));
      const decodeGzip = timeMs(() => JSON.parse(gunzipSync(w.gzip).toString()));
      const decodeBr = timeMs(() => JSON.parse(brotliDecompressSync(w.br).toString()));
      totals.before += w.before.length;
      totals.plain += w.plain.length;
      totals.gzip += w.gzip.length;
      totals.br += w.br.length;
      totals.parseBefore += parseBefore;
      totals.decodeBr += decodeBr;
      if (name !== 'grid' && name !== 'tree' && name !== 'neighbors') continue;
      if (name === 'grid') {
        // What the server spends once per start and layer (in the libuv pool, not on the event loop).
        let t = performance.now();
        gzipSync(w.plain, { level: constants.Z_BEST_COMPRESSION });
        const gzipMs = performance.now() - t;
        t = performance.now();
        brotliCompressSync(w.plain, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } });
        row(
          `geo wire: ${url}, compressing it once per start: gzip -9; brotli 11`,
          `${gzipMs.toFixed(0)} ms; ${(performance.now() - t).toFixed(0)} ms`,
          'gzip awaited by the first request; brotli made in the background, gzip sent meanwhile',
        );
      }
      row(
        `geo wire: ${url}, bytes before → after (brotli; gzip)`,
        `${kb(w.before.length)} → ${kb(w.br.length)} (${kb(w.gzip.length)})`,
        `after uncompressed: ${kb(w.plain.length)}${name === 'tree' ? '' : ' (5 decimals)'}; as served, Accept-Encoding br / gzip`,
      );
      row(
        `geo wire: ${url}, decode ms before → after (brotli; gzip)`,
        `${parseBefore.toFixed(1)} → ${decodeBr.toFixed(1)} (${decodeGzip.toFixed(1)}) ms`,
        'JSON.parse, after: decompress + JSON.parse; median of 15, Node',
      );
    }
    row(
      `geo wire: all ${LAYER_NAMES.length} layers + the tree, bytes before → after (brotli; gzip)`,
      `${kb(totals.before)} → ${kb(totals.br)} (${kb(totals.gzip)})`,
      `after uncompressed: ${kb(totals.plain)}; decode ${totals.parseBefore.toFixed(1)} → ${totals.decodeBr.toFixed(1)} ms in all`,
    );
  } finally {
    await app.close();
  }
}
