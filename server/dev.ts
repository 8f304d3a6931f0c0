// What `npm run dev` runs: the API server (PORT, 8080) and the Vite dev server (5173) with hot reload.
// Vite forwards /api, /geo, /healthz and /socket.io to the API server (proxy in vite.config.ts).
import path from 'node:path';
import { loadConfig, PROJECT_ROOT } from './config';
import { closeOnSignals, reportStartFailure, startServer } from './main';

const env = { NODE_ENV: 'development', ...process.env };

try {
  const config = loadConfig(env);
  const { app, url } = await startServer(config);

  // vite.config.ts reads the proxy target when Vite loads it, so it must follow the API's port.
  process.env.OPSMAP_DEV_API ??= `http://127.0.0.1:${new URL(url).port}`;
  const { createServer } = await import('vite');
  const vite = await createServer({
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    root: path.join(PROJECT_ROOT, 'client'),
  });
  await vite.listen();
  vite.printUrls();
  app.log.info(`dev: open the Vite URL above; the API answers at ${url}`);

  closeOnSignals([() => vite.close(), () => app.close()], {
    info: (msg) => app.log.info(msg),
    error: (obj, msg) => app.log.error(obj, msg),
  });
} catch (err) {
  reportStartFailure(err);
}
