// Several listeners on one live state (server/live/observer.ts): the area trends and the 督办 counts both hear
// the fold, each hook reaches every listener that has it, in order, and a hook only one listener has is that
// listener's own (no wrapper on the fold's hottest call).
import { describe, expect, it } from 'vitest';
import { mergeObservers, type LiveObserver } from '../../server/live/observer';

describe('mergeObservers', () => {
  it('calls every listener of a hook in order and passes a lone hook through', () => {
    const heard: string[] = [];
    const chain = Int32Array.of(0, 3, -1);
    const trends: LiveObserver = {
      fact: (t, code) => heard.push(`fact ${t} ${code}`),
      supervisedClosed: (areas) => heard.push(`trends closed ${areas.join(',')}`),
    };
    const supervision: LiveObserver = {
      supervised: (areas, from, to) => heard.push(`supervised ${areas.join(',')} ${from}→${to}`),
      supervisedClosed: (areas) => heard.push(`supervision closed ${areas.join(',')}`),
    };
    const merged = mergeObservers(trends, supervision);
    merged.fact!(5, 7, chain, 1);
    merged.supervised!(chain, -1, 9);
    merged.supervisedClosed!(chain);
    expect(heard).toEqual(['fact 5 7', 'supervised 0,3,-1 -1→9', 'trends closed 0,3,-1', 'supervision closed 0,3,-1']);
    expect(merged.fact).toBe(trends.fact);
    expect(merged.visit).toBeUndefined();
    expect(Object.keys(merged).sort()).toEqual(['fact', 'supervised', 'supervisedClosed']);
  });
});
