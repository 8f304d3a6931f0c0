// Notifications on a cluster: two nodes on one NATS JetStream stream and one PostgreSQL schema both raise the same
// SOS alert and both would tell the webhook; the claim the stream keeps decides which node sends, so the
// receiver hears it once, and both nodes' logs say who delivered it.
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import type { AlertNotified } from '../../server/contract/alerts';
import { interiorPoint } from '../../server/geo/interior';
import { testApp } from '../helpers/app';
import { ZHANGJIAWAN } from '../helpers/auth';
import { postEvents } from '../helpers/callers';
import { clusterSpace } from '../helpers/cluster';
import { natsAvailable } from '../helpers/nats';
import { startReceiver, until, type Receiver } from '../helpers/receiver';
import { RUN_POSTGRES } from '../helpers/store';

const run = RUN_POSTGRES && (await natsAvailable());
const apps: App[] = [];
let receiver: Receiver | undefined;
const space = clusterSpace();

afterAll(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  await receiver?.close();
  await space.dispose();
});

describe.skipIf(!run)('notifications on two nodes', () => {
  it('an alert both nodes raise reaches the webhook once, sent by the node whose claim the stream kept', async () => {
    receiver = await startReceiver();
    const config = {
      channels: [
        {
          id: 'duty',
          type: 'webhook',
          url: `${receiver.url}/in`,
          secret: 'whsec-cluster-0123456789abcdef',
          scope: 'district:110112',
        },
      ],
    };
    for (const name of ['n1', 'n2'])
      apps.push(
        await testApp({ ...space.env, LOG_LEVEL: 'silent', NODE_NAME: name, NOTIFY_CONFIG: JSON.stringify(config) }),
      );
    const [a, b] = apps as [App, App];
    const cluster = a.services.geo.layers.forest.features.find((f) => `town:${f.properties.townId}` === ZHANGJIAWAN)!;
    const [lon, lat] = interiorPoint(cluster.geometry as never);
    const res = await postEvents(a, [
      {
        id: 'ev-cluster-sos',
        kind: 'patrol.incident',
        time: new Date(Date.now() - 5_000).toISOString(),
        source: 'ranger_app',
        rangerId: 'r-cluster',
        incidentId: 'cluster-sos',
        type: 'sos',
        severity: 'high',
        description: '求救',
        location: { lon, lat },
      },
    ]);
    expect(res.json()).toMatchObject({ accepted: 1 });
    await until(() => receiver!.requests.length >= 1, 15_000, 'the SOS at the webhook');
    const steps = async (app: App) =>
      (await app.services.store.read(0, 100_000))
        .map((s) => s.event)
        .filter((e): e is AlertNotified => e.kind === 'alert.notified' && e.alertId === 'ranger_sos:cluster-sos');
    const deadline = Date.now() + 10_000;
    while ((await steps(b)).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Both nodes would have sent it; give the loser time to show it does not.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(receiver.requests).toHaveLength(1);
    for (const app of [a, b]) {
      const log = await steps(app);
      expect(log.map((e) => e.result)).toEqual(['claimed', 'delivered']);
      expect(log[1]!.node).toBe(log[0]!.node);
    }
  });
});
