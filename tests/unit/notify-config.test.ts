// NOTIFY_CONFIG and PUBLIC_URL are checked at start: a bad field stops the start with the field's JSON pointer,
// and no error message repeats a URL or a secret.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import { DEFAULT_DELIVERY, loadNotifyConfig, resolveNotifyConfig } from '../../server/notify/config';
import { inQuietHours } from '../../server/notify/notifier';

const dir = mkdtempSync(path.join(tmpdir(), 'opsmap-notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-robot-key';
const wecom = (extra: object = {}) => ({ id: 'zjw', type: 'wecom', url: WECOM, scope: 'town:110112105', ...extra });

/** The error lines of a config that must be refused. */
function errors(json: unknown, env: Record<string, string> = {}): string[] {
  const r = resolveNotifyConfig(json, env);
  if (r.ok) throw new Error('accepted');
  return r.errors.map((e) => `${e.path} ${e.message}`);
}

describe('NOTIFY_CONFIG', () => {
  it('fills in the documented defaults', () => {
    const r = resolveNotifyConfig({ channels: [wecom()] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.delivery).toEqual(DEFAULT_DELIVERY);
    expect(r.config.channels[0]).toMatchObject({
      id: 'zjw',
      type: 'wecom',
      url: WECOM,
      minSeverity: 'info',
      transitions: ['raised', 'escalated', 'whistled', 'resolved'],
      language: 'zh',
      timeoutMs: 5000,
      retries: 5,
    });
  });

  it('names the field of a misspelt key, a wrong type and a bad value', () => {
    expect(errors({ channels: [wecom({ minSeverty: 'warning' })] })).toEqual([
      '/channels/0/minSeverty is not an allowed property',
    ]);
    expect(errors({ channels: [wecom({ type: 'feishu' })] })).toEqual([
      "/channels/0/type must be one of 'webhook', 'wecom', 'dingtalk', 'sms', 'smtp'",
    ]);
    expect(errors({ channels: [wecom({ minSeverity: 'critical' })] })).toEqual([
      "/channels/0/minSeverity must be one of 'info', 'warning', 'severe'",
    ]);
    expect(errors({ channels: [wecom({ transitions: ['acknowledged'] })] })[0]).toMatch(
      /^\/channels\/0\/transitions\/0 must be one of 'raised'/,
    );
    expect(errors({ channels: [wecom({ quietHours: { from: '25:00', to: '07:00' } })] })).toEqual([
      '/channels/0/quietHours/from must be a time HH:MM, e.g. 22:00',
    ]);
    expect(errors({ channels: [wecom({ scope: 'Tongzhou' })] })[0]).toMatch(/^\/channels\/0\/scope /);
    expect(errors({ channels: [wecom()], delivery: { retries: -1 } })[0]).toMatch(/^\/delivery\/retries /);
    expect(errors({ channel: [] })).toContain('/channels is required');
  });

  it('asks a webhook and an SMS gateway for their signing secret and SMS for phones; ids are unique', () => {
    expect(
      errors({ channels: [{ id: 'w', type: 'webhook', url: 'https://h.example/in', scope: 'district:110112' }] }),
    ).toEqual(['/channels/0/secret is required for a webhook channel (it signs every request)']);
    expect(
      errors({
        channels: [{ id: 's', type: 'sms', url: 'https://sms.example/send', secret: 'k', scope: 'district:110112' }],
      }),
    ).toEqual(['/channels/0/phones is required for an sms channel']);
    expect(errors({ channels: [wecom(), wecom()] })).toEqual([
      '/channels/1/id is used by an earlier channel: ids must be unique',
    ]);
    expect(errors({ channels: [wecom({ phones: ['13800001111'] })] })).toEqual([
      '/channels/0/phones is for sms channels only',
    ]);
  });

  describe('smtp', () => {
    const PASSWORD = 'smtp-password-0123456789';
    const smtp = (extra: object = {}) => ({
      id: 'duty-mail',
      type: 'smtp',
      scope: 'district:110112',
      host: 'smtp.example.org',
      user: 'opsmap@example.org',
      password: PASSWORD,
      from: '运行一张图 <opsmap@example.org>',
      to: ['duty@example.org', 'chief@example.org'],
      ...extra,
    });

    it('takes a mail server and addresses; the port follows secure (465) or submission (587)', () => {
      const r = resolveNotifyConfig({
        channels: [smtp(), smtp({ id: 'smtps', secure: true }), smtp({ id: 'p', port: 465 })],
      });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      const [plain, smtps, byPort] = r.config.channels;
      expect(plain).toMatchObject({ type: 'smtp', url: '', language: 'zh', timeoutMs: 5000, retries: 5 });
      expect(plain!.smtp).toEqual({
        host: 'smtp.example.org',
        port: 587,
        secure: false,
        user: 'opsmap@example.org',
        password: PASSWORD,
        from: '运行一张图 <opsmap@example.org>',
        to: ['duty@example.org', 'chief@example.org'],
      });
      expect(smtps!.smtp).toMatchObject({ port: 465, secure: true });
      expect(byPort!.smtp).toMatchObject({ port: 465, secure: true });
      expect(plain!.perMinute).toBeUndefined();
      for (const host of ['127.0.0.1', '::1', 'mail-relay.internal'])
        expect(resolveNotifyConfig({ channels: [smtp({ host })] }).ok, host).toBe(true);
    });

    it('reads the password from "env:NAME"; a relay without login needs neither user nor password', () => {
      const r = resolveNotifyConfig(
        {
          channels: [
            smtp({ password: 'env:SMTP_PASSWORD' }),
            smtp({ id: 'relay', user: undefined, password: undefined, port: 25 }),
          ],
        },
        { SMTP_PASSWORD: PASSWORD },
      );
      expect(r.ok && r.config.channels.map((c) => c.smtp)).toEqual([
        expect.objectContaining({ password: PASSWORD }),
        expect.objectContaining({ port: 25, secure: false, user: undefined, password: undefined }),
      ]);
      expect(errors({ channels: [smtp({ password: 'env:NO_SUCH_PASSWORD' })] })).toEqual([
        '/channels/0/password names the environment variable NO_SUCH_PASSWORD, which is not set',
      ]);
    });

    it('names the missing or wrong field, and never repeats the password', () => {
      expect(errors({ channels: [smtp({ host: undefined, to: undefined })] })).toEqual([
        '/channels/0/host is required for an smtp channel',
        '/channels/0/to is required for an smtp channel',
      ]);
      expect(errors({ channels: [smtp({ to: ['duty'] })] })).toEqual([
        '/channels/0/to/0 must be an e-mail address, e.g. duty@example.org',
      ]);
      expect(errors({ channels: [smtp({ from: 'Ops <ops@example.org>\r\nBcc: x@example.org' })] })).toEqual([
        '/channels/0/from must be an e-mail address, e.g. 运行一张图 <ops@example.org>',
      ]);
      expect(errors({ channels: [smtp({ port: 0 })] })[0]).toMatch(/^\/channels\/0\/port /);
      expect(errors({ channels: [smtp({ host: 'smtp://mail.example.org' })] })).toEqual([
        '/channels/0/host must be a host name or IP address',
      ]);
      const noUser = errors({ channels: [smtp({ user: undefined })] });
      expect(noUser).toEqual(['/channels/0/user is required with a password']);
      expect(errors({ channels: [smtp({ password: undefined })] })).toEqual([
        '/channels/0/password is required with a user',
      ]);
      expect(errors({ channels: [smtp({ url: 'https://mail.example.org' })] })).toEqual([
        '/channels/0/url is not used by an smtp channel: give host and port',
      ]);
      expect(errors({ channels: [smtp({ secret: 'k' })] })).toEqual([
        '/channels/0/secret is not used by an smtp channel: give user and password',
      ]);
      expect(errors({ channels: [wecom({ host: 'smtp.example.org', to: ['a@example.org'] })] })).toEqual([
        '/channels/0/host is for smtp channels only',
        '/channels/0/to is for smtp channels only',
      ]);
      expect(errors({ channels: [{ id: 'w', type: 'wecom', scope: 'district:110112' }] })).toEqual([
        '/channels/0/url is required for a wecom channel',
      ]);
      const bad = smtp({ port: 'x', language: 'fr' });
      expect(() => loadNotifyConfig(JSON.stringify({ channels: [bad] }), '/')).toThrow(/\/channels\/0\/port/);
      try {
        loadNotifyConfig(JSON.stringify({ channels: [bad] }), '/');
      } catch (e) {
        expect((e as Error).message).not.toContain(PASSWORD);
      }
    });
  });

  it('refuses a URL that is not http(s) without repeating it', () => {
    const lines = errors({ channels: [wecom({ url: 'ftp://robot.example/send?key=secret-robot-key' })] });
    expect(lines).toEqual(['/channels/0/url must be an http:// or https:// URL']);
    expect(lines.join()).not.toContain('secret-robot-key');
  });

  it('reads "env:NAME" from the environment, and names the variable when it is not set', () => {
    const r = resolveNotifyConfig(
      { channels: [{ ...wecom(), url: 'env:ZJW_WECOM_URL', type: 'dingtalk', secret: 'env:ZJW_DING_SECRET' }] },
      { ZJW_WECOM_URL: WECOM, ZJW_DING_SECRET: 'SECabc' },
    );
    expect(r.ok && r.config.channels[0]).toMatchObject({ url: WECOM, secret: 'SECabc' });
    expect(errors({ channels: [wecom({ secret: 'env:MISSING_SECRET' })] })).toEqual([
      '/channels/0/secret names the environment variable MISSING_SECRET, which is not set',
    ]);
  });

  it('takes inline JSON or a file; a broken one is named without quoting its secrets', () => {
    const file = path.join(dir, 'notify.json');
    writeFileSync(file, JSON.stringify({ channels: [wecom()] }));
    expect(loadNotifyConfig(file, '/')?.channels).toHaveLength(1);
    expect(loadNotifyConfig(JSON.stringify({ channels: [wecom()] }), '/')?.channels[0]?.id).toBe('zjw');
    expect(loadNotifyConfig('', '/')).toBeUndefined();
    const broken = `{"channels":[{"id":"zjw","url":"${WECOM}",}]}`;
    expect(() => loadNotifyConfig(broken, '/')).toThrow(/^NOTIFY_CONFIG \(inline JSON\) is not valid JSON/);
    try {
      loadNotifyConfig(broken, '/');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-robot-key');
    }
    expect(() => loadNotifyConfig(path.join(dir, 'missing.json'), '/')).toThrow(/cannot read the file \(ENOENT\)/);
  });

  it('stops the server configuration with the variable and the field', () => {
    expect(() => loadConfig({ NOTIFY_CONFIG: JSON.stringify({ channels: [wecom({ language: 'fr' })] }) })).toThrow(
      "NOTIFY_CONFIG (inline JSON) is not valid: /channels/0/language must be one of 'zh', 'en'",
    );
    expect(() => loadConfig({ PUBLIC_URL: 'ops.example.org' })).toThrow(/^PUBLIC_URL="ops.example.org" is not valid/);
    expect(loadConfig({ PUBLIC_URL: 'https://ops.example.org/' }).publicUrl).toBe('https://ops.example.org');
    expect(loadConfig({}).notify).toBeUndefined();
  });
});

describe('quiet hours (Asia/Shanghai)', () => {
  const at = (local: string) => Date.parse(`2025-07-20T${local}:00+08:00`);
  it('wrap midnight: 22:00–07:00', () => {
    const q = { fromMin: 22 * 60, toMin: 7 * 60, minSeverity: 'severe' as const };
    expect(inQuietHours(q, at('23:30'))).toBe(true);
    expect(inQuietHours(q, at('06:59'))).toBe(true);
    expect(inQuietHours(q, at('07:00'))).toBe(false);
    expect(inQuietHours(q, at('14:00'))).toBe(false);
  });
  it('within a day: 12:00–14:00', () => {
    const q = { fromMin: 12 * 60, toMin: 14 * 60, minSeverity: 'severe' as const };
    expect(inQuietHours(q, at('12:30'))).toBe(true);
    expect(inQuietHours(q, at('14:30'))).toBe(false);
  });
});

describe('channel scopes against the area tree', () => {
  it('a scope the tree does not have stops the start, naming the channel', async () => {
    const { createNotifier } = await import('../../server/notify/notifier');
    const { createAlertBook } = await import('../../server/rules/alerts');
    const r = resolveNotifyConfig({ channels: [wecom(), wecom({ id: 'nowhere', scope: 'town:999999999' })] });
    if (!r.ok) throw new Error('refused');
    const tree = {
      root: 'district:110112',
      nodes: {
        'district:110112': { key: 'district:110112', level: 'district', parent: null },
        'town:110112105': { key: 'town:110112105', level: 'town', parent: 'district:110112' },
      },
    };
    expect(() =>
      createNotifier({
        config: r.config,
        tree: tree as never,
        book: createAlertBook(),
        append: async () => [],
        now: Date.now,
        node: 'n',
        exclusive: true,
        publicUrl: '',
        log: { warn: () => undefined, info: () => undefined },
      }),
    ).toThrow('NOTIFY_CONFIG is not valid: /channels/1/scope is no area of the area tree');
  });
});
