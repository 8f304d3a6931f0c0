// The built client (dist/client: index.html and Vite's hashed assets) and the answer to every unknown path: a
// page-like GET outside the server's own paths gets index.html, since the client routes in the browser; anything
// else, or any path under the server's prefixes, a JSON 404.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import { notFound } from '../contract/errors';
import { redactUrl } from '../auth/redact';

/** Paths that belong to the server: an unknown one answers a JSON 404, never the client's index.html. */
const SERVER_PREFIXES = ['/api', '/geo', '/socket.io', '/healthz', '/readyz', '/metrics'];

export interface ClientPluginOptions {
  /** Folder of the built client (index.html, assets/). */
  dir: string;
}

const clientPlugin: FastifyPluginAsync<ClientPluginOptions> = async (app, { dir }) => {
  const hasClient = existsSync(path.join(dir, 'index.html'));
  if (hasClient) {
    await app.register(fastifyStatic, {
      root: dir,
      cacheControl: false,
      // Vite names built assets by content hash, so they never change; index.html must always be fresh.
      setHeaders: (reply, filePath) => {
        const hashed = filePath.startsWith(path.join(dir, 'assets') + path.sep);
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  } else {
    app.log.warn({ clientDir: dir }, 'client not built: run `npm run build` (npm start builds it when needed)');
  }

  app.setNotFoundHandler((request, reply) => {
    const pathname = request.url.split('?', 1)[0] ?? '/';
    const isServerPath = SERVER_PREFIXES.some((p) => pathname === p || pathname.startsWith(p + '/'));
    // Paths with an extension are files; a missing one is a real 404, not the page.
    const isPage = (request.method === 'GET' || request.method === 'HEAD') && path.extname(pathname) === '';
    if (hasClient && isPage && !isServerPath) return reply.sendFile('index.html');
    if (!hasClient && isPage && !isServerPath) {
      return reply.code(404).send(notFound('The client is not built: run `npm run build`.'));
    }
    return reply.code(404).send(notFound(`Route ${request.method} ${redactUrl(pathname)} not found`));
  });
};

export default fp(clientPlugin, { name: 'client', fastify: '5.x' });
