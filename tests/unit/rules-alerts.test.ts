// The AlertBook: alerts as a fold of alert events: status, audit trail, scope lists, retention.
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../server/contract/alerts';
import type { AreaTree } from '../../server/contract/areas';
import type { StoredEvent } from '../../server/contract/events';
import { createAlertBook } from '../../server/rules/alerts';

const node = (key: string, level: 'district' | 'town' | 'grid', parent: string | null) => ({
  key,
  level,
  id: key.split(':')[1]!,
  name: key,
  parent,
  bbox: [0, 0, 0, 0] as [number, number, number, number],
});
const tree: Pick<AreaTree, 'nodes'> = {
  nodes: {
    'district:1': node('district:1', 'district', null),
    'town:a': node('town:a', 'town', 'district:1'),
    'town:b': node('town:b', 'town', 'district:1'),
    'grid:a1': node('grid:a1', 'grid', 'town:a'),
  },
};
const officer = { id: 'o1', name: '值班员', role: 'officer' as const };
const T = (min: number) => new Date(Date.parse('2025-07-20T08:00:00+08:00') + min * 60_000).toISOString();

function raised(
  alertId: string,
  area: string,
  town: string | undefined,
  min: number,
  severity: 'warning' | 'severe',
): AlertEvent {
  return {
    id: alertId,
    kind: 'alert.raised',
    time: T(min),
    source: 'rules',
    alertId,
    rule: 'ticket_overdue',
    severity,
    area: area as never,
    ...(town ? { town: town as never } : {}),
    level: town ? 'town' : 'district',
    title: alertId,
    subjects: [{ kind: 'ticket', id: alertId }],
  };
}

function log(events: AlertEvent[]): StoredEvent[] {
  return events.map((event, i) => ({ seq: i + 1, receivedAt: event.time, event }));
}

describe('the AlertBook', () => {
  it('folds the lifecycle into status, actor, departments and an audit trail with the seqs of the log', () => {
    const book = createAlertBook();
    const changed = book.apply(
      log([
        raised('x', 'grid:a1', 'town:a', 0, 'warning'),
        { id: 'n1', kind: 'alert.noted', time: T(1), source: 'console', alertId: 'x', by: officer, note: '看一下' },
        { id: 'a1', kind: 'alert.acknowledged', time: T(2), source: 'console', alertId: 'x', by: officer },
        {
          id: 'a2',
          kind: 'alert.acknowledged',
          time: T(3),
          source: 'console',
          alertId: 'x',
          by: { ...officer, id: 'o2' },
        },
        {
          id: 'w1',
          kind: 'alert.whistled',
          time: T(4),
          source: 'console',
          alertId: 'x',
          by: officer,
          departments: ['fire', 'water'],
        },
        {
          id: 'w2',
          kind: 'alert.whistled',
          time: T(5),
          source: 'console',
          alertId: 'x',
          by: officer,
          departments: ['water', 'police'],
        },
        { id: 'r1', kind: 'alert.resolved', time: T(6), source: 'console', alertId: 'x', by: officer, note: '已处置' },
        { id: 'a3', kind: 'alert.acknowledged', time: T(7), source: 'console', alertId: 'x', by: officer },
      ]),
    );
    expect(changed.map((a) => a.id)).toEqual(['x']);
    const x = book.get('x')!;
    expect(x).toMatchObject({
      status: 'resolved',
      acknowledgedBy: officer,
      acknowledgedAt: T(2),
      resolvedAt: T(6),
      resolvedBy: officer,
    });
    expect(x.departments).toEqual(['fire', 'water', 'police']);
    // The acknowledgement after the resolution changes nothing and is not on the trail; the second one is.
    expect(x.actions.map((a) => [a.seq, a.kind])).toEqual([
      [1, 'alert.raised'],
      [2, 'alert.noted'],
      [3, 'alert.acknowledged'],
      [4, 'alert.acknowledged'],
      [5, 'alert.whistled'],
      [6, 'alert.whistled'],
      [7, 'alert.resolved'],
    ]);
    expect(x.seq).toBe(7);
  });

  it('lists per scope, most severe and newest first, and by status', () => {
    const book = createAlertBook();
    book.apply(
      log([
        raised('a-old-warning', 'grid:a1', 'town:a', 0, 'warning'),
        raised('a-severe', 'town:a', 'town:a', 1, 'severe'),
        raised('a-new-warning', 'grid:a1', 'town:a', 2, 'warning'),
        raised('b', 'town:b', 'town:b', 3, 'severe'),
        raised('district', 'district:1', undefined, 4, 'warning'),
        { id: 'r', kind: 'alert.resolved', time: T(5), source: 'rules', alertId: 'a-severe' },
      ]),
    );
    const ids = (scope: string, status?: 'active' | 'resolved') =>
      book.list(tree, scope as never, status).map((a) => a.id);
    expect(ids('town:a')).toEqual(['a-new-warning', 'a-old-warning', 'a-severe']);
    expect(ids('town:a', 'active')).toEqual(['a-new-warning', 'a-old-warning']);
    expect(ids('town:a', 'resolved')).toEqual(['a-severe']);
    expect(ids('town:b')).toEqual(['b']);
    expect(ids('district:1')).toEqual(['b', 'district', 'a-new-warning', 'a-old-warning', 'a-severe']);
    expect(book.activeFor('ticket_overdue|ticket:a-severe')).toBeUndefined();
    expect(book.activeFor('ticket_overdue|ticket:b')!.id).toBe('b');
  });

  it('keeps a resolved alert listed for 24 h after its resolution', () => {
    const book = createAlertBook();
    book.apply(
      log([
        raised('x', 'town:a', 'town:a', 0, 'warning'),
        { id: 'r', kind: 'alert.resolved', time: T(10), source: 'rules', alertId: 'x' },
      ]),
    );
    book.advance(Date.parse(T(10 + 24 * 60)) - 1);
    expect(book.get('x')).toBeDefined();
    book.advance(Date.parse(T(10 + 24 * 60)));
    expect(book.get('x')).toBeUndefined();
    expect(book.list(tree, 'district:1' as never)).toEqual([]);
  });
});
