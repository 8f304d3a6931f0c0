// Builds the real app for integration tests: in-memory store, no simulator, silent logs, unless told otherwise.
import { buildApp, type App, type AppDeps } from '../../server/app';
import { loadConfig } from '../../server/config';

export async function testApp(env: Record<string, string> = {}, deps: AppDeps = {}): Promise<App> {
  const config = loadConfig({
    STORE: 'memory',
    SIMULATOR: 'off',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    ...env,
  });
  const app = await buildApp(config, deps);
  await app.ready();
  return app;
}

/** A valid ticket.created in 玉桥街道 (WGS84), with overrides. */
export function ticket(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    kind: 'ticket.created',
    time: new Date(Date.now() - 60_000).toISOString(),
    source: 'hotline_12345',
    ticketId: `T-${id}`,
    category: 'e_bike',
    urgency: 'normal',
    channel: 'hotline_12345',
    title: '楼道内电动车充电',
    location: { lon: 116.6842, lat: 39.8875 },
    ...overrides,
  };
}
