// Sends an smtp channel's mail through its server with nodemailer, one connection per message (alerts are few;
// a pooled connection would only be one more thing to time out), and reads what went wrong as a Verdict like an
// HTTP receiver's answer: the server's 4xx asks for a retry, its 5xx refuses for good, a network error or a
// timeout is retried. A reason never holds the password, the server's address or a recipient's address.
import type { SmtpConfig } from './config';
import type { Verdict } from './channels';
import type { MailMessage } from './mail';

/** A loopback relay (a local MTA) may take a login without TLS: nothing crosses a network. */
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/i;

/** What the mail server said, without any address in it (a refusal often quotes the recipient). */
function said(response: unknown): string {
  if (typeof response !== 'string') return '';
  const first = response.split(/\r?\n/)[0]!.replace(/^\d{3}[ -]/, '');
  const clean = first.replace(/<[^>]*>|\S+@\S+/g, '…').trim();
  return clean === '' ? '' : `: ${clean.slice(0, 120)}`;
}

/** A nodemailer error as a Verdict. */
export function judgeMailError(error: unknown, timeoutMs: number): Verdict {
  const e = (error ?? {}) as { code?: string; originalCode?: string; responseCode?: number; response?: unknown };
  // Before the login, so no retry helps: the server offers no STARTTLS (or its certificate does not check out).
  if (e.code === 'ETLS') return { ok: false, reason: 'TLS refused by the mail server', retry: false };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    // 4xx: come back later (greylisting, a full queue); 5xx: this login, sender or recipient is refused for good.
    const retry = e.responseCode < 500;
    const what = e.code === 'EAUTH' ? ' (login refused)' : '';
    return { ok: false, reason: `SMTP ${e.responseCode}${what}${said(e.response)}`, retry };
  }
  if (e.code === 'EAUTH') return { ok: false, reason: 'SMTP login refused', retry: false };
  if (e.code === 'ETIMEDOUT') return { ok: false, reason: `no answer within ${timeoutMs} ms`, retry: true };
  // ESOCKET / ECONNECTION / EDNS carry the system's code (ECONNREFUSED, ENOTFOUND) as originalCode.
  const code = e.originalCode ?? e.code;
  return { ok: false, reason: code ? `network error ${code}` : 'network error', retry: true };
}

/**
 * One message to the channel's server. Resolves, never rejects: delivered, or why not. `timeoutMs` bounds the
 * whole exchange (connection, greeting, login, message); `signal` ends the wait when the server closes.
 */
export async function sendMail(
  smtp: SmtpConfig,
  mail: MailMessage,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Verdict> {
  const login = smtp.user !== undefined && smtp.password !== undefined;
  // Loaded on the first mail, not at start: most deployments send none, and every start paid for it.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    // A password over a network goes encrypted or not at all: without this, a server (or someone between)
    // that does not offer STARTTLS would get it in the clear.
    requireTLS: !smtp.secure && login && !LOOPBACK.test(smtp.host),
    ...(login ? { auth: { user: smtp.user!, pass: smtp.password! } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    // The message is ours: no attachment or image is ever read from a file or a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const cutOff = new Promise<Verdict>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `no answer within ${timeoutMs} ms`, retry: true }),
      timeoutMs,
    );
    onAbort = () => resolve({ ok: false, reason: 'aborted (server closing)', retry: true });
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const sent = transport
    .sendMail({
      from: mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.headers,
    })
    .then(
      (info): Verdict =>
        // Some recipients refused, the others took it: delivered (the refused are the receiving side's to fix).
        info.accepted.length > 0
          ? { ok: true }
          : { ok: false, reason: `SMTP: every recipient refused${said(info.response)}`, retry: false },
      (error: unknown) => judgeMailError(error, timeoutMs),
    );
  try {
    return await Promise.race([sent, cutOff]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
    transport.close();
  }
}
