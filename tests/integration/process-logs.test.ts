// What an operator sees when the server process starts: no warning of any kind on stderr (deprecations
// included), JSON lines when stdout goes to a collector, readable lines with LOG_FORMAT=pretty. The real
// process (server/main.ts) on a throwaway SQLite file, simulator off.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';
import { TEST_ADMIN_PASSWORD } from '../helpers/login';

const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-logs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the process, waits for its "running at" line, stops it; what it wrote to stdout and stderr. */
function runUntilListening(name: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      STORE: 'sqlite',
      DATABASE_PATH: path.join(dir, `${name}.sqlite`),
      SIMULATOR: 'off',
      LOG_LEVEL: 'info',
      ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "running at" line within 60 s; stdout: ${stdout}\nstderr: ${stderr}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('is running at')) child.kill('SIGTERM');
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    });
  });
}

describe('the server process logs', () => {
  it('writes JSON lines to a pipe by default, and no warning at all on stderr', async () => {
    const { stdout, stderr } = await runUntilListening('json', {});
    expect(stderr, 'stderr of a clean start').toBe('');
    const lines = stdout.trim().split('\n');
    const running = lines
      .map((l) => JSON.parse(l) as { msg?: string; level?: number })
      .find((l) => l.msg?.includes('is running at'));
    expect(running?.level).toBe(30);
  }, 90_000);

  it('writes readable lines with LOG_FORMAT=pretty, secrets still redacted', async () => {
    const { stdout, stderr } = await runUntilListening('pretty', { LOG_FORMAT: 'pretty' });
    expect(stderr).toBe('');
    const line = stdout.split('\n').find((l) => l.includes('is running at'));
    expect(line).toBeDefined();
    // "12:34:56.789 INFO: Ops Map … is running at http://…", not an object.
    expect(line).toMatch(/^\[?\d\d:\d\d:\d\d\.\d{3}\]? INFO.*: Ops Map/);
    expect(stdout).not.toContain(TEST_ADMIN_PASSWORD);
  }, 90_000);

  it('refuses an unknown LOG_FORMAT with the variable named', async () => {
    const { stderr } = await runUntilListening('bad', { LOG_FORMAT: 'xml' });
    expect(stderr).toContain('LOG_FORMAT');
  }, 90_000);
});
