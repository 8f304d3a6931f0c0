// A local HTTP receiver standing for a WeCom / DingTalk robot, a webhook endpoint or an SMS gateway: it records
// every request and answers what the test tells it to (a status, a delay, or nothing at all).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Answer {
  status?: number;
  body?: string;
  /** Wait this long before answering (a slow receiver). */
  delayMs?: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** How to answer each request; it may look at the request (verify a signature) and count. */
  answer: (r: Received) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(answer: (r: Received) => Answer = () => ({})): Promise<Receiver> {
  const requests: Received[] = [];
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(r);
      const a = receiver.answer(r);
      const send = () => {
        if (res.destroyed) return;
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
        res.end(a.body ?? '{"errcode":0,"errmsg":"ok"}');
      };
      if (a.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, a.delayMs);
        timers.add(t);
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const receiver: Receiver = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    answer,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return receiver;
}

/** A port nobody listens on: a receiver that is down. */
export async function deadPort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

export const until = async (ok: () => boolean, ms = 10_000, what = 'condition'): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
