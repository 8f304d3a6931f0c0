// What an smtp channel's e-mail says: the subject is the title with its severity, the body the same lines as the
// chat robots' messages, as plain text and as a simple HTML table, with the link back to the alert. Pure: the
// sending (and its errors) is smtp.ts's job, so tests compare a message without a mail server.
//
// Idempotency: the delivery's key names the message. A mail client folds two messages with one Message-ID into
// one, so the at-least-once repeat after a crash (or a retry after an answer lost to a timeout) shows once; the
// key itself travels in an Idempotency-Key header for a receiving script, like the webhook's.
import { createHash } from 'node:crypto';
import type { SmtpConfig } from './config';
import { heading, lines, type Language, type Notice } from './format';

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** `<opsmap.<hash of the delivery key>@<the sender's domain>>`: the same for every attempt of one delivery. */
  messageId: string;
  headers: Record<string, string>;
}

/** The header a receiving script dedupes by, with the name the webhook's header has. */
export const MAIL_IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** Which alert a mail is about, for a mail rule that files them. */
export const MAIL_ALERT_HEADER = 'X-OpsMap-Alert';

const LINK_WORDS: Record<Language, { link: string; footer: string }> = {
  zh: { link: '查看告警', footer: '此邮件由运行一张图自动发送，请勿直接回复。' },
  en: { link: 'Open the alert', footer: 'Sent by Ops Map; replies are not read.' },
};

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The domain of "name <user@domain>" or "user@domain". */
function domainOf(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.slice(address.lastIndexOf('@') + 1);
}

/**
 * A Message-ID's left part may hold only a few ASCII characters and the key holds ':' and '|' (and an alert id
 * may hold anything), so it is a hash of the key: the same for every attempt of one delivery, another for the next.
 */
export function messageIdOf(key: string, from: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `<opsmap.${hash}@${domainOf(from)}>`;
}

export function buildMail(smtp: SmtpConfig, notice: Notice, lang: Language): MailMessage {
  const subject = heading(notice, lang);
  const rows = lines(notice, lang);
  const sep = lang === 'zh' ? '：' : ': ';
  const words = LINK_WORDS[lang];
  const text = [
    subject,
    '',
    ...rows.map(([k, v]) => `${k}${sep}${v}`),
    ...(notice.link ? ['', `${words.link}${sep}${notice.link}`] : []),
    '',
    '--',
    words.footer,
  ].join('\n');
  const cell = 'padding:4px 12px 4px 0;vertical-align:top';
  const html = [
    '<!doctype html>',
    `<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif;font-size:14px;color:#1f2328">',
    `<h2 style="font-size:18px;margin:0 0 12px">${escapeHtml(subject)}</h2>`,
    '<table style="border-collapse:collapse">',
    ...rows.map(
      ([k, v]) =>
        `<tr><th style="${cell};text-align:left;white-space:nowrap">${escapeHtml(k)}</th><td style="${cell}">${escapeHtml(v)}</td></tr>`,
    ),
    '</table>',
    ...(notice.link
      ? [`<p style="margin:16px 0"><a href="${escapeHtml(notice.link)}">${escapeHtml(words.link)}</a></p>`]
      : []),
    `<p style="color:#656d76;font-size:12px">${escapeHtml(words.footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return {
    from: smtp.from,
    to: [...smtp.to],
    subject,
    text,
    html,
    messageId: messageIdOf(notice.key, smtp.from),
    headers: { [MAIL_IDEMPOTENCY_HEADER]: notice.key, [MAIL_ALERT_HEADER]: notice.alertId },
  };
}
