// Keyframes: every projection's state after folding the log up to a seq, so that a start, a replay or a past
// brief folds only the log's tail after it instead of the whole log. The encoding is V8's structured clone
// (node:v8): it keeps Maps, typed arrays and shared references (a ticket in three indexes stays one ticket)
// without a hand-written schema per projection; each projection is serialised on its own, so a reader that
// needs one (a replay needs only the live state) decodes only that one. The whole is deflated and checked with
// SHA-256. A keyframe of another format or code version, or one whose checksum fails, is refused with the
// reason, and the caller folds the log in full instead.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { promisify } from 'node:util';
import { deflate, inflateSync } from 'node:zlib';
import type { StoredKeyframe } from '../store/types';

/** The encoding's own version: bump it when the envelope below changes shape. */
export const KEYFRAME_FORMAT = 1;

const deflateAsync = promisify(deflate);

interface Envelope {
  format: number;
  version: string;
  seq: number;
  parts: Record<string, Uint8Array>;
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
  const parts: Record<string, Uint8Array> = {};
  for (const [name, data] of snapshots) parts[name] = serialize(data);
  const envelope: Envelope = { format: KEYFRAME_FORMAT, version: meta.version, seq: meta.seq, parts };
  const body = await deflateAsync(serialize(envelope), { level: 1 });
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
  let envelope: Envelope;
  try {
    envelope = deserialize(inflateSync(k.body)) as Envelope;
  } catch (err) {
    return { ok: false, reason: `cannot be decoded: ${(err as Error).message}` };
  }
  if (envelope.format !== k.format || envelope.version !== k.version || envelope.seq !== k.seq)
    return { ok: false, reason: 'its header and its row disagree' };
  return {
    ok: true,
    seq: envelope.seq,
    names: Object.keys(envelope.parts),
    part: (name) => {
      const bytes = envelope.parts[name];
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
