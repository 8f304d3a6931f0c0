// A local mail server standing for the district's mail relay (smtp-server, in-process): it takes a login, records
// every message with its envelope, and decodes what a mail client would show (subject, To, the text and HTML
// parts), so a test reads what the duty officer would read. It can be stopped and started again on its port
// (a relay restarting).
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  /** The login the client used; undefined: none. */
  user: string | undefined;
  /** Header names in lower case, values decoded (RFC 2047). */
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
  at: number;
}

export interface MailReceiver {
  port: number;
  mails: ReceivedMail[];
  /** Logins tried and refused. */
  refusedLogins: number;
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

/** "=?UTF-8?B?…?=" and "=?UTF-8?Q?…?=" words, as mail clients show them. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, data: string) =>
      enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
}

function qp(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i]!, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = decodeWords(line.slice(i + 1).trim());
  }
  return out;
}

function split(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const sep = /\r?\n\r?\n/.exec(raw)![0].length;
  return { headers: parseHeaders(raw.slice(0, at)), body: raw.slice(at + sep) };
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const enc = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') return qp(body);
  return body;
}

/** The text/plain and text/html parts of a message, one level of multipart/alternative deep. */
function parts(raw: string): { headers: Record<string, string>; text: string; html: string } {
  const { headers, body } = split(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const found = { text: '', html: '' };
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const sections = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1)
        .filter((s) => !s.startsWith('--'))
        .map((s) => split(s.replace(/^\r?\n/, '')))
    : [{ headers, body }];
  for (const s of sections) {
    const t = s.headers['content-type'] ?? 'text/plain';
    if (t.startsWith('text/plain')) found.text = decodeBody(s.headers, s.body).trimEnd();
    if (t.startsWith('text/html')) found.html = decodeBody(s.headers, s.body).trimEnd();
  }
  return { headers, ...found };
}

export async function startMailReceiver(
  login: { user: string; password: string } | undefined,
  port = 0,
  /** Where it listens: loopback, unless a test needs it reached over another interface. */
  host = '127.0.0.1',
): Promise<MailReceiver> {
  const mails: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  const receiver: MailReceiver = {
    port,
    mails,
    refusedLogins: 0,
    async start() {
      server = new SMTPServer({
        // Loopback, no certificate: the client may log in without TLS here (and only here, see smtp.ts).
        disabledCommands: login ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
        allowInsecureAuth: true,
        authOptional: login === undefined,
        logger: false,
        // Closing waits this long for a client still connected, not the 30 s default.
        closeTimeout: 200,
        onAuth(auth, _session, done) {
          if (login && auth.username === login.user && auth.password === login.password)
            return done(null, { user: auth.username });
          receiver.refusedLogins += 1;
          return done(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
        },
        onData(stream, session, done) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const p = parts(raw);
            mails.push({
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              user: typeof session.user === 'string' ? session.user : undefined,
              headers: p.headers,
              subject: p.headers.subject ?? '',
              text: p.text,
              html: p.html,
              raw,
              at: Date.now(),
            });
            done();
          });
        },
      });
      const s = server;
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(receiver.port, host, () => resolve());
      });
      receiver.port = (s.server.address() as { port: number }).port;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        const s = server;
        server = undefined;
        s.close(() => resolve());
      }),
  };
  await receiver.start();
  return receiver;
}
