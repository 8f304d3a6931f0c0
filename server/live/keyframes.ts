// Keyframes: every projection's state after folding the log up to a seq, so that a start, a replay or a past
// brief folds only the log's tail after it instead of the whole log. The encoding is V8's structured clone
// (node:v8): it keeps Maps, typed arrays and shared references (a ticket in three indexes stays one ticket)
// without a hand-written schema per projection; each projection is serialised on its own, so a reader that
// needs one (a replay needs only the live state) decodes only that one. The whole is deflated and checked with
// SHA-256. A keyframe of another format or code version, or one whose checksum fails, is refused with the
// reason, and the caller folds the log in full instead.
//
// Inside the deflate: a 4-byte length, a small header (format, version, seq, each part's name and length), then
// the parts one after the other. The parts are deflated as they lie and read back as views of the inflated
// bytes: the state is never copied into an envelope of its own, which doubled a keyframe's memory (a state of
// 100 MB took 200 MB more for as long as it was written, and as long as a start read it).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { createDeflate, inflateSync } from 'node:zlib';
import type { StoredKeyframe } from '../store/types';

/** The encoding's own version: bump it when the layout below changes. */
export const KEYFRAME_FORMAT = 2;

interface Header {
  format: number;
  version: string;
  seq: number;
  /** Each part's name and byte length, in the order the parts follow the header. */
  parts: [string, number][];
}

/** Deflates the chunks in order without joining them first. */
function deflateChunks(chunks: readonly Uint8Array[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = createDeflate({ level: 1 });
    const out: Buffer[] = [];
    z.on('data', (c: Buffer) => out.push(c));
    z.on('error', reject);
    z.on('end', () => resolve(Buffer.concat(out)));
    for (const c of chunks) z.write(c);
    z.end();
  });
}

export interface KeyframeMeta {
  seq: number;
  kind: StoredKeyframe['kind'];
  takenMs: number;
  envelopeMs: number;
  version: string;
}

/**
 * Encodes the projections' snapshots. Serialising is synchronous (it must see one consistent state: call it
 * between two batches); deflating runs on the thread pool.
 */
export async function encodeKeyframe(
  meta: KeyframeMeta,
  snapshots: ReadonlyMap<string, unknown>,
): Promise<StoredKeyframe> {
  const parts: Uint8Array[] = [];
  const index: [string, number][] = [];
  for (const [name, data] of snapshots) {
    const bytes = serialize(data);
    parts.push(bytes);
    index.push([name, bytes.byteLength]);
  }
  const header = serialize({
    format: KEYFRAME_FORMAT,
    version: meta.version,
    seq: meta.seq,
    parts: index,
  } satisfies Header);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.byteLength);
  const body = await deflateChunks([length, header, ...parts]);
  return {
    seq: meta.seq,
    kind: meta.kind,
    takenMs: meta.takenMs,
    envelopeMs: meta.envelopeMs,
    format: KEYFRAME_FORMAT,
    version: meta.version,
    checksum: sha256(body),
    body,
  };
}

export type DecodedKeyframe =
  { ok: true; seq: number; part(name: string): unknown; names: string[] } | { ok: false; reason: string };

/** Checks and opens a stored keyframe written by this code version; parts are deserialised when asked for. */
export function decodeKeyframe(k: StoredKeyframe, version: string): DecodedKeyframe {
  if (k.format !== KEYFRAME_FORMAT)
    return { ok: false, reason: `format ${k.format}, this build reads ${KEYFRAME_FORMAT}` };
  if (k.version !== version) return { ok: false, reason: `written by code version ${k.version}, this is ${version}` };
  if (sha256(k.body) !== k.checksum) return { ok: false, reason: 'checksum mismatch (corrupt or truncated)' };
  const spans = new Map<string, Uint8Array>();
  let header: Header;
  try {
    const raw = inflateSync(k.body);
    const headerEnd = 4 + raw.readUInt32LE(0);
    header = deserialize(raw.subarray(4, headerEnd)) as Header;
    let at = headerEnd;
    for (const [name, length] of header.parts) {
      spans.set(name, raw.subarray(at, at + length));
      at += length;
    }
    if (at !== raw.byteLength) throw new Error(`its parts end at byte ${at} of ${raw.byteLength}`);
  } catch (err) {
    return { ok: false, reason: `cannot be decoded: ${(err as Error).message}` };
  }
  if (header.format !== k.format || header.version !== k.version || header.seq !== k.seq)
    return { ok: false, reason: 'its header and its row disagree' };
  return {
    ok: true,
    seq: header.seq,
    names: [...spans.keys()],
    part: (name) => {
      const bytes = spans.get(name);
      if (bytes === undefined) throw new Error(`the keyframe has no part ${name}`);
      return deserialize(bytes) as unknown;
    },
  };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

let sourceHash: string | undefined;

/**
 * The code version a keyframe is bound to: the server's source and whatever else the caller names (the
 * configuration the folds read, the geography). A keyframe holds the folds' internal shapes, so any change of
 * the code may change what they mean: after an upgrade the first start folds the log in full and writes new
 * keyframes. The source is hashed once per process.
 */
export function keyframeVersion(config: unknown): string {
  sourceHash ??= hashSources(join(dirname(fileURLToPath(import.meta.url)), '..'));
  return createHash('sha256').update(sourceHash).update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

function hashSources(root: string): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|mjs)$/.test(entry.name)) files.push(path);
    }
  };
  walk(root);
  for (const path of files.sort()) hash.update(path.slice(root.length)).update(readFileSync(path));
  return hash.digest('hex');
}
