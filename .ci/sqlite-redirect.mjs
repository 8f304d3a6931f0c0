// Preloaded (NODE_OPTIONS=--import) by .ci/node-line.sh into every Node process of a Node-line test run,
// vitest's workers and the servers and CLIs the tests spawn included: whatever would load from the checkout's
// node_modules/better-sqlite3 (built for the machine's Node) loads from a copy built for this Node instead.
// module.registerHooks (Node 22.15+) runs in-thread for import and require alike; only file URLs under the
// checkout's package folder are rewritten, so `bindings` and the rest resolve from the copy's own folder.
import { realpathSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { pathToFileURL } from 'node:url';

const folderUrl = (variable) => {
  const dir = process.env[variable];
  if (!dir) throw new Error(`sqlite-redirect: ${variable} is not set`);
  return `${pathToFileURL(realpathSync(dir)).href}/`;
};
const from = folderUrl('OPSMAP_SQLITE_FROM');
const to = folderUrl('OPSMAP_SQLITE_TO');

registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    return resolved.url?.startsWith(from) ? { ...resolved, url: to + resolved.url.slice(from.length) } : resolved;
  },
});
