// The architecture's boundaries (docs/ARCHITECTURE.md) are import rules in eslint.config.js; this proves each
// rule refuses what it must and lets through what it must, so a loosened rule fails here, not in review.
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../server/config';

// Type information is not needed for import rules, and the probe files do not exist on disk.
const eslint = new ESLint({
  cwd: PROJECT_ROOT,
  // typescript-eslint's config type is a structural twin of ESLint's, not the same declaration.
  overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});

async function refused(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('import boundaries', () => {
  it('lets the client import the contract and nothing else of the server', async () => {
    expect(await refused('client/panels/Probe.tsx', "import { HOUR_MS } from '../../server/contract/time';")).toEqual(
      [],
    );
    const errors = await refused(
      'client/panels/Probe.tsx',
      "import { createLiveState } from '../../server/live/state';",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('only server/contract/');
  });

  it('keeps the contract free of Node, of other server folders and of packages other than typebox', async () => {
    expect(
      await refused('server/contract/probe.ts', "import Type from 'typebox';\nimport { HOUR_MS } from './time';"),
    ).toEqual([]);
    for (const line of [
      "import { readFileSync } from 'node:fs';",
      "import { loadGeo } from '../geo/load';",
      "import pg from 'pg';",
    ])
      expect(await refused('server/contract/probe.ts', line), line).toHaveLength(1);
  });

  it('keeps drivers out of the domain folders, which get the store and bus seams instead', async () => {
    for (const dir of ['server/live', 'server/rules', 'server/geo', 'server/notify']) {
      expect(await refused(`${dir}/probe.ts`, "import type { EventStore } from '../store/types';")).toEqual([]);
      for (const line of [
        "import pg from 'pg';",
        "import Database from 'better-sqlite3';",
        "import { Server } from 'socket.io';",
        "import { connect } from 'mqtt';",
        "import { openSqliteStore } from '../store/sqlite';",
      ])
        expect(await refused(`${dir}/probe.ts`, line), `${dir}: ${line}`).toHaveLength(1);
    }
  });
});
