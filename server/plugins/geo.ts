// The geography: the area layers read from GEO_DIR and the locator over them. A broken or inconsistent layer stops
// the start here, naming file, feature and problem (geo/load.ts).
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { loadGeo, type Geo } from '../geo/load';
import { createLocator, type Locator } from '../geo/locate';

declare module 'fastify' {
  interface FastifyInstance {
    geo: Geo;
    locator: Locator;
  }
}

export interface GeoPluginOptions {
  dir: string;
  /** Reads the area layers; tests replace it. */
  load?: (dir: string) => Promise<Geo>;
}

const geoPlugin: FastifyPluginAsync<GeoPluginOptions> = async (app, { dir, load = loadGeo }) => {
  const geo = await load(dir);
  app.readiness.checks.geo = true;
  app.log.info({ dir: geo.dir, towns: geo.layers.towns.features.length }, 'geography loaded');
  app.decorate('geo', geo);
  app.decorate('locator', createLocator(geo));
};

export default fp(geoPlugin, { name: 'geo', fastify: '5.x', dependencies: ['ops'] });
