// Large JSON that changes only with a deployment (the area layers, the area tree), serialised once and sent
// compressed. The grid layer is about 1 MB of JSON and the tree 800 KB, most of it repeated names and
// coordinates: gzip -9 makes them about 12 times smaller and brotli at its best quality about 16 times
// (docs/BENCHMARKS.md, "Area geometry on the wire"). Brotli at that quality takes about 2 s for the grid, so
// it is made once, in the background, on the first request that accepts it; that request and any before the
// brotli copy is ready get gzip. Nothing is compressed per request.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { Negotiator } from '@fastify/accept-negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

type Coding = 'br' | 'gzip';

/** The ETag of each coding: the content's hash and a suffix, so a cache never mixes up two codings' bytes. */
const SUFFIX: Record<Coding | 'identity', string> = { br: '-br', gzip: '-gz', identity: '' };

// brotli first: at equal weight it is the smaller. "identity" is listed so that "identity;q=1, br;q=0.5"
// is honoured; without a header, or with nothing acceptable, the body goes out as it is.
// No cache of answers: the header is the client's to choose, and a cache keyed by it would grow without bound.
const negotiator = new Negotiator<Coding | 'identity'>({ supportedValues: ['br', 'gzip', 'identity'] });

export interface CachedJson {
  /** The JSON as it is, for clients that accept no compression. */
  readonly body: Buffer;
  /** Hash of the body (base64url), the ETag's root. */
  readonly hash: string;
  /** The compressed copies: a promise while being made, a buffer once made, null when making it failed. */
  readonly coded: Map<Coding, Promise<Buffer | null> | Buffer | null>;
}

export function cacheJson(value: unknown): CachedJson {
  const body = Buffer.from(JSON.stringify(value));
  return { body, hash: createHash('sha1').update(body).digest('base64url'), coded: new Map() };
}

/** Starts making a coding's copy (once); a failure leaves null, and that coding is not offered again. */
function start(cached: CachedJson, coding: Coding): Promise<Buffer | null> | Buffer | null {
  let slot = cached.coded.get(coding);
  if (slot !== undefined) return slot;
  const making = (
    coding === 'br'
      ? brotliAsync(cached.body, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            [constants.BROTLI_PARAM_SIZE_HINT]: cached.body.length,
          },
        })
      : gzipAsync(cached.body, { level: constants.Z_BEST_COMPRESSION })
  ).then(
    (buf) => buf,
    () => null,
  );
  slot = making;
  cached.coded.set(coding, slot);
  void making.then((buf) => cached.coded.set(coding, buf));
  return slot;
}

/** The copy to send for a negotiated coding: brotli only once it is made, otherwise gzip; null: the body as is. */
async function copyFor(cached: CachedJson, wanted: Coding | 'identity' | null): Promise<[Coding, Buffer] | null> {
  if (wanted === 'br') {
    const br = start(cached, 'br');
    if (br instanceof Buffer) return ['br', br];
  }
  if (wanted === 'br' || wanted === 'gzip') {
    const gz = await start(cached, 'gzip');
    if (gz) return ['gzip', gz];
  }
  return null;
}

/** Whether If-None-Match names this content in any of its codings; returns the tag that matched. */
function matchingTag(header: string | undefined, hash: string): string | null {
  if (!header) return null;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*') return `"${hash}"`;
    const opaque = tag.replace(/^W\//, '');
    for (const suffix of Object.values(SUFFIX)) if (opaque === `"${hash}${suffix}"`) return tag;
  }
  return null;
}

/**
 * Sends the cached JSON in the best coding the client accepts. A string or a buffer skips Fastify's serializer,
 * so the route's response schema documents the shape without re-encoding megabytes of coordinates per request.
 * A 304 repeats the tag the client holds: its stored copy, in whatever coding, is current.
 */
export async function sendCachedJson(
  request: FastifyRequest,
  reply: FastifyReply,
  cached: CachedJson,
  cacheControl: string,
): Promise<FastifyReply> {
  reply.header('cache-control', cacheControl).header('vary', 'accept-encoding');
  const held = matchingTag(request.headers['if-none-match'], cached.hash);
  if (held) return reply.code(304).header('etag', held).send();
  const accept = request.headers['accept-encoding'];
  const copy = await copyFor(cached, accept ? negotiator.negotiate(accept) : null);
  reply.type('application/json; charset=utf-8');
  if (!copy) return reply.header('etag', `"${cached.hash}"`).send(cached.body);
  const [coding, bytes] = copy;
  return reply.header('content-encoding', coding).header('etag', `"${cached.hash}${SUFFIX[coding]}"`).send(bytes);
}
