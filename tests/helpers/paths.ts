// Where the test suites find the repository's data and the raw sources beside the checkout.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GEO_DIR = resolve(ROOT, 'data', 'geo');
export const RAW_GEO_DIR = resolve(process.env.RAW_GEO_DIR ?? resolve(ROOT, '..', 'shared', 'data', 'geo'));
export const IN_CI = process.env.CI === 'true';

/**
 * The raw sources live in ../shared, beside the checkout. CI always has them, and there a missing folder is a
 * failure; a developer without them skips only the tests that need them.
 */
export function rawSourcesAvailable(): boolean {
  const ok = existsSync(resolve(RAW_GEO_DIR, 'SOURCES.md'));
  if (!ok && IN_CI)
    throw new Error(`raw geography not found at ${RAW_GEO_DIR}; CI must have ../shared beside the repo`);
  return ok;
}
