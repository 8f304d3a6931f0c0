// Two nodes folding one log (a cluster): both see the same alert and both would tell the channel; the claim in
// the log decides which one does, so the receiver hears it once. A node that claimed and went away is taken over
// after the lease. Routing: a town's channel hears its town, a district channel with level 'district' hears
// only what the district must answer; quiet hours let only severe alerts through.
import { describe, expect, it } from 'vitest';
import type { AlertEvent, AlertNotified, AlertRaised } from '../../server/contract/alerts';
import { createInProcessBus } from '../../server/bus/in-process';
import { createMemoryStore } from '../../server/store/memory';
import { createAlertBook } from '../../server/rules/alerts';
import { resolveNotifyConfig } from '../../server/notify/config';
import { createNotifier, type Notifier } from '../../server/notify/notifier';
import type { EventBus } from '../../server/bus/types';
import type { EventStore } from '../../server/store/types';

const TREE = {
  root: 'district:110112',
  nodes: {
    'district:110112': {
      key: 'district:110112',
      level: 'district',
      id: '110112',
      name: '通州区',
      parent: null,
      bbox: [0, 0, 1, 1],
    },
    'town:110112105': {
      key: 'town:110112105',
      level: 'town',
      id: '110112105',
      name: '张家湾镇',
      parent: 'district:110112',
      bbox: [0, 0, 1, 1],
    },
    'town:110112104': {
      key: 'town:110112104',
      level: 'town',
      id: '110112104',
      name: '宋庄镇',
      parent: 'district:110112',
      bbox: [0, 0, 1, 1],
    },
  },
  children: { 'district:110112': ['town:110112104', 'town:110112105'] },
} as const;

const silent = { warn: () => undefined, info: () => undefined };

interface Node {
  notifier: Notifier;
  sent: string[];
  /** Makes this node's requests hang until it is closed (a node that dies mid-delivery). */
  hang: boolean;
}

function channelConfig(channels: object[], delivery: object = {}) {
  const r = resolveNotifyConfig({ channels, delivery: { backoffMs: 10, maxBackoffMs: 20, ...delivery } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

function node(name: string, bus: EventBus, config: ReturnType<typeof channelConfig>, now: () => number): Node {
  const book = createAlertBook();
  const n: Node = { notifier: undefined as never, sent: [], hang: false };
  n.notifier = createNotifier({
    config,
    tree: TREE as never,
    book,
    append: (items) => bus.append(items),
    now,
    node: name,
    exclusive: false,
    publicUrl: '',
    log: silent,
    fetch: (async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body)) as {
        idempotencyKey: string;
        transition: string;
        alert: { id: string };
      };
      n.sent.push(`${body.alert.id}:${body.transition}`);
      if (n.hang)
        await new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)));
      return new Response('{}', { status: 200 });
    }) as typeof fetch,
  });
  bus.subscribe(0, (events) => {
    book.apply(events);
    n.notifier.onBatch(events);
  });
  n.notifier.start();
  return n;
}

const raised = (alertId: string, area: string, severity: AlertRaised['severity'] = 'severe'): AlertRaised => ({
  id: alertId,
  kind: 'alert.raised',
  time: new Date().toISOString(),
  source: 'rules',
  alertId,
  rule: 'fire_risk',
  severity,
  area: area as never,
  ...(area.startsWith('town:') ? { town: area as never } : {}),
  level: area.startsWith('town:') ? 'town' : 'district',
  title: '火险：林下烟点',
  subjects: [{ kind: 'incident', id: alertId }],
});

const put = (bus: EventBus, e: AlertEvent) => bus.append([{ event: e, receivedAt: new Date().toISOString() }]);

async function notified(store: EventStore): Promise<AlertNotified[]> {
  return (await store.read(0, 10_000))
    .map((s) => s.event)
    .filter((e): e is AlertNotified => e.kind === 'alert.notified');
}

const settle = async (...nodes: Node[]) => {
  for (let i = 0; i < 3; i++) {
    await Promise.all(nodes.map((n) => n.notifier.idle()));
    await new Promise((r) => setTimeout(r, 10));
  }
};

const HOOK = { id: 'duty', type: 'webhook', url: 'https://hooks.example/in', secret: 'k', scope: 'district:110112' };

describe('notifications on two nodes', () => {
  it('the receiver hears an alert once, from the node whose claim the log kept', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    const config = channelConfig([HOOK]);
    const a = node('node-a', bus, config, Date.now);
    const b = node('node-b', bus, config, Date.now);
    await put(bus, raised('fire_risk:i-1', 'town:110112105'));
    await settle(a, b);
    expect([...a.sent, ...b.sent]).toEqual(['fire_risk:i-1:raised']);
    const steps = await notified(store);
    expect(steps.map((e) => e.result)).toEqual(['claimed', 'delivered']);
    expect(steps[1]!.node).toBe(steps[0]!.node);
    await Promise.all([a.notifier.close(), b.notifier.close()]);
  });

  it('a claim whose node went away is taken over after the lease, and delivered once', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    let clock = Date.now();
    const config = channelConfig([HOOK], { claimLeaseMin: 1 });
    const a = node('node-a', bus, config, () => clock);
    a.hang = true;
    const b = node('node-b', bus, config, () => clock);
    b.hang = true;
    await put(bus, raised('fire_risk:i-2', 'town:110112105'));
    await new Promise((r) => setTimeout(r, 50));
    const claimer = (await notified(store))[0]!.node;
    const [gone, survivor] = claimer === 'node-a' ? [a, b] : [b, a];
    expect(gone.sent).toHaveLength(1);
    await gone.notifier.close(); // it died with the request open: no outcome in the log
    survivor.hang = false;
    survivor.notifier.tick();
    expect(survivor.sent, 'not before the lease').toEqual([]);
    clock += 61_000;
    survivor.notifier.tick();
    await settle(survivor);
    expect(survivor.sent).toEqual(['fire_risk:i-2:raised']);
    expect((await notified(store)).map((e) => [e.result, e.claim ?? null])).toEqual([
      ['claimed', 1],
      ['claimed', 2],
      ['delivered', null],
    ]);
    await survivor.notifier.close();
  });
});

describe('routing', () => {
  it('a town channel hears its own town, a district-level channel only escalations and district alerts', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    const config = channelConfig([
      { ...HOOK, id: 'zjw', scope: 'town:110112105' },
      { ...HOOK, id: 'district', level: 'district' },
    ]);
    const book = createAlertBook();
    const n = createNotifier({
      config,
      tree: TREE as never,
      book,
      append: (items) => bus.append(items),
      now: Date.now,
      node: 'solo',
      exclusive: true,
      publicUrl: 'https://ops.example.org',
      log: silent,
      fetch: (async () => new Response('{}')) as typeof fetch,
    });
    bus.subscribe(0, (events) => {
      book.apply(events);
      n.onBatch(events);
    });
    n.start();
    await put(bus, raised('fire_risk:zjw', 'town:110112105'));
    await put(bus, raised('fire_risk:sz', 'town:110112104'));
    await put(bus, raised('flood_warning:district', 'district:110112'));
    await put(bus, {
      id: 'fire_risk:zjw:escalated',
      kind: 'alert.escalated',
      time: new Date().toISOString(),
      source: 'rules',
      alertId: 'fire_risk:zjw',
      from: 'town',
      to: 'district',
      waitedMin: 10,
    });
    await n.idle();
    await new Promise((r) => setTimeout(r, 20));
    await n.idle();
    const byChannel = (await notified(store))
      .filter((e) => e.result === 'delivered')
      .map((e) => `${e.channel} ${e.alertId} ${e.transition}`)
      .sort();
    expect(byChannel).toEqual([
      'district fire_risk:zjw escalated',
      'district flood_warning:district raised',
      'zjw fire_risk:zjw escalated',
      'zjw fire_risk:zjw raised',
    ]);
    await n.close();
  });

  it('in quiet hours only alerts at or above quietHours.minSeverity are sent', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    const config = channelConfig([{ ...HOOK, quietHours: { from: '22:00', to: '07:00' } }]);
    const book = createAlertBook();
    const sent: string[] = [];
    const n = createNotifier({
      config,
      tree: TREE as never,
      book,
      append: (items) => bus.append(items),
      now: () => Date.parse('2025-07-20T23:30:00+08:00'),
      node: 'solo',
      exclusive: true,
      publicUrl: '',
      log: silent,
      fetch: (async (_url: string, init: RequestInit) => {
        sent.push((JSON.parse(String(init.body)) as { alert: { id: string } }).alert.id);
        return new Response('{}');
      }) as typeof fetch,
    });
    bus.subscribe(0, (events) => {
      book.apply(events);
      n.onBatch(events);
    });
    n.start();
    await put(bus, raised('ticket_surge:night', 'town:110112105', 'warning'));
    await put(bus, raised('fire_risk:night', 'town:110112105', 'severe'));
    await n.idle();
    await new Promise((r) => setTimeout(r, 20));
    await n.idle();
    expect(sent).toEqual(['fire_risk:night']);
    await n.close();
  });
});

describe('a store outage', () => {
  it('a claim the store refused is made again on a later tick, and the message still goes out', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    let clock = Date.now();
    let refuse = true;
    const book = createAlertBook();
    const sent: string[] = [];
    const n = createNotifier({
      config: channelConfig([HOOK]),
      tree: TREE as never,
      book,
      append: (items) => {
        if (refuse && items[0]!.event.kind === 'alert.notified') return Promise.reject(new Error('SQLITE_BUSY'));
        return bus.append(items);
      },
      now: () => clock,
      node: 'solo',
      exclusive: true,
      publicUrl: '',
      log: silent,
      fetch: (async (_url: string, init: RequestInit) => {
        sent.push((JSON.parse(String(init.body)) as { alert: { id: string } }).alert.id);
        return new Response('{}');
      }) as typeof fetch,
    });
    bus.subscribe(0, (events) => {
      book.apply(events);
      n.onBatch(events);
    });
    n.start();
    await put(bus, raised('fire_risk:outage', 'town:110112105'));
    await n.idle();
    expect(sent).toEqual([]);
    refuse = false;
    clock += 11_000;
    n.tick();
    await n.idle();
    await new Promise((r) => setTimeout(r, 20));
    await n.idle();
    expect(sent).toEqual(['fire_risk:outage']);
    expect((await notified(store)).map((e) => e.result)).toEqual(['claimed', 'delivered']);
    await n.close();
  });
});

describe('a robot’s rate limit', () => {
  it('holds messages beyond perMinute in the queue until the minute has passed, instead of failing them', async () => {
    const store = createMemoryStore();
    const bus = createInProcessBus(store);
    let wall = Date.now();
    const book = createAlertBook();
    const sent: string[] = [];
    const n = createNotifier({
      config: channelConfig([{ ...HOOK, perMinute: 2 }]),
      tree: TREE as never,
      book,
      append: (items) => bus.append(items),
      now: Date.now,
      wallClock: () => wall,
      node: 'solo',
      exclusive: true,
      publicUrl: '',
      log: silent,
      fetch: (async (_url: string, init: RequestInit) => {
        sent.push((JSON.parse(String(init.body)) as { alert: { id: string } }).alert.id);
        return new Response('{}');
      }) as typeof fetch,
    });
    bus.subscribe(0, (events) => {
      book.apply(events);
      n.onBatch(events);
    });
    n.start();
    for (const id of ['a', 'b', 'c']) await put(bus, raised(`fire_risk:${id}`, 'town:110112105'));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toEqual(['fire_risk:a', 'fire_risk:b']);
    expect(n.health()[0]).toMatchObject({ queued: 1, failed: 0 });
    wall += 61_000;
    n.tick();
    await n.idle();
    expect(sent).toEqual(['fire_risk:a', 'fire_risk:b', 'fire_risk:c']);
    await n.close();
  });

  it('defaults to 20 a minute for WeCom and DingTalk robots, none for webhooks', () => {
    const config = channelConfig([
      { id: 'w', type: 'wecom', url: 'https://qyapi.example/send?key=k', scope: 'district:110112' },
      { ...HOOK },
    ]);
    expect(config.channels.map((c) => c.perMinute)).toEqual([20, undefined]);
  });
});
