// The area layers and the tree on the wire: compressed as the client accepts, revalidated by ETag in any
// coding, and small enough that the grid (about 1 MB of JSON) is no longer the heaviest thing a screen loads.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { loadConfig } from '../../server/config';
import { servedLayer } from '../../server/geo/compact';
import { principals, sessionHeaders } from '../helpers/auth';

let app: App;
let reader: Record<string, string>;

beforeAll(async () => {
  app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', STORE: 'memory', SIMULATOR: 'off' }));
  await app.ready();
  reader = await sessionHeaders(app, principals.townLeader);
});

afterAll(async () => {
  await app?.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url, headers: { ...reader, ...headers } });

/** The grid as the server sends it uncompressed: the bytes every coding must decode to. */
const plainGrid = () => JSON.stringify(servedLayer(app.services.geo.layers.grid));

describe('GET /api/v1/areas/grid on the wire', () => {
  it('without Accept-Encoding is plain JSON, coordinates cut to 5 decimals', async () => {
    const res = await get('/api/v1/areas/grid');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(res.headers['cache-control']).toBe('private, max-age=300');
    expect(res.body).toBe(plainGrid());
    // No coordinate carries a sixth decimal.
    expect(res.body).not.toMatch(/\d+\.\d{6,}/);
  });

  it('gzip decodes to the same JSON at under a tenth of its size', async () => {
    const res = await get('/api/v1/areas/grid', { 'accept-encoding': 'gzip, deflate' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.headers.etag).toMatch(/-gz"$/);
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    const plain = plainGrid();
    expect(res.rawPayload.length).toBeLessThan(100 * 1024);
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(plain) / 10);
    expect(gunzipSync(res.rawPayload).toString()).toBe(plain);
  });

  it('brotli, once made in the background, decodes to the same JSON and is smaller than gzip', async () => {
    const gz = await get('/api/v1/areas/grid', { 'accept-encoding': 'gzip' });
    // The first request that accepts brotli starts it and gets gzip meanwhile.
    let res = await get('/api/v1/areas/grid', { 'accept-encoding': 'gzip, deflate, br' });
    expect(['br', 'gzip']).toContain(res.headers['content-encoding']);
    const deadline = Date.now() + 30_000;
    while (res.headers['content-encoding'] !== 'br' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await get('/api/v1/areas/grid', { 'accept-encoding': 'gzip, deflate, br' });
    }
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.etag).toMatch(/-br"$/);
    expect(res.rawPayload.length).toBeLessThan(gz.rawPayload.length);
    expect(res.rawPayload.length).toBeLessThan(75 * 1024);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(plainGrid());
  });

  it('honours q=0 and a preference for identity', async () => {
    expect((await get('/api/v1/areas/towns', { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe(
      'gzip',
    );
    expect((await get('/api/v1/areas/towns', { 'accept-encoding': 'identity' })).headers['content-encoding']).toBe(
      undefined,
    );
  });

  it('answers 304 to the ETag of any coding of the current content, repeating the tag held', async () => {
    const gz = await get('/api/v1/areas/grid', { 'accept-encoding': 'gzip' });
    const plain = await get('/api/v1/areas/grid');
    for (const tag of [String(gz.headers.etag), String(plain.headers.etag), `W/${String(gz.headers.etag)}`]) {
      const again = await get('/api/v1/areas/grid', { 'accept-encoding': 'gzip, br', 'if-none-match': tag });
      expect(again.statusCode).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(tag);
      expect(again.headers['content-encoding']).toBeUndefined();
    }
    // Another layer's tag, or a made-up one, is not current.
    const towns = await get('/api/v1/areas/towns', { 'accept-encoding': 'gzip' });
    for (const tag of [String(towns.headers.etag), '"abc-gz"', 'garbage']) {
      expect((await get('/api/v1/areas/grid', { 'accept-encoding': 'gzip', 'if-none-match': tag })).statusCode).toBe(
        200,
      );
    }
  });
});

describe('GET /api/v1/areas/tree on the wire', () => {
  it('is compressed too: 800 KB of names and boxes in well under 100 KB', async () => {
    const plain = await get('/api/v1/areas/tree');
    const gz = await get('/api/v1/areas/tree', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.length).toBeLessThan(100 * 1024);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(plain.body);
    expect(JSON.parse(plain.body)).toEqual(JSON.parse(JSON.stringify(app.services.geo.tree)));
  });
});
