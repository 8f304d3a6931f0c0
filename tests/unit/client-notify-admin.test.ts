// The admin's channel page: only an admin's session opens it (anyone else at its address gets their usual
// screen), a channel's health in one word, a test's outcome in words.
import { describe, expect, it } from 'vitest';
import { healthOf, testMessage } from '../../client/admin/channels-view';
import { screenFor } from '../../client/auth/scope';
import { createI18n } from '../../client/i18n';

describe('the channel page', () => {
  it('opens at /admin/notify for admins only', () => {
    expect(screenFor('/admin/notify', '', { role: 'admin' })).toBe('admin-notify');
    expect(screenFor('/admin/notify', '', { role: 'officer' })).toBe('dashboard');
    expect(screenFor('/admin/notify', '', { role: 'leader' })).toBe('landing');
    expect(screenFor('/admin/notify', '', { role: 'wall' })).toBe('wall');
    expect(screenFor('/admin', '', { role: 'admin' })).toBe('dashboard');
  });

  it('calls a channel failing after a failure, idle before anything was sent, up after a success', () => {
    expect(healthOf({ up: true })).toBe('idle');
    expect(healthOf({ up: true, lastDeliveredAt: '2025-07-20T14:00:00+08:00' })).toBe('up');
    expect(healthOf({ up: false, lastFailureAt: '2025-07-20T14:00:00+08:00' })).toBe('down');
    expect(
      healthOf({ up: true, lastDeliveredAt: '2025-07-20T14:05:00+08:00', lastFailureAt: '2025-07-20T14:00:00+08:00' }),
    ).toBe('up');
  });

  it('says whether the test arrived, and why not, in both languages', () => {
    const zh = createI18n('zh-CN');
    const en = createI18n('en');
    const say = (i: typeof zh, m: ReturnType<typeof testMessage>) => i.t(m.key, { ns: 'admin', ...m.values });
    const delivered = testMessage({ state: 'answered', answer: { channel: 'c', ok: true, ms: 42 } });
    expect(say(zh, delivered)).toBe('已送达（42 毫秒）');
    expect(say(en, delivered)).toBe('Delivered (42 ms)');
    const refused = testMessage({ state: 'answered', answer: { channel: 'c', ok: false, ms: 9, reason: 'HTTP 401' } });
    expect(say(zh, refused)).toBe('未送达：HTTP 401');
    expect(say(en, testMessage({ state: 'error', message: 'Forbidden' }))).toBe('Could not send: Forbidden');
    expect(say(zh, testMessage({ state: 'sending' }))).toBe('发送中…');
  });
});
