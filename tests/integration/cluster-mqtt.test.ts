// MQTT on a cluster: every node subscribes as one shared subscription group, so the broker hands each sensor
// message to one node; the cluster stores every reading once, and no node takes in what another already did.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app';
import { defaultClientId } from '../../server/ingest/mqtt';
import { testApp } from '../helpers/app';
import { getAsAdmin } from '../helpers/callers';
import { clusterSpace } from '../helpers/cluster';
import { natsAvailable } from '../helpers/nats';
import { RUN_POSTGRES } from '../helpers/store';

const BROKER = 'mqtt://127.0.0.1:1883';
const run = RUN_POSTGRES && (await natsAvailable());
const prefix = `opsmap-cluster-${randomUUID().slice(0, 8)}`;
const space = clusterSpace({ MQTT_URL: BROKER, MQTT_TOPIC_PREFIX: prefix });
const NODES = ['n1', 'n2'];
const apps: App[] = [];

afterAll(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  // The nodes' sessions are persistent by design; a clean connection with the same id ends them.
  for (const name of NODES) {
    const id = defaultClientId(`${prefix}-${name}`);
    for (const clientId of [id, `${id}-dl`])
      await (await mqtt.connectAsync(BROKER, { clientId, clean: true, reconnectPeriod: 0 })).endAsync();
  }
  await space.dispose();
});

const accepted = async (app: App, result: string): Promise<number> => {
  const text = (await app.inject({ url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`opsmap_ingest_items_total{path="mqtt",result="${result}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe.skipIf(!run)('MQTT ingest on two nodes', () => {
  it('the broker hands each reading to one node: all stored once, none taken in twice', async () => {
    for (const name of NODES) {
      apps.push(await testApp({ ...space.env, LOG_LEVEL: 'silent', NODE_NAME: name }));
    }
    const device = await mqtt.connectAsync(BROKER, { clientId: `${prefix}-device`, clean: true, reconnectPeriod: 0 });
    const N = 200;
    for (let i = 0; i < N; i++) {
      await device.publishAsync(
        `${prefix}/checkpoints/cp-beiyun-01/readings`,
        JSON.stringify({
          id: `shared-${i}`,
          kind: 'flood.reading',
          time: new Date(Date.now() - 60_000).toISOString(),
          source: 'sensor',
          checkpointId: 'cp-beiyun-01',
          level: 18 + (i % 10) / 10,
        }),
        { qos: 1 },
      );
    }
    await device.endAsync();
    const deadline = Date.now() + 20_000;
    let stored = 0;
    while (Date.now() < deadline) {
      const log = (await getAsAdmin(apps[0]!, '/api/v1/events?after=0&limit=10000')).json() as {
        events: { event: { id: string } }[];
      };
      stored = log.events.filter((e) => e.event.id.startsWith('shared-')).length;
      if (stored === N) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stored).toBe(N);
    const perNode = await Promise.all(apps.map((a) => accepted(a, 'accepted')));
    const duplicates = await Promise.all(apps.map((a) => accepted(a, 'duplicate')));
    expect(perNode[0]! + perNode[1]!).toBe(N);
    expect(perNode.every((n) => n > 0)).toBe(true);
    expect(duplicates).toEqual([0, 0]);
  }, 60_000);
});
