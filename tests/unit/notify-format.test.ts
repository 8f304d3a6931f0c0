// What a notification says: title, severity, area, time, the facts in people's words, the departments called and
// the link; Chinese by default, English per channel; each receiver's request shape and size limit.
import { describe, expect, it } from 'vitest';
import { buildRequest, judge } from '../../server/notify/channels';
import { resolveNotifyConfig, type ChannelConfig } from '../../server/notify/config';
import { markdown, smsText, type Notice } from '../../server/notify/format';

const flood: Notice = {
  key: 'duty|rules|flood_warning:cp-12:881',
  alertId: 'flood_warning:cp-12:881',
  transition: 'raised',
  rule: 'flood_warning',
  severity: 'severe',
  level: 'town',
  title: '白庙村监测点 水位 21.35 m，达红色预警',
  area: 'grid:110112104-017',
  areaName: '白庙村第3网格',
  townName: '宋庄镇',
  at: '2025-07-20T06:12:00.000Z',
  raisedAt: '2025-07-20T06:12:00.000Z',
  facts: { checkpoint: '白庙村监测点', level: 21.35, color: 'red', threshold: 21.2 },
  link: 'https://ops.example.org/?area=grid%3A110112104-017&alert=flood_warning%3Acp-12%3A881',
};

function channel(extra: object): ChannelConfig {
  const r = resolveNotifyConfig({
    channels: [{ id: 'c', url: 'https://robot.example/send?key=k', scope: 'district:110112', ...extra }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config.channels[0]!;
}

describe('message content', () => {
  it('in Chinese: severity and transition in the title, area with its town, Beijing time, facts, link', () => {
    const md = markdown(flood, 'zh');
    expect(md.split('\n')).toEqual([
      '### 【严重】新告警：白庙村监测点 水位 21.35 m，达红色预警',
      '> **级别**：严重（街乡级）',
      '> **规则**：防汛预警',
      '> **区域**：宋庄镇 · 白庙村第3网格',
      '> **时间**：2025-07-20 14:12',
      '> **详情**：水位(米) 21.35，预警颜色 红色，阈值(米) 21.2',
      '',
      `[查看告警](${flood.link})`,
    ]);
  });

  it('in English, with the departments called by name and when it was raised', () => {
    const md = markdown(
      { ...flood, transition: 'whistled', departments: ['water', 'chengguan'], at: '2025-07-20T06:40:00Z' },
      'en',
    );
    expect(md).toContain('### 【Severe】Departments called：');
    expect(md).toContain('> **Raised**：2025-07-20 14:12');
    expect(md).toContain('> **Departments**：water, city management');
    expect(markdown({ ...flood, transition: 'whistled', departments: ['water', 'fire'] }, 'zh')).toContain(
      '> **吹哨部门**：水务、消防',
    );
  });

  it('SMS: the default template, or the channel’s, filled in', () => {
    expect(smsText(flood, 'zh', undefined)).toBe(
      `【严重】新告警：白庙村监测点 水位 21.35 m，达红色预警，宋庄镇白庙村第3网格，2025-07-20 14:12 ${flood.link}`,
    );
    expect(smsText(flood, 'zh', '{area}{rule}：{title}')).toBe(
      '宋庄镇白庙村第3网格防汛预警：白庙村监测点 水位 21.35 m，达红色预警',
    );
  });
});

describe('requests and answers', () => {
  it('WeCom content is cut to 4096 bytes without breaking a character', () => {
    const long = {
      ...flood,
      facts: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`f${i}`, '汛'.repeat(190)])),
    };
    const body = JSON.parse(buildRequest(channel({ type: 'wecom' }), long, 0).body);
    expect(Buffer.byteLength(body.markdown.content)).toBeLessThanOrEqual(4096);
    expect(body.markdown.content.endsWith('…')).toBe(true);
  });

  it('DingTalk without 加签 keeps its URL; with it, adds timestamp and sign', () => {
    expect(buildRequest(channel({ type: 'dingtalk' }), flood, 1_700_000_000_000).url).toBe(
      'https://robot.example/send?key=k',
    );
    const signed = new URL(buildRequest(channel({ type: 'dingtalk', secret: 'SECx' }), flood, 1_700_000_000_000).url);
    expect(signed.searchParams.get('timestamp')).toBe('1700000000000');
    expect(signed.searchParams.get('sign')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(signed.search).toMatch(/&sign=[A-Za-z0-9%]+$/); // base64's + / = percent-encoded in the URL
  });

  it('reads the robots’ errcode, retries what can heal and not a refused request', () => {
    const wecom = channel({ type: 'wecom' });
    expect(judge(wecom, 200, '{"errcode":0,"errmsg":"ok"}')).toEqual({ ok: true });
    expect(judge(wecom, 200, '{"errcode":45009,"errmsg":"api freq out of limit"}')).toEqual({
      ok: false,
      reason: 'errcode 45009: api freq out of limit',
      retry: true,
    });
    expect(judge(wecom, 503, '')).toMatchObject({ ok: false, reason: 'HTTP 503', retry: true });
    expect(judge(wecom, 429, '')).toMatchObject({ retry: true });
    expect(judge(wecom, 404, '')).toMatchObject({ ok: false, reason: 'HTTP 404', retry: false });
    const hook = channel({ type: 'webhook', secret: 's' });
    expect(judge(hook, 204, '')).toEqual({ ok: true });
  });
});
