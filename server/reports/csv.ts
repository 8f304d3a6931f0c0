// CSV and download plumbing shared by the exports: RFC 4180 fields, the UTF-8 BOM, a Content-Disposition that
// survives Chinese names, and a stream that honours backpressure while a producer walks the log.
import { PassThrough, type Readable } from 'node:stream';

/** Excel reads a CSV without a BOM in the machine's ANSI code page, which turns every Chinese title to mojibake. */
export const UTF8_BOM = '\uFEFF';

export type CsvValue = string | number | boolean | null | undefined;

/**
 * One field, RFC 4180: quoted when it holds a quote, comma or line break, inner quotes doubled. Ticket titles
 * come from citizens: one starting with = + - @ would run as a formula when the duty officer opens the file
 * in Excel, so such a text gets a leading apostrophe, which spreadsheets show as plain text.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with its CRLF terminator (RFC 4180 §2.1). */
export const csvRow = (values: readonly CsvValue[]): string => values.map(csvField).join(',') + '\r\n';

/**
 * `attachment` with an ASCII `filename` for old clients and the real name as RFC 5987 `filename*`
 * (browsers prefer it), so 张家湾镇 reaches the download bar intact.
 */
export function contentDisposition(name: string, asciiFallback: string): string {
  const ascii = asciiFallback.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** Thrown into a producer when the client went away: stop reading the log. */
export class ExportAborted extends Error {
  constructor() {
    super('the export was aborted by the client');
  }
}

/** Chunks are gathered to about this size before a write: one write per row would cost more than the rows. */
const CHUNK_CHARS = 64 * 1024;

export type Write = (text: string) => Promise<void>;

/**
 * A readable stream fed by `produce`. Each `write` resolves only once the stream has room again (the reply's
 * socket drained), so a slow client slows the scan of the log instead of filling memory; a closed one
 * aborts it. `onError` hears failures after the headers went out, when no error answer is possible.
 */
export function streamOf(produce: (write: Write) => Promise<void>, onError: (error: unknown) => void): Readable {
  const out = new PassThrough();
  let pending = '';
  const room = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
    });
  const flush = async () => {
    if (out.destroyed) throw new ExportAborted();
    const chunk = pending;
    pending = '';
    if (chunk.length > 0 && !out.write(chunk)) await room();
    if (out.destroyed) throw new ExportAborted();
  };
  const write: Write = async (text) => {
    pending += text;
    if (pending.length >= CHUNK_CHARS) await flush();
  };
  void (async () => {
    try {
      await produce(write);
      await flush();
      out.end();
    } catch (error) {
      if (!(error instanceof ExportAborted)) onError(error);
      out.destroy(error instanceof ExportAborted ? undefined : (error as Error));
    }
  })();
  return out;
}
