// The real app (real config, real geography from data/geo), exercised with inject: no port, no browser.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../server/app';
import { ConfigError, loadConfig } from '../../server/config';
import { LAYER_NAMES } from '../../server/contract/areas';
import { GeoLoadError } from '../../server/geo/load';
import { principals, sessionHeaders } from '../helpers/auth';

const INDEX_MARKER = '<!-- ops-map test client -->';

let app: App;
let clientDir: string;
/** The area layers are for logged-in readers (docs/SECURITY.md): a town leader's session, the narrowest. */
let reader: Record<string, string>;

beforeAll(async () => {
  // A stand-in for dist/client, so these tests do not depend on a Vite build.
  clientDir = mkdtempSync(path.join(tmpdir(), 'opsmap-client-'));
  writeFileSync(path.join(clientDir, 'index.html'), `<!doctype html>${INDEX_MARKER}<div id="root"></div>`);
  mkdirSync(path.join(clientDir, 'assets'));
  writeFileSync(path.join(clientDir, 'assets', 'index-abc123.js'), 'console.log("ok")');

  app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'test', STORE: 'memory', SIMULATOR: 'off' }), {
    clientDir,
  });
  await app.ready();
  reader = await sessionHeaders(app, principals.townLeader);
});

afterAll(async () => {
  await app?.close();
  rmSync(clientDir, { recursive: true, force: true });
});

describe('health', () => {
  it('GET /healthz answers ok', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is ready once the geography is loaded', async () => {
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { geo: true, store: true } });
  });
});

describe('GET /api/v1/areas/:layer', () => {
  it.each(LAYER_NAMES)('%s is a non-empty FeatureCollection with cache headers', async (layer) => {
    const res = await app.inject({ method: 'GET', url: `/api/v1/areas/${layer}`, headers: reader });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
    expect(res.headers.etag).toBeTruthy();
    const body = res.json() as { type: string; features: { type: string; properties: { id: string } }[] };
    expect(body.type).toBe('FeatureCollection');
    expect(body.features.length).toBeGreaterThan(0);
    for (const feature of body.features) {
      expect(feature.type).toBe('Feature');
      expect(typeof feature.properties.id).toBe('string');
    }
  });

  it('answers 304 when the ETag still matches', async () => {
    const first = await app.inject({ method: 'GET', url: '/api/v1/areas/towns', headers: reader });
    const again = await app.inject({
      method: 'GET',
      url: '/api/v1/areas/towns',
      headers: { ...reader, 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('an unknown layer is a JSON 404 that names the known layers', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/areas/lakes', headers: reader });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { statusCode: number; message: string };
    expect(body.statusCode).toBe(404);
    expect(body.message).toContain('"lakes"');
    expect(body.message).toContain('towns');
  });
});

describe('GET /api/v1/areas/tree', () => {
  it('is rooted at the district, with every town as its child', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/areas/tree', headers: reader });
    expect(res.statusCode).toBe(200);
    const tree = res.json() as {
      root: string;
      nodes: Record<string, { key: string; level: string; parent: string | null; bbox: number[] }>;
      children: Record<string, string[]>;
    };
    const root = tree.nodes[tree.root];
    expect(root?.level).toBe('district');
    expect(root?.parent).toBeNull();
    expect(root?.bbox).toHaveLength(4);

    const towns = (await app.inject({ method: 'GET', url: '/api/v1/areas/towns', headers: reader })).json() as {
      features: { properties: { id: string } }[];
    };
    const townKeys = towns.features.map((f) => `town:${f.properties.id}`).sort();
    const childTowns = (tree.children[tree.root] ?? []).filter((key) => tree.nodes[key]?.level === 'town');
    expect([...childTowns].sort()).toEqual(townKeys);
    for (const key of townKeys) expect(tree.nodes[key]?.parent).toBe(tree.root);
  });
});

describe('the client and unknown paths', () => {
  it('serves the built client at /', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain(INDEX_MARKER);
  });

  it('falls back to index.html for an unknown page path', async () => {
    const res = await app.inject({ method: 'GET', url: '/wall/town/110112004?tour=1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain(INDEX_MARKER);
  });

  it('serves hashed assets as immutable and a missing file as 404', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await app.inject({ method: 'GET', url: '/assets/nope-123.js' });
    expect(missing.statusCode).toBe(404);
  });

  it.each(['/api/v1/nope', '/api', '/healthz/extra', '/socket.io/x'])('%s stays a JSON 404', async (url) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect((res.json() as { statusCode: number }).statusCode).toBe(404);
  });

  it('a POST to an unknown path is a JSON 404, not the page', async () => {
    const res = await app.inject({ method: 'POST', url: '/somewhere', payload: {} });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });
});

describe('start-up failures', () => {
  it('a broken layer stops the build with the loader message', async () => {
    const problem = 'towns.geojson: feature 3 (110112004): geometry is not a Polygon';
    const build = buildApp(loadConfig({ LOG_LEVEL: 'silent', STORE: 'memory', SIMULATOR: 'off' }), {
      clientDir,
      loadGeo: async () => {
        throw new GeoLoadError([problem]);
      },
    });
    await expect(build).rejects.toThrow(GeoLoadError);
    await expect(build).rejects.toThrow(problem);
  });

  it('a bad PORT is a clear config error', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT="70000" is not valid/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(loadConfig({}).port).toBe(8080);
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });
});
