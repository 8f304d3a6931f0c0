// The panels rendered to HTML (server-side, no browser) from a fixed live view: the rows e2e tests click carry
// their data attributes, the table shows one page with "N of M", the feed names what happened, and the detail
// panel shows a ticket, a checkpoint against its thresholds, or the open town's KPIs, in both languages.
import { createElement, type ReactElement } from 'react';
import { renderToString } from 'react-dom/server';
import { I18nextProvider } from 'react-i18next';
import { describe, expect, it, vi } from 'vitest';
import type { AreaKey, AreaTree } from '../../server/contract/areas';
import type { AreaAggregate, CheckpointObject, RangerObject, TicketObject } from '../../server/contract/live';
import type { LiveView } from '../../client/live/store';
import type { FeedItem } from '../../client/live/feed';
import type { Placement } from '../../client/view/navigation';
import { defaultView } from '../../client/view/url';
import { NO_FILTER } from '../../client/view/ticket-filter';
import { longWindows, NO_SAMPLE } from '../helpers/kpis';

const DISTRICT = 'district:110112' as AreaKey;
const TOWNS = ['town:110112001', 'town:110112002', 'town:110112003'] as AreaKey[];
const NAMES = ['中仓街道', '宋庄镇', '张家湾镇'];

const node = (key: string, name: string, parent: string | null) => {
  const [level, id] = key.split(':') as [AreaTree['nodes'][string]['level'], string];
  return { key, level, id, name, parent, bbox: [116.5, 39.7, 116.9, 40.0] as [number, number, number, number] };
};
const tree: AreaTree = {
  root: DISTRICT,
  nodes: Object.fromEntries([
    [DISTRICT, node(DISTRICT, '通州区', null)],
    ...TOWNS.map((k, i) => [k, node(k, NAMES[i]!, DISTRICT)]),
  ]),
  children: { [DISTRICT]: TOWNS },
};

function aggregate(key: AreaKey, open: number, composite: number | null): AreaAggregate {
  return {
    key,
    level: key === DISTRICT ? 'district' : 'town',
    tickets: {
      open,
      newToday: open,
      closedToday: 1,
      overdue: Math.floor(open / 3),
      nearDeadline: 0,
      byCategory: { e_bike: open },
      responseRate: 0.97,
      resolutionRate: 0.83,
      satisfactionRate: 0.92,
      composite,
      proactiveToday: 0,
      rolling24h: {
        proactive: 0,
        created: open,
        closed: 1,
        responseRate: null,
        resolutionRate: null,
        satisfactionRate: null,
        composite: null,
        sample: NO_SAMPLE,
      },
      sample: NO_SAMPLE,
      ...longWindows({
        responseRate: 0.97,
        resolutionRate: 0.83,
        satisfactionRate: 0.92,
        composite,
        sample: { response: 30, resolution: 30, satisfaction: 30 },
      }),
    },
    flood: { worstColor: 'orange', inWarning: 1, checkpoints: 3, obstructionsOpen: 1, responseLevel: 'IV' },
    patrol: { activeRangers: 0, lastPatrolAt: null, coverageToday: null, openIncidents: 0, lostSignal: 0 },
    zeroComplaintDays: 0,
  };
}

const NOW = Date.now();
function ticket(i: number): TicketObject {
  return {
    id: `T-${i}`,
    category: i === 0 ? 'safety_hazard' : 'e_bike',
    urgency: i === 0 ? 'urgent' : 'normal',
    status: 'received',
    title: i === 0 ? '燃气管道异味' : `楼道充电 ${i}`,
    position: [116.7, 39.9],
    place: { townId: '110112002' },
    createdAt: new Date(NOW - 3600_000).toISOString(),
    responseDueAt: new Date(NOW + 3600_000).toISOString(),
    resolveDueAt: new Date(NOW + (i === 0 ? -2 : 20) * 3600_000).toISOString(),
    overdue: i === 0,
    nearDeadline: false,
    escalatedTo: i === 0 ? ['fire'] : [],
  };
}

const tickets = new Map(Array.from({ length: 230 }, (_, i) => [`T-${i}`, ticket(i)] as const));
const checkpoint: CheckpointObject = {
  id: 'cp-1',
  level: 18.4,
  rainfall: 12,
  trend: 'rising',
  color: 'orange',
  obstructionStatus: null,
  readingAt: new Date(NOW).toISOString(),
  inspectedAt: null,
};
const feed: FeedItem[] = [
  {
    id: 'f1',
    kind: 'ticket.created',
    at: NOW,
    subject: { kind: 'ticket', id: 'T-0' },
    position: null,
    severe: true,
    params: { category: 'safety_hazard', title: '燃气管道异味', urgent: true },
  },
  {
    id: 'f2',
    kind: 'checkpoint.color',
    at: NOW - 1000,
    subject: { kind: 'checkpoint', id: 'cp-1' },
    position: null,
    severe: true,
    params: { from: 'yellow', to: 'orange', level: 18.4, rising: true },
  },
];

/** A ranger whose Traccar Client's last report had no fix (a heartbeat), charging, still. */
const ranger: RangerObject = {
  id: 'ranger-yld-06',
  patrolId: null,
  clusterId: null,
  position: [116.79, 39.71],
  trail: [],
  status: 'idle',
  lastSeen: new Date(NOW - 120_000).toISOString(),
  signalLost: false,
  battery: 37,
  device: {
    id: '王林 手机-2',
    unplaced: 'no_fix',
    at: new Date(NOW - 120_000).toISOString(),
    charging: true,
    moving: false,
    accuracy: 8,
    odometer: 12_345,
  },
};

const view: LiveView = {
  scope: DISTRICT,
  wanted: DISTRICT,
  seq: 42,
  connection: 'live',
  receivedAt: NOW,
  aggregates: new Map<AreaKey, AreaAggregate>([
    [DISTRICT, aggregate(DISTRICT, 60, 0.9)],
    [TOWNS[0]!, aggregate(TOWNS[0]!, 10, 0.95)],
    [TOWNS[1]!, aggregate(TOWNS[1]!, 40, 0.7)],
    [TOWNS[2]!, aggregate(TOWNS[2]!, 10, null)],
  ]),
  tickets,
  checkpoints: new Map([['cp-1', checkpoint]]),
  rangers: new Map([[ranger.id, ranger]]),
  incidents: new Map(),
  keys: [DISTRICT, ...TOWNS],
  versions: { aggregates: 1, tickets: 1, checkpoints: 1, rangers: 1, incidents: 1 },
  feed,
  snapshots: 1,
  gaps: 0,
};

const CHECKPOINT_LAYER = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [116.7, 39.9] },
      properties: {
        id: 'cp-1',
        name: '白庙村',
        riverId: 'chaobai',
        kind: 'gauge',
        townId: '110112002',
        riverKm: 3,
        baseLevel: 15,
        thresholds: { blue: 17, yellow: 17.8, orange: 18.3, red: 19 },
        warningLevel: 18.3,
        guaranteedLevel: 19.5,
        synthetic: true,
      },
    },
  ],
};

vi.mock('../../client/live/SocketController', () => ({ useLive: () => view }));
vi.mock('../../client/geo/layers', () => ({
  useLayer: (name: string | null) => (name === 'checkpoints' ? CHECKPOINT_LAYER : null),
}));

const { createI18n } = await import('../../client/i18n');
const { Ranking } = await import('../../client/panels/Ranking');
const { Feed } = await import('../../client/panels/Feed');
const { TicketTable } = await import('../../client/panels/TicketTable');
const { DetailPanel } = await import('../../client/panels/DetailPanel');

const district: Placement = {
  scope: DISTRICT,
  level: 'town',
  trail: [tree.nodes[DISTRICT]!],
  selected: null,
  areas: TOWNS,
  known: true,
};
const noop = () => {};

function render(el: ReactElement, lng: 'zh-CN' | 'en' = 'zh-CN'): string {
  return renderToString(createElement(I18nextProvider, { i18n: createI18n(lng) }, el));
}
const attrs = (html: string, name: string) => [...html.matchAll(new RegExp(`${name}="([^"]+)"`, 'g'))].map((m) => m[1]);

describe('panels rendered from a live view', () => {
  it('ranks the towns worst first by the metric, each row clickable by its area key', () => {
    const html = render(
      createElement(Ranking, {
        tree,
        placement: district,
        view: { ...defaultView(DISTRICT), metric: 'composite' },
        onOpenArea: noop,
      }),
    );
    expect(attrs(html, 'data-area')).toEqual(['town:110112002', 'town:110112001', 'town:110112003']);
    expect(html).toContain('70.0%');
    expect(html).toContain('无数据');
    // The window and the sample floor are said with the ranking.
    expect(html).toContain('按本月综合得分');
    expect(html).toContain('样本少于 10 件的不参与排名');
  });

  it('lists one page of tickets, most urgent first, with "N of M" and countdowns', () => {
    const html = render(
      createElement(TicketTable, {
        tree,
        placement: district,
        filter: NO_FILTER,
        onFilterChange: noop,
        selection: null,
        onSelectObject: noop,
      }),
    );
    const ids = attrs(html, 'data-ticket-id');
    expect(ids).toHaveLength(50);
    expect(ids[0]).toBe('T-0');
    expect(html).toMatch(/230<!-- --> \/ <!-- -->230|230 \/ 230/);
    expect(html).toContain('超期 2小时');
    expect(html).toContain('消防');
    expect(html).toContain('宋庄镇');
  });

  it('shows the feed newest first with names and areas', () => {
    const html = render(createElement(Feed, { tree, onSelectObject: noop }));
    expect(html).toContain('紧急工单 · 安全隐患 · 燃气管道异味');
    expect(html).toContain('白庙村 升至橙色预警');
    expect(html.indexOf('燃气管道异味')).toBeLessThan(html.indexOf('白庙村'));
    expect(html).toContain('feed-item--severe');
  });

  it('details a ticket and a checkpoint against its thresholds, in English too', () => {
    const ticketHtml = render(
      createElement(DetailPanel, {
        tree,
        placement: district,
        selection: { kind: 'ticket', id: 'T-0' },
        onClose: noop,
        onOpenArea: noop,
      }),
      'en',
    );
    expect(ticketHtml).toContain('overdue 2 h');
    expect(ticketHtml).toContain('Safety hazard');
    expect(ticketHtml).toContain('Fire');
    const cp = render(
      createElement(DetailPanel, {
        tree,
        placement: district,
        selection: { kind: 'checkpoint', id: 'cp-1' },
        onClose: noop,
        onOpenArea: noop,
      }),
    );
    expect(cp).toContain('白庙村');
    expect(cp).toContain('18.40 m');
    expect(cp).toContain('距红色预警');
    expect(cp).toContain('上涨');
  });

  it("details a ticket's address as the reporter wrote it and its photo as a link that shares nothing with the host", () => {
    // The view's map is keyed by this file's ticket ids; these two are extra, for this test only.
    const extra = tickets as Map<string, TicketObject>;
    const at = (t: TicketObject) => {
      extra.set(t.id, t);
      try {
        return render(
          createElement(DetailPanel, {
            tree,
            placement: district,
            selection: { kind: 'ticket', id: t.id },
            onClose: noop,
            onOpenArea: noop,
          }),
        );
      } finally {
        extra.delete(t.id);
      }
    };
    const html = at({ ...ticket(1), id: 'T-o311', address: '玉桥南里12号楼', mediaUrl: 'https://example.org/p/1.jpg' });
    expect(html).toContain('玉桥南里12号楼');
    const link = /<a [^>]*data-ticket-media[^>]*>/.exec(html)?.[0] ?? '';
    expect(link).toContain('href="https://example.org/p/1.jpg"');
    expect(link).toContain('target="_blank"');
    expect(link).toContain('rel="noopener noreferrer"');
    // Nothing is loaded from the reporter's host: a link, never an image.
    expect(html).not.toContain('<img');
    // A link that is not http(s) is never made clickable, whatever the log holds.
    expect(at({ ...ticket(1), id: 'T-js', mediaUrl: 'javascript:alert(1)' })).not.toContain('javascript:');
  });

  it('details a ranger with the device and its last status, in English too', () => {
    const select = { kind: 'ranger', id: 'ranger-yld-06' } as const;
    const props = { tree, placement: district, selection: select, onClose: noop, onOpenArea: noop };
    const zh = render(createElement(DetailPanel, props));
    expect(zh).toContain('王林 手机-2');
    expect(zh).toContain('无GPS定位');
    expect(zh).toContain('充电中');
    const en = render(createElement(DetailPanel, props), 'en');
    expect(en).toContain('王林 手机-2 · no GPS fix · charging · still · ±8 m · 12.3 km');
  });

  it('shows the open town with its rates, and nothing at district level with nothing picked', () => {
    expect(
      render(
        createElement(DetailPanel, { tree, placement: district, selection: null, onClose: noop, onOpenArea: noop }),
      ),
    ).toBe('');
    const town: Placement = {
      ...district,
      scope: TOWNS[1]!,
      trail: [tree.nodes[DISTRICT]!, tree.nodes[TOWNS[1]!]!],
      level: 'grid',
      areas: [],
    };
    view.scope = TOWNS[1]!;
    const html = render(
      createElement(DetailPanel, { tree, placement: town, selection: null, onClose: noop, onOpenArea: noop }),
    );
    view.scope = DISTRICT;
    expect(html).toContain('宋庄镇');
    expect(html).toContain('83.0%');
    expect(html).toContain('解决率');
    expect(html).toContain('趋势加载中');
  });
});
