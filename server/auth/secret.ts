// The key that signs sessions. Configured (AUTH_SECRET), or created once and kept beside the database so that
// sessions survive a restart; with an in-memory store nothing survives a restart anyway, so a fresh one per
// process is right.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Where the generated key lives for a SQLite database at `databasePath` (var/auth-secret by default). */
export const secretFileFor = (databasePath: string): string => path.join(path.dirname(databasePath), 'auth-secret');

export function resolveSecret(configured: string | undefined, file: string | undefined): string {
  if (configured !== undefined) return configured;
  if (file === undefined) return randomBytes(32).toString('base64url');
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  // 'wx' fails when another process created it meanwhile; then theirs is the one to use.
  try {
    writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
  chmodSync(file, 0o600);
  return secret;
}
