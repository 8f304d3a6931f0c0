// A restart in the middle of a delivery, on the same SQLite log: what was claimed and not delivered is sent by the
// next process (nothing lost), what was delivered is not sent again (nothing twice). Where the receiver took a
// message but the process died before it could write so, the repeat carries the same idempotency key, so a
// receiver that keeps keys shows it once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { AlertNotified } from '../../server/contract/alerts';
import { interiorPoint } from '../../server/geo/interior';
import { testApp } from '../helpers/app';
import { ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { startReceiver, until, type Answer, type Receiver } from '../helpers/receiver';

const dir = mkdtempSync(join(tmpdir(), 'opsmap-notify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'whsec-restart-0123456789abcdef012';

function open(db: string, receiver: Receiver): Promise<App> {
  const config = {
    channels: [{ id: 'duty', type: 'webhook', url: `${receiver.url}/in`, secret: SECRET, scope: 'district:110112' }],
    delivery: { backoffMs: 100, maxBackoffMs: 200, timeoutMs: 10_000, retries: 20 },
  };
  return testApp({ STORE: 'sqlite', DATABASE_PATH: db, NOTIFY_CONFIG: JSON.stringify(config) });
}

function sos(app: App, incidentId: string) {
  const cluster = app.services.geo.layers.forest.features.find((f) => `town:${f.properties.townId}` === ZHANGJIAWAN)!;
  const [lon, lat] = interiorPoint(cluster.geometry as never);
  return {
    id: `ev-${incidentId}`,
    kind: 'patrol.incident',
    time: new Date(Date.now() - 5_000).toISOString(),
    source: 'ranger_app',
    rangerId: 'r-restart',
    incidentId,
    type: 'sos',
    severity: 'high',
    description: '求救',
    location: { lon, lat },
  };
}

async function steps(app: App, alertId: string): Promise<AlertNotified[]> {
  const all = await app.services.store.read(0, 100_000);
  return all
    .map((s) => s.event)
    .filter((e): e is AlertNotified => e.kind === 'alert.notified' && e.alertId === alertId);
}

describe('notifications across a restart', () => {
  it('a delivery still failing when the server stops is sent by the next one, once; a third start sends nothing', async () => {
    const db = join(dir, 'down.sqlite');
    let answer: Answer = { status: 503 };
    const receiver = await startReceiver(() => answer);
    let app = await open(db, receiver);
    await postEvents(app, [sos(app, 'restart-1')]);
    await until(() => receiver.requests.length >= 2, 10_000, 'retries against the 503');
    await app.close();
    const tried = receiver.requests.length;

    answer = {};
    app = await open(db, receiver);
    await until(() => receiver.requests.length > tried, 10_000, 'the next process to send it');
    await app.services.notifier!.idle();
    const log = await steps(app, 'ranger_sos:restart-1');
    // The first process claimed it; the second took the claim over and delivered it.
    expect(log.map((e) => [e.result, e.claim ?? null])).toEqual([
      ['claimed', 1],
      ['claimed', 2],
      ['delivered', null],
    ]);
    expect(receiver.requests).toHaveLength(tried + 1);
    await app.close();

    app = await open(db, receiver);
    await new Promise((r) => setTimeout(r, 500));
    await app.services.notifier!.idle();
    expect(receiver.requests, 'nothing sent twice').toHaveLength(tried + 1);
    expect(await steps(app, 'ranger_sos:restart-1')).toHaveLength(3);
    await app.close();
    await receiver.close();
  });

  it('a message the receiver took while the server died comes again under the same idempotency key', async () => {
    const db = join(dir, 'inflight.sqlite');
    let answer: Answer = { delayMs: 30_000 };
    const keys = new Set<string>();
    const receiver = await startReceiver((r) => {
      keys.add(String(r.headers['idempotency-key']));
      return answer;
    });
    let app = await open(db, receiver);
    await postEvents(app, [sos(app, 'restart-2')]);
    await until(() => receiver.requests.length === 1, 10_000, 'the request in flight');
    await app.close(); // the receiver has it, the log does not say so

    answer = {};
    app = await open(db, receiver);
    await until(() => receiver.requests.length === 2, 10_000, 'the repeat');
    await app.services.notifier!.idle();
    expect(keys.size, 'one message for a receiver that keeps keys').toBe(1);
    expect((await steps(app, 'ranger_sos:restart-2')).filter((e) => e.result === 'delivered')).toHaveLength(1);
    await app.close();
    await receiver.close();
  });
});
