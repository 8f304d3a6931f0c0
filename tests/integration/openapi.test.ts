// The OpenAPI document (GET /api/docs/json) of the real app: valid OpenAPI by a validator of its own, and complete:
// every route the app registers is in it, with a summary, a tag, its security and its answers, unless it is not
// API at all (files and the document's own page), which is listed here by name.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { SESSION_COOKIE } from '../../server/contract/auth';
import { testApp } from '../helpers/app';

/** Registered, but not API: the client's files, and the reference page's own routes (the document is its subject). */
const NOT_API = [
  'GET /*',
  'GET /api/docs',
  'GET /api/docs/json',
  'GET /api/docs/yaml',
  'GET /api/docs/static/*',
  'GET /api/docs/static/index.html',
  'GET /api/docs/static/swagger-initializer.js',
].sort();

/** Routes that need no credentials: the document must say so with `security: []`. */
const PUBLIC = [
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/device',
  'POST /api/v1/auth/logout',
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  tags?: { name: string }[];
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, Record<string, string>> };
}

/** `/api/v1/alerts/:id` → `/api/v1/alerts/{id}`, the form the document uses. */
const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const API_ERROR_REF = '#/components/schemas/ApiError';

let app: App;
let clientDir: string;
let doc: Document;
const registered = new Set<string>();

beforeAll(async () => {
  // A stand-in client build, so that the client's file route exists whether or not dist/client was built.
  clientDir = mkdtempSync(path.join(tmpdir(), 'opsmap-openapi-'));
  writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Ops Map</title>');
  mkdirSync(path.join(clientDir, 'assets'));
  app = await testApp(
    {},
    {
      clientDir,
      onRoute: (route) => {
        for (const method of [route.method].flat())
          if (method !== 'HEAD' && method !== 'OPTIONS') registered.add(`${method} ${route.url}`);
      },
    },
  );
  const res = await app.inject('/api/docs/json');
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  doc = res.json() as Document;
});

afterAll(async () => {
  await app?.close();
  rmSync(clientDir, { recursive: true, force: true });
});

/** Every operation of the document, as `METHOD /path` → operation. */
function operations(): Map<string, Operation> {
  const out = new Map<string, Operation>();
  for (const [p, item] of Object.entries(doc.paths))
    for (const method of METHODS) {
      const op = item[method];
      if (op) out.set(`${method.toUpperCase()} ${p}`, op);
    }
  return out;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 (a validator of its own, offline)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], 'validation errors').toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
  });

  it('has every route the app registers, and hides only what is not API', () => {
    const ops = operations();
    const missing = [...registered].filter((r) => {
      const [method, url] = r.split(' ') as [string, string];
      return !ops.has(`${method} ${openapiPath(url)}`);
    });
    expect(missing.sort(), 'routes left out of the document').toEqual(NOT_API);
    // …and nothing in it that the app does not serve.
    const served = new Set([...registered].map((r) => openapiPath(r)));
    expect([...ops.keys()].filter((k) => !served.has(k))).toEqual([]);
    expect(ops.size).toBe(registered.size - NOT_API.length);
  });

  it('gives each operation a summary, a declared tag, its security, a 2xx and (where it can fail) a 4xx', () => {
    const tags = new Set((doc.tags ?? []).map((t) => t.name));
    const schemes = new Set(Object.keys(doc.components.securitySchemes ?? {}));
    const problems: string[] = [];
    for (const [name, op] of operations()) {
      if (!op.summary?.trim()) problems.push(`${name}: no summary`);
      if (!op.tags?.length) problems.push(`${name}: no tag`);
      for (const t of op.tags ?? []) if (!tags.has(t)) problems.push(`${name}: tag '${t}' not declared`);
      if (!Array.isArray(op.security)) problems.push(`${name}: no security`);
      for (const requirement of op.security ?? [])
        for (const scheme of Object.keys(requirement))
          if (!schemes.has(scheme)) problems.push(`${name}: unknown security scheme '${scheme}'`);
      const codes = Object.keys(op.responses ?? {});
      if (!codes.some((c) => /^2\d\d$/.test(c))) problems.push(`${name}: no 2xx answer`);
      // A public operation without parameters or body cannot be refused (health, readiness, metrics).
      const canFail = (op.security?.length ?? 0) > 0 || (op.parameters?.length ?? 0) > 0 || op.requestBody;
      if (canFail && !codes.some((c) => /^4\d\d$/.test(c))) problems.push(`${name}: no 4xx answer`);
      // A guarded operation says what happens without credentials.
      if ((op.security?.length ?? 0) > 0 && !codes.includes('401')) problems.push(`${name}: guarded, but no 401`);
    }
    expect(problems).toEqual([]);
  });

  it('describes every error with the one ApiError schema, registered once', () => {
    expect(Object.keys(doc.components.schemas ?? {})).toEqual(['ApiError']);
    const problems: string[] = [];
    for (const [name, op] of operations())
      for (const [code, answer] of Object.entries(op.responses ?? {})) {
        // Readiness answers 503 with its own report: what a load balancer reads, not an error.
        if (!/^[45]\d\d$/.test(code) || `${name} ${code}` === 'GET /readyz 503') continue;
        const schema = answer.content?.['application/json']?.schema;
        // The OsmAnd routes answer a refused position with its own reasons, or an ApiError (an unreadable body).
        const refs: string[] = JSON.stringify(schema ?? null).match(/"\$ref":"[^"]+"/g) ?? [];
        if (!refs.includes(`"$ref":"${API_ERROR_REF}"`)) problems.push(`${name} ${code}: not an ApiError`);
        if (!answer.description || answer.description === 'Default Response')
          problems.push(`${name} ${code}: no description`);
      }
    expect(problems).toEqual([]);
    // No copy of the error shape left inline anywhere.
    expect(JSON.stringify(doc.paths)).not.toMatch(/"required":\["statusCode"/);
  });

  it('names the two credentials: the session cookie and a bearer device token; health and login are public', () => {
    expect(doc.components.securitySchemes).toMatchObject({
      session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
      deviceToken: { type: 'http', scheme: 'bearer' },
    });
    const ops = operations();
    for (const name of PUBLIC) expect(ops.get(name)?.security, name).toEqual([]);
    expect(ops.get('GET /api/v1/tickets')?.security).toEqual([{ session: [] }, { deviceToken: [] }]);
    // Administration and acting on alerts are a person's deeds: no device role may do them.
    expect(ops.get('POST /api/v1/admin/devices')?.security).toEqual([{ session: [] }]);
    expect(ops.get('POST /api/v1/alerts/{id}/acknowledge')?.security).toEqual([{ session: [] }]);
    // 督办 too: the log says which person supervised.
    expect(ops.get('POST /api/v1/tickets/{id}/supervise')?.security).toEqual([{ session: [] }]);
    expect(ops.get('GET /api/v1/tickets/{id}')?.security).toEqual([{ session: [] }, { deviceToken: [] }]);
  });

  it('is served as YAML too, and the same to every caller', async () => {
    const yaml = await app.inject('/api/docs/yaml');
    expect(yaml.statusCode).toBe(200);
    expect(yaml.body).toMatch(/^openapi: 3\.1\.0$/m);
    const again = await app.inject({ url: '/api/docs/json', headers: { authorization: 'Bearer not-a-token' } });
    expect(again.json()).toEqual(doc);
  });
});
