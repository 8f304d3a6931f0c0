// What `npm start` runs: builds the client when the build is missing or out of date, then starts the server.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './config';
import { DEFAULT_CLIENT_DIR } from './app';
import { main } from './main';

/** Everything the client build reads from the repository (the contract is imported by the client). */
const CLIENT_INPUTS = ['client', 'server/contract', 'vite.config.ts'].map((p) => path.join(PROJECT_ROOT, p));

function newestMtime(target: string): number {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** Why the client needs a build, or null when dist/client is up to date. */
export function clientBuildReason(clientDir = DEFAULT_CLIENT_DIR): string | null {
  const built = statSync(path.join(clientDir, 'index.html'), { throwIfNoEntry: false });
  if (!built) return `${path.relative(PROJECT_ROOT, clientDir)}/index.html is missing`;
  const newest = Math.max(...CLIENT_INPUTS.map(newestMtime));
  return newest > built.mtimeMs ? 'client sources changed since the last build' : null;
}

/** Runs the Vite production build with vite.config.ts (the same as `npm run build`). */
export async function buildClient(): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: path.join(PROJECT_ROOT, 'vite.config.ts'),
    root: path.join(PROJECT_ROOT, 'client'),
    logLevel: 'warn',
  });
}

/** Builds the client unless it is up to date; returns whether it built. */
export async function ensureClientBuilt(log: (msg: string) => void = console.log): Promise<boolean> {
  const reason = clientBuildReason();
  if (!reason) return false;
  log(`Building the client (${reason}) ...`);
  const started = Date.now();
  await buildClient();
  log(`Client built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    await ensureClientBuilt();
  } catch (err) {
    console.error('Ops Map: the client build failed:', err);
    process.exit(1);
  }
  await main();
}
