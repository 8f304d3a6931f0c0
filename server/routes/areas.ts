// GET /api/v1/areas/tree and /api/v1/areas/:layer: the area tree and the area layers as GeoJSON, served from
// memory with an ETag per coding (routes/cached-json.ts).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AreaTree, LAYER_NAMES, type LayerName } from '../contract/areas';
import { errorResponses, notFound } from '../contract/errors';
import { requireAbility } from '../auth/guard';
import { servedLayer } from '../geo/compact';
import type { Geo } from '../geo/load';
import { doc, SESSION_OR_DEVICE } from '../openapi/spec';
import { cacheJson, sendCachedJson, type CachedJson } from './cached-json';

/** Area layers change only with a deployment; clients revalidate with the ETag after this. Private: only logged-in readers get them. */
const AREA_CACHE_CONTROL = 'private, max-age=300';

const FeatureCollection = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(
    Type.Object({
      type: Type.Literal('Feature'),
      properties: Type.Record(Type.String(), Type.Unknown()),
      geometry: Type.Unknown(),
    }),
  ),
});

/** The answer to If-None-Match with the current ETag: no body. */
const NotModified = Type.Null({ description: 'Not modified: the ETag sent in If-None-Match is current' });

const isLayerName = (name: string): name is LayerName => (LAYER_NAMES as string[]).includes(name);

export const areaRoutes: FastifyPluginAsyncTypebox<{ geo: Geo }> = async (app, { geo }) => {
  // Sent with coordinates cut to what the map can show (geo/compact.ts); the server keeps the exact ones.
  const layers = new Map(LAYER_NAMES.map((name) => [name, cacheJson(servedLayer(geo.layers[name]))]));
  const tree = cacheJson(geo.tree);
  const send = (request: FastifyRequest, reply: FastifyReply, cached: CachedJson) =>
    sendCachedJson(request, reply, cached, AREA_CACHE_CONTROL);

  // A static path wins over the parametric one in Fastify's router, so "tree" is never taken for a layer.
  // Readers only, but every reader gets the whole district: the map draws its outline and the towns around a
  // town leader's own; boundaries carry no operational data (docs/SECURITY.md).
  app.get(
    '/tree',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc('areas', 'The area tree: every area of the district with its parent and children', SESSION_OR_DEVICE),
        response: { 200: AreaTree, 304: NotModified, ...errorResponses(401, 403) },
      },
    },
    async (request, reply) => send(request, reply, tree),
  );

  app.get(
    '/:layer',
    {
      preHandler: requireAbility('read'),
      schema: {
        ...doc(
          'areas',
          'One area layer as GeoJSON (WGS84)',
          SESSION_OR_DEVICE,
          `Layers: ${LAYER_NAMES.join(', ')}. Every reader gets the whole district; coordinates to 5 decimals (about 1 m); ` +
            'brotli or gzip as Accept-Encoding allows, with an ETag per coding.',
        ),
        params: Type.Object({ layer: Type.String({ maxLength: 64 }) }),
        response: { 200: FeatureCollection, 304: NotModified, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { layer } = request.params;
      const cached = isLayerName(layer) ? layers.get(layer) : undefined;
      if (!cached) {
        return reply.code(404).send(notFound(`Unknown area layer "${layer}". Known layers: ${LAYER_NAMES.join(', ')}`));
      }
      return send(request, reply, cached);
    },
  );
};
