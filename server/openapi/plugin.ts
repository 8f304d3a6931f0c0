// The OpenAPI 3.1 document of the HTTP API, made from the routes' own schemas as they are added (@fastify/swagger),
// at GET /api/docs/json (and /yaml), and a reference page at /api/docs (@fastify/swagger-ui). Every file of the
// page comes from the npm package, served by this server: no CDN, no font, no validator badge, nothing from
// another host, so the page works on a LAN without internet and under the app's CSP as it is (the page's scripts
// are files, never inline). Public, like the client's files: it describes shapes, never data (docs/SECURITY.md).
// Registered before every route: the document lists the routes added after it.
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { PROJECT_ROOT } from '../config';
import { SECURITY_SCHEMES, TAGS } from './spec';

export const DOCS_PREFIX = '/api/docs';

const version = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

type Paths = Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>;

/** An answer without a description of its own (a success) is named by its status: 'OK', 'Created', … */
function nameAnswers(paths: Paths | undefined): void {
  for (const operations of Object.values(paths ?? {}))
    for (const operation of Object.values(operations))
      for (const [code, answer] of Object.entries(operation.responses ?? {}))
        if (answer.description === 'Default Response') answer.description = STATUS_CODES[code] ?? code;
}

const openapiPlugin: FastifyPluginAsync = async (app) => {
  await app.register(fastifySwagger, {
    openapi: {
      // 3.1: its schemas are JSON Schema 2020-12, like TypeBox's (null types, tuples), so nothing is lost.
      openapi: '3.1.0',
      info: {
        title: 'Ops Map API (运行一张图)',
        version,
        description:
          'The HTTP API of Ops Map. Every answer in error has the shape of `ApiError`. Who may call what: ' +
          'docs/SECURITY.md (roles, scopes); how to send events: docs/INGEST.md. Live updates are a Socket.IO ' +
          'connection at /socket.io, not described here.',
      },
      components: { securitySchemes: SECURITY_SCHEMES },
      tags: TAGS.map((t) => ({ ...t })),
    },
    transformObject: (document) => {
      if (!('openapiObject' in document)) return document.swaggerObject;
      nameAnswers(document.openapiObject.paths as Paths | undefined);
      return document.openapiObject;
    },
    // Shared schemas keep their own names (components.schemas.ApiError), not def-0, def-1, …
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PREFIX,
    // BaseLayout: the operations only, without the top bar (an "explore any URL" field and swagger.io's logo).
    uiConfig: { layout: 'BaseLayout', docExpansion: 'list', deepLinking: true, displayRequestDuration: true },
    theme: { title: 'Ops Map API · 运行一张图' },
    // No validator badge: swagger-ui's default would send the document to a public validator host.
    validatorUrl: false,
  });
};

export default fp(openapiPlugin, { name: 'opsmap-openapi', fastify: '5.x' });
