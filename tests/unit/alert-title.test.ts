// An alert's title in the reader's language, worded from the rule's code and facts (client/panels/alert-title.ts);
// the engine-level check that every rule's Chinese wording is the server's own title is in rules-engine.test.ts.
import { describe, expect, it } from 'vitest';
import { createI18n, formatters } from '../../client/i18n';
import { alertTitle } from '../../client/panels/alert-title';
import { factLines } from '../../client/panels/alert-facts';

const zh = createI18n('zh-CN').getFixedT('zh-CN', 'auth');
const en = createI18n('en').getFixedT('en', 'auth');

describe('alert titles', () => {
  it('words a ticket, a surge and a silent ranger in English, keeping the citizen’s words as given', () => {
    expect(
      alertTitle({ rule: 'ticket_overdue', title: '工单已超期：井盖缺失', facts: { ticketTitle: '井盖缺失' } }, en),
    ).toBe('Ticket overdue: 井盖缺失');
    expect(
      alertTitle(
        { rule: 'ticket_surge', title: '网格工单激增：60 分钟内 7 件', facts: { count: 7, windowMin: 60 } },
        en,
      ),
    ).toBe('Ticket surge in a grid cell: 7 in 60 min');
    expect(
      alertTitle(
        { rule: 'ranger_signal_lost', title: '护林员 r-9 已 15 分钟无信号', facts: { rangerId: 'r-9', minutes: 15 } },
        en,
      ),
    ).toBe('Ranger r-9: no signal for 15 min');
  });

  it('keeps the server’s title for an alert from an older log, whose facts do not carry the wording', () => {
    const old = { rule: 'flood_warning' as const, title: '北关闸 水位 21.46 m，达橙色预警', facts: { level: 21.46 } };
    expect(alertTitle(old, en)).toBe(old.title);
    expect(alertTitle({ rule: 'fire_risk', title: '火险：烟点' }, en)).toBe('火险：烟点');
  });

  it('names the device, not a digest, for an SOS from a tracker with no ranger in the device table', () => {
    const facts = {
      rangerId: 'dev-0123456789abcdef0123',
      deviceId: '王林 手机',
      description: '护林员（设备 王林 手机）',
    };
    expect(alertTitle({ rule: 'ranger_sos', title: 'SOS：护林员（设备 王林 手机）', facts }, en)).toBe(
      'SOS from device 王林 手机',
    );
    expect(alertTitle({ rule: 'ranger_sos', title: 'SOS：护林员（设备 王林 手机）', facts }, zh)).toBe(
      'SOS：护林员（设备 王林 手机）',
    );
  });

  it('leaves the facts the title is worded from out of the fact lines, and labels the device', () => {
    const lines = factLines(
      { rangerId: 'r-1', deviceId: 'phone-2', description: '有烟点', ticketTitle: 'x', cluster: 'y', checkpoint: 'z' },
      en,
      formatters('en'),
    );
    expect(lines.map((l) => [l.label, l.value])).toEqual([
      ['Ranger', 'r-1'],
      ['Device', 'phone-2'],
    ]);
  });
});
