// Namespace admin: the admin's pages. Same keys as zh-CN/admin.ts.
import type zh from '../zh-CN/admin';
import type { Strings } from '../types';

const en: Strings<typeof zh> = {
  link: 'Channels',
  linkTitle: 'Notification channels: health and test messages (admins)',
  back: 'Back',
  title: 'Notification channels',
  subtitle:
    'Where alerts go: WeCom, DingTalk, webhooks, SMS and e-mail (NOTIFY_CONFIG). Addresses, keys and passwords are not shown here.',
  loading: 'Loading…',
  error: 'Could not load: {{message}}',
  empty: 'No notification channels: set NOTIFY_CONFIG and restart the server (see docs/ALERTS.md).',
  refresh: 'Refresh',
  type: {
    webhook: 'Webhook',
    wecom: 'WeCom group robot',
    dingtalk: 'DingTalk group robot',
    sms: 'SMS gateway',
    smtp: 'E-mail (SMTP)',
  },
  column: {
    channel: 'Channel',
    scope: 'Scope',
    health: 'Health',
    lastDelivered: 'Last delivered',
    lastFailure: 'Last failure',
    deadLetters: 'Dead letters',
    action: 'Test',
  },
  health: { up: 'Up', down: 'Failing', idle: 'Nothing sent yet' },
  counts: '{{delivered}} alerts delivered · {{queued}} queued',
  never: '—',
  deadLetterCount: '{{count}}',
  deadLetterItem: '{{alert}} ({{transition}}) {{time}}: {{reason}}',
  transition: { raised: 'raised', escalated: 'escalated', whistled: 'departments called', resolved: 'resolved' },
  test: {
    button: 'Send test',
    sending: 'Sending…',
    delivered: 'Delivered ({{ms}} ms)',
    failed: 'Not delivered: {{reason}}',
    error: 'Could not send: {{message}}',
  },
};
export default en;
