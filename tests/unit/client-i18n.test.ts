// Both languages carry the same strings with the same placeholders, and figures are formatted for the
// language in the district's time zone, whatever the zone of the machine showing them.
import { describe, expect, it } from 'vitest';
import { createI18n, formatters, initialLanguage, RESOURCES } from '../../client/i18n';
import { freshness, STALE_MS } from '../../client/panels/freshness';

type Tree = { [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(`${prefix}${k}`, v);
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  for (const ns of Object.keys(RESOURCES['zh-CN']) as (keyof (typeof RESOURCES)['zh-CN'])[]) {
    it(`namespace ${ns}: same keys and placeholders in English, no empty string`, () => {
      const zh = leaves(RESOURCES['zh-CN'][ns] as Tree);
      const en = leaves(RESOURCES.en[ns] as Tree);
      expect([...en.keys()].sort()).toEqual([...zh.keys()].sort());
      for (const [key, text] of zh) {
        expect(text.trim(), `zh-CN ${ns}:${key}`).not.toBe('');
        expect(en.get(key)!.trim(), `en ${ns}:${key}`).not.toBe('');
        expect(placeholders(en.get(key)!), `${ns}:${key}`).toEqual(placeholders(text));
      }
    });
  }

  it('speaks Chinese by default and English when asked', () => {
    expect(initialLanguage('')).toBe('zh-CN');
    expect(initialLanguage('?lang=en')).toBe('en');
    expect(initialLanguage('?lang=fr')).toBe('zh-CN');
    const zh = createI18n('zh-CN');
    expect(zh.t('kpi.resolutionRate')).toBe('解决率');
    const en = createI18n('en');
    expect(en.t('kpi.resolutionRate')).toBe('Resolution');
    expect(en.t('connection.fresh', { seconds: 2 })).toBe('updated 2 s ago');
  });
});

describe('formatting in Asia/Shanghai', () => {
  // 16:30 UTC is half past midnight of the next day in the district.
  const t = Date.parse('2026-07-20T16:30:05Z');
  it('shows times and dates of the district day, for the language', () => {
    expect(formatters('zh-CN').time(t)).toBe('00:30:05');
    expect(formatters('zh-CN').date(t)).toMatch(/2026\/07\/21/);
    expect(formatters('en').date(t)).toMatch(/07\/21\/2026/);
  });
  it('gives the time alone for the district day, and the date too for an earlier day', () => {
    const f = formatters('zh-CN');
    expect(f.when(t, Date.parse('2026-07-21T03:00:00Z'))).toBe('00:30:05');
    // 23:59 on the 20th in Beijing, seen just after midnight: yesterday.
    expect(f.when(Date.parse('2026-07-20T15:59:00Z'), t)).toMatch(/07\/20.*23:59/);
  });

  it('shows a missing rate as a dash, never as 0 %', () => {
    expect(formatters('zh-CN').percent(null)).toBe('—');
    expect(formatters('zh-CN').percent(0.8294)).toBe('82.9%');
    expect(formatters('en').number(16798)).toBe('16,798');
  });
});

describe('data freshness', () => {
  const now = 1_000_000;
  it('is fresh while data keeps coming, stale after 10 s without, offline when disconnected', () => {
    expect(freshness({ connection: 'live', receivedAt: now - 2000, seq: 5 }, now)).toEqual({
      state: 'fresh',
      ageSeconds: 2,
    });
    expect(freshness({ connection: 'live', receivedAt: now - STALE_MS - 1000, seq: 5 }, now).state).toBe('stale');
    expect(freshness({ connection: 'offline', receivedAt: now - 1000, seq: 5 }, now).state).toBe('offline');
    expect(freshness({ connection: 'live', receivedAt: null, seq: null }, now).state).toBe('waiting');
    // A gap voided the state: it says so until the fresh snapshot is in.
    expect(freshness({ connection: 'live', receivedAt: now, seq: null }, now).state).toBe('resyncing');
  });
});
