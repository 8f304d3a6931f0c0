// An alert's facts read as words and units in the reader's language, not as the rule engine's raw keys.
import { describe, expect, it } from 'vitest';
import { createI18n, formatters } from '../../client/i18n';
import { factLines } from '../../client/panels/alert-facts';

const flood = { level: 21.456, color: 'orange', threshold: 21 };
const ticket = { urgency: 'urgent', resolveDueAt: '2026-07-20T06:30:00.000Z' };
const surge = { count: 12, baseline: 1.5, windowMin: 60 };

function lines(lng: 'zh-CN' | 'en', facts: Record<string, string | number>) {
  const i18n = createI18n(lng);
  return factLines(facts, i18n.getFixedT(lng, 'auth'), formatters(lng));
}

describe('alert facts', () => {
  it('names a flood alert’s level, threshold and warning colour in Chinese, in metres', () => {
    const out = lines('zh-CN', flood);
    expect(out.map((l) => [l.label, l.value])).toEqual([
      ['当前水位', '21.46 m'],
      ['预警等级', '橙色'],
      ['预警水位', '21.00 m'],
    ]);
  });

  it('words the same facts in English', () => {
    const out = lines('en', flood);
    expect(out.map((l) => l.label)).toEqual(['Water level', 'Warning colour', 'Warning level']);
    expect(out[1]!.value).toBe('Orange');
  });

  it('gives a ticket’s urgency and its due time in Beijing time', () => {
    const out = lines('zh-CN', ticket);
    expect(out[0]).toMatchObject({ label: '紧急程度', value: '紧急' });
    // 06:30 UTC is 14:30 in Beijing.
    expect(out[1]!.label).toBe('办结时限');
    expect(out[1]!.value).toContain('14:30');
  });

  it('puts units on a surge’s baseline and window', () => {
    const out = lines('en', surge);
    expect(out.map((l) => l.value)).toEqual(['12', '1.5 per hour', '60 min']);
  });

  it('shows an unknown fact as it came, so nothing the server sends is hidden', () => {
    expect(lines('en', { gaugeModel: 'XR-7' })).toEqual([{ key: 'gaugeModel', label: 'gaugeModel', value: 'XR-7' }]);
  });
});
