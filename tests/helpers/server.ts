// The real server for browser tests: the built client (built here when missing or stale) and the real
// app, listening on a free port of 127.0.0.1.
import type { App, AppDeps } from '../../server/app';
import { loadConfig } from '../../server/config';
import { startServer } from '../../server/main';
import { ensureClientBuilt } from '../../server/start';

export interface TestServer {
  /** Origin of the server, e.g. http://127.0.0.1:41234 */
  url: string;
  app: App;
  close: () => Promise<void>;
}

/**
 * The embedded product as `npm start` runs it, but on an in-memory log (env overrides, e.g. SIMULATOR,
 * STORE and DATABASE_PATH). A free port unless env.PORT names one (a restart test reopens the same port).
 */
export async function startTestServer(deps: AppDeps = {}, env: Record<string, string> = {}): Promise<TestServer> {
  await ensureClientBuilt(() => {});
  const config = loadConfig({
    STORE: 'memory',
    // Eight hours, not two: a run at night (CI at 04:00 in Beijing) would find hardly a ticket in the last
    // two, and the pages' tests need open tickets on the screen; eight reach back into the evening's.
    SIM_BACKFILL_HOURS: '8',
    ...env,
    PORT: env.PORT ?? '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    NODE_ENV: 'test',
    GEO_DIR: process.env.GEO_DIR,
  });
  const { app, url } = await startServer(config, deps);
  return { url, app, close: () => app.close() };
}
