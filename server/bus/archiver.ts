// Archiving behind the fold: the node that holds the store's archive lease copies the stream into the store in
// seq order, from the store's own last seq, in batches; the others only watch how far the archive has come (they
// take the lease when its holder dies). Nothing waits for it but reads of the log (history, exports, replays):
// ingest is answered at the PubAck and every node folds the stream itself (jetstream.ts). archive() is
// idempotent, so a batch written twice (a lease changing hands mid-batch) is still written once.
import type { StoredEvent } from '../contract/events';
import type { EventStore } from '../store/types';

/** Events per archive transaction: large enough to amortise PostgreSQL's round trips, small enough to hold. */
export const ARCHIVE_BATCH = 2000;
/** How often a node without the lease tries to take it, and learns how far the archive has come. */
const WATCH_MS = 1000;
const RETRY_MS = 500;
/** The pause after a short batch: at most this much more lag, for far fewer PostgreSQL transactions. */
const ARCHIVE_LINGER_MS = 50;

export interface ArchiverOptions {
  store: Pick<EventStore, 'archive' | 'lastSeq' | 'archiveLease'>;
  /** Stream events with seq > afterSeq, in order, at most `limit`; [] when the fold has nothing after it yet. */
  read(afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** The archive holds every seq ≤ mark (it only grows). */
  onMark(mark: number): void;
  onError(error: unknown): void;
}

export interface Archiver {
  /** New events were folded: archive them now if this node holds the lease. */
  wake(): void;
  /** This node holds the lease now. */
  readonly leased: boolean;
  /** The archive's last seq as last seen. */
  readonly mark: number;
  close(): Promise<void>;
}

export function createArchiver(options: ArchiverOptions, startMark: number): Archiver {
  const { store } = options;
  let closed = false;
  let leased = false;
  let mark = startMark;
  let wakeUp: (() => void) | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  const advance = (to: number): void => {
    if (to <= mark) return;
    mark = to;
    options.onMark(mark);
  };

  const run = async (): Promise<void> => {
    while (!closed) {
      try {
        const had = leased;
        leased = store.archiveLease ? await store.archiveLease() : true;
        if (closed) return;
        if (!leased) {
          advance(await store.lastSeq());
          await pause(WATCH_MS);
          continue;
        }
        // Just taken: start from the store's own last seq, not this node's memory (the last holder got further).
        if (!had) advance(await store.lastSeq());
        const batch = await options.read(mark, ARCHIVE_BATCH);
        if (batch.length === 0) {
          await pause(WATCH_MS);
          continue;
        }
        await store.archive(batch);
        advance(batch[batch.length - 1]!.seq);
        // A short batch: let the next one gather for a moment rather than commit a transaction per fold batch.
        if (batch.length < ARCHIVE_BATCH) await new Promise((r) => setTimeout(r, ARCHIVE_LINGER_MS));
      } catch (error) {
        if (closed) return;
        options.onError(error);
        await pause(RETRY_MS);
      }
    }
  };
  const running = run();

  return {
    wake() {
      if (leased) wakeUp?.();
    },
    get leased() {
      return leased;
    },
    get mark() {
      return mark;
    },
    async close() {
      closed = true;
      wakeUp?.();
      await running;
    },
  };
}
