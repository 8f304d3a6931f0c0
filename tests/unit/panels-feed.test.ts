// How feed items read: alarms stand out, each line names what happened, and the area where the client knows it.
import { describe, expect, it } from 'vitest';
import type { AreaTree } from '../../server/contract/areas';
import type { RangerObject, TicketObject } from '../../server/contract/live';
import type { FeedItem } from '../../client/live/feed';
import { feedArea, feedLine, type FeedNames, type FeedPlaces } from '../../client/panels/feed-view';

const names: FeedNames = {
  category: (c) => `cat:${c}`,
  status: (s) => `status:${s}`,
  color: (c) => `color:${c}`,
  incidentType: (t) => `type:${t}`,
  checkpoint: (id) => (id === 'cp-1' ? '白庙村' : id),
  level: (m) => (m === null ? '—' : `${m.toFixed(2)} m`),
};

const base = { at: 0, position: null, severe: false } as const;
const created = (urgent: boolean): FeedItem => ({
  ...base,
  id: 'x',
  kind: 'ticket.created',
  subject: { kind: 'ticket', id: 'T-1' },
  severe: urgent,
  params: { category: 'e_bike', title: '楼道充电', urgent },
});

describe('feedLine', () => {
  it('tells new tickets apart from urgent ones', () => {
    expect(feedLine(created(false), names)).toMatchObject({
      key: 'feed.ticketCreated',
      tone: 'ticket',
      values: { category: 'cat:e_bike', title: '楼道充电' },
    });
    expect(feedLine(created(true), names)).toMatchObject({ key: 'feed.ticketCreatedUrgent', tone: 'alarm' });
  });

  it('names the checkpoint and the colour it rose to, alarming from orange up', () => {
    const item: FeedItem = {
      ...base,
      id: 'c',
      kind: 'checkpoint.color',
      subject: { kind: 'checkpoint', id: 'cp-1' },
      severe: true,
      params: { from: 'yellow', to: 'orange', level: 21.456, rising: true },
    };
    expect(feedLine(item, names)).toMatchObject({
      key: 'feed.checkpointUp',
      tone: 'alarm',
      values: { name: '白庙村', to: 'color:orange', level: '21.46 m' },
    });
    expect(
      feedLine({ ...item, severe: false, params: { from: 'orange', to: 'yellow', level: 20, rising: false } }, names),
    ).toMatchObject({ key: 'feed.checkpointDown', tone: 'flood' });
  });

  it('marks a closed ticket as done and a lost ranger signal as an alarm', () => {
    const closed: FeedItem = {
      ...base,
      id: 's',
      kind: 'ticket.status',
      subject: { kind: 'ticket', id: 'T-1' },
      params: { status: 'closed', title: 't' },
    };
    expect(feedLine(closed, names)).toMatchObject({ tone: 'ticket-done', values: { status: 'status:closed' } });
    const lost: FeedItem = {
      ...base,
      id: 'l',
      kind: 'ranger.signalLost',
      subject: { kind: 'ranger', id: 'R-7' },
      severe: true,
      params: {},
    };
    expect(feedLine(lost, names)).toMatchObject({ key: 'feed.signalLost', tone: 'alarm', values: { ranger: 'R-7' } });
  });
});

describe('feedArea', () => {
  const node = (key: string, name: string, parent: string | null) => {
    const [level, id] = key.split(':') as [AreaTree['nodes'][string]['level'], string];
    return { key, level, id, name, parent, bbox: [0, 0, 1, 1] as [number, number, number, number] };
  };
  const tree: AreaTree = {
    root: 'district:110112',
    nodes: {
      'district:110112': node('district:110112', '通州区', null),
      'town:110112001': node('town:110112001', '永乐店镇', 'district:110112'),
      'grid:g-3': node('grid:g-3', '网格 3', 'town:110112001'),
      'forest:f-2': node('forest:f-2', '小务组团', 'town:110112001'),
    },
    children: {},
  };
  const places: FeedPlaces = {
    tree,
    tickets: new Map([['T-1', { place: { townId: '110112001', gridId: 'g-3' } } as TicketObject]]),
    rangers: new Map([['R-7', { clusterId: 'f-2' } as RangerObject]]),
    incidents: new Map(),
    checkpointTown: (id) => (id === 'cp-1' ? '110112001' : undefined),
  };

  it('places tickets by town and grid cell, rangers and their incidents by forest cluster', () => {
    expect(feedArea(created(false), places)).toBe('永乐店镇 · 网格 3');
    const incident: FeedItem = {
      ...base,
      id: 'i',
      kind: 'incident.reported',
      subject: { kind: 'incident', id: 'I-1' },
      params: { type: 'fire_risk', rangerId: 'R-7' },
    };
    expect(feedArea(incident, places)).toBe('永乐店镇 · 小务组团');
    const cp: FeedItem = {
      ...base,
      id: 'c',
      kind: 'checkpoint.color',
      subject: { kind: 'checkpoint', id: 'cp-1' },
      params: { from: 'none', to: 'blue', level: 1, rising: true },
    };
    expect(feedArea(cp, places)).toBe('永乐店镇');
  });

  it('says nothing where it does not know (a closed ticket left the store)', () => {
    const gone: FeedItem = {
      ...base,
      id: 'g',
      kind: 'ticket.status',
      subject: { kind: 'ticket', id: 'T-404' },
      params: { status: 'closed', title: 't' },
    };
    expect(feedArea(gone, places)).toBeNull();
  });
});
