// Child process of the keyframe kill test (tests/integration/keyframes.test.ts): a server on the SQLite file given
// as argv[2] takes in a rainstorm batch by batch and writes a keyframe after each, printing "kf <seq>" once the
// store holds it. The test kills it with SIGKILL at a random moment, often in the middle of a write.
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createSimulator } from '../../server/sim/engine';

const file = process.argv[2];
if (!file) throw new Error('usage: keyframe-writer.ts <file>');
const app = await buildApp(
  loadConfig({
    STORE: 'sqlite',
    DATABASE_PATH: file,
    SIMULATOR: 'off',
    LOG_LEVEL: 'silent',
    PORT: '0',
    KEYFRAME_EVERY_EVENTS: '1000000000',
  }),
);
const now = Date.now();
const events = createSimulator({
  geo: app.services.geo,
  scenario: 'rainstorm',
  seed: 2,
  start: now - 2 * 86_400_000,
}).take(80_000, now);
process.stdout.write('ready\n');
// Capped, so a test that failed to kill it leaves no runaway process.
for (let i = 0; i < events.length; i += 1000) {
  await app.services.accept(events.slice(i, i + 1000));
  await app.services.host.writeKeyframe('midnight');
  // process.stdout to a pipe is synchronous on Linux: once written, the parent can read it after the kill.
  process.stdout.write(`kf ${(await app.services.store.keyframes!.latest())!.seq}\n`);
}
await app.close();
