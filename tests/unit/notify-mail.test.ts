// What an smtp channel's e-mail says (subject with the severity, text and HTML bodies with the same lines as the
// chat robots, the link back), how one delivery is named for every attempt, and how a mail server's refusals
// read: retried or not, never with an address or the password in the reason.
import { describe, expect, it } from 'vitest';
import type { SmtpConfig } from '../../server/notify/config';
import type { Notice } from '../../server/notify/format';
import { buildMail, messageIdOf } from '../../server/notify/mail';
import { judgeMailError } from '../../server/notify/smtp';

const smtp: SmtpConfig = {
  host: 'smtp.example.org',
  port: 587,
  secure: false,
  user: 'opsmap@example.org',
  password: 'smtp-password-0123456789',
  from: '运行一张图 <opsmap@tongzhou.example.org>',
  to: ['duty@example.org'],
};

const fire: Notice = {
  key: 'duty-mail|rules|fire_risk:inc-7',
  alertId: 'fire_risk:inc-7',
  transition: 'raised',
  rule: 'fire_risk',
  severity: 'severe',
  level: 'town',
  title: '火险：林下发现烟点 <b>',
  area: 'forest:110112105-03',
  areaName: '张家湾林区3',
  townName: '张家湾镇',
  at: '2025-07-20T06:12:00.000Z',
  raisedAt: '2025-07-20T06:12:00.000Z',
  facts: {},
  link: 'https://ops.example.org/?area=forest%3A110112105-03&alert=fire_risk%3Ainc-7',
};

describe('the e-mail of an alert', () => {
  it('in Chinese: the title with its severity as subject, the lines and the link in text and HTML', () => {
    const m = buildMail(smtp, fire, 'zh');
    expect(m.subject).toBe('【严重】新告警：火险：林下发现烟点 <b>');
    expect(m.from).toBe(smtp.from);
    expect(m.to).toEqual(['duty@example.org']);
    expect(m.text.split('\n').slice(0, 6)).toEqual([
      '【严重】新告警：火险：林下发现烟点 <b>',
      '',
      '级别：严重（街乡级）',
      '规则：火险',
      '区域：张家湾镇 · 张家湾林区3',
      '时间：2025-07-20 14:12',
    ]);
    expect(m.text).toContain(`查看告警：${fire.link}`);
    expect(m.html).toContain('<html lang="zh-CN">');
    expect(m.html).toContain(
      '<th style="padding:4px 12px 4px 0;vertical-align:top;text-align:left;white-space:nowrap">区域</th>',
    );
    // The title is the alert's text, not markup.
    expect(m.html).toContain('林下发现烟点 &#60;b&#62;');
    expect(m.html).not.toContain('烟点 <b>');
    expect(m.html).toContain(`<a href="${fire.link!.replace(/&/g, '&#38;')}">查看告警</a>`);
  });

  it('in English when the channel says so; no link without PUBLIC_URL', () => {
    const { link: _, ...noLink } = fire;
    const m = buildMail(smtp, noLink, 'en');
    expect(m.subject).toBe('【Severe】New alert：火险：林下发现烟点 <b>');
    expect(m.text).toContain('Area: 张家湾镇 · 张家湾林区3');
    expect(m.text).not.toContain('http');
    expect(m.html).not.toContain('<a ');
  });

  it('a test message says so in the subject', () => {
    expect(buildMail(smtp, { ...fire, test: true, note: '值班测试' }, 'zh').subject).toBe('运行一张图：通知渠道测试');
  });

  it('one delivery, one Message-ID for every attempt; the key in Idempotency-Key; another delivery, another id', () => {
    const a = buildMail(smtp, fire, 'zh');
    const again = buildMail(smtp, fire, 'zh');
    const resolved = buildMail(smtp, { ...fire, key: 'duty-mail|rules|fire_risk:inc-7:resolved' }, 'zh');
    expect(a.messageId).toMatch(/^<opsmap\.[0-9a-f]{32}@tongzhou\.example\.org>$/);
    expect(again.messageId).toBe(a.messageId);
    expect(resolved.messageId).not.toBe(a.messageId);
    expect(a.headers).toEqual({ 'Idempotency-Key': fire.key, 'X-OpsMap-Alert': fire.alertId });
    expect(messageIdOf('k', 'ops@example.org')).toMatch(/@example\.org>$/);
  });
});

describe('a mail server’s answer', () => {
  it('4xx is retried, 5xx is not; the reason keeps the code and drops addresses', () => {
    expect(
      judgeMailError(
        { code: 'EENVELOPE', responseCode: 451, response: '451 4.7.1 <duty@example.org>: greylisted, try again' },
        5000,
      ),
    ).toEqual({ ok: false, reason: 'SMTP 451: 4.7.1 …: greylisted, try again', retry: true });
    const refused = judgeMailError(
      { code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 duty@example.org: mailbox unavailable' },
      5000,
    );
    expect(refused).toEqual({ ok: false, reason: 'SMTP 550: 5.1.1 … mailbox unavailable', retry: false });
  });

  it('a refused login is not retried and says so, without the password', () => {
    const v = judgeMailError({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Authentication failed' }, 5000);
    expect(v).toEqual({ ok: false, reason: 'SMTP 535 (login refused): 5.7.8 Authentication failed', retry: false });
    expect(judgeMailError({ code: 'ETLS', responseCode: 500 }, 5000)).toEqual({
      ok: false,
      reason: 'TLS refused by the mail server',
      retry: false,
    });
  });

  it('a server down or silent is retried, named by the system’s code, not by its address', () => {
    expect(
      judgeMailError(
        { code: 'ESOCKET', originalCode: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.5:587' },
        5000,
      ),
    ).toEqual({
      ok: false,
      reason: 'network error ECONNREFUSED',
      retry: true,
    });
    expect(judgeMailError({ code: 'ETIMEDOUT' }, 3000)).toEqual({
      ok: false,
      reason: 'no answer within 3000 ms',
      retry: true,
    });
  });
});
