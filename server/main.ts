// The process: configuration, logger, listen, graceful close. Everything else is in the app (app.ts).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildApp, type App, type AppDeps } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { GeoLoadError } from './geo/load';

/** How long a graceful close may take before the process exits anyway. */
const CLOSE_TIMEOUT_MS = 10_000;

type Closer = () => Promise<unknown>;
interface ShutdownLog {
  info(msg: string): void;
  error(obj: unknown, msg: string): void;
}

/**
 * Closes what the process started on SIGINT / SIGTERM (and on a crash), in the order given, then exits.
 * A second signal, or a close that takes longer than CLOSE_TIMEOUT_MS, exits at once.
 */
export function closeOnSignals(closers: Closer[], log: ShutdownLog): void {
  let closing = false;
  const shutdown = async (reason: string, code: number) => {
    if (closing) {
      log.info(`${reason} again: exiting now`);
      process.exit(code || 1);
    }
    closing = true;
    log.info(`${reason}: closing`);
    const timer = setTimeout(() => {
      log.info(`close took longer than ${CLOSE_TIMEOUT_MS} ms: exiting`);
      process.exit(1);
    }, CLOSE_TIMEOUT_MS);
    timer.unref();
    let exitCode = code;
    for (const close of closers) {
      try {
        await close();
      } catch (err) {
        log.error({ err }, 'error while closing');
        exitCode = 1;
      }
    }
    log.info('closed');
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.on('uncaughtException', (err) => {
    log.error({ err }, 'uncaught exception');
    void shutdown('uncaught exception', 1);
  });
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled rejection');
    void shutdown('unhandled rejection', 1);
  });
}

/** The address people should open: a wildcard host is not a browsable address. */
export function publicUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/** Builds the app and listens; the caller owns shutdown. */
export async function startServer(config: Config, deps: AppDeps = {}): Promise<{ app: App; url: string }> {
  const app = await buildApp(config, deps);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = publicUrl(config.host, port);
  app.log.info({ url }, `Ops Map 运行一张图 is running at ${url}`);
  return { app, url };
}

/** Prints a start-up failure without a stack when it is an expected one (bad config, bad geography). */
export function reportStartFailure(err: unknown): never {
  // A configuration checked once the geography is loaded (a notification channel's area) is named ConfigError too.
  if (err instanceof ConfigError || err instanceof GeoLoadError || (err instanceof Error && err.name === 'ConfigError'))
    console.error(`Ops Map failed to start: ${err.message}`);
  else console.error('Ops Map failed to start:', err);
  process.exit(1);
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let app: App;
  try {
    ({ app } = await startServer(loadConfig(env)));
  } catch (err) {
    reportStartFailure(err);
  }
  closeOnSignals([() => app.close()], {
    info: (msg) => app.log.info(msg),
    error: (obj, msg) => app.log.error(obj, msg),
  });
}

// `node --import tsx server/main.ts` runs the server; importing this module does not.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  void main();
}
