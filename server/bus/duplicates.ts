// Which event keys the log already holds, however long ago they came, without asking the archive about new ones.
// Three places together cover every seq (jetstream.ts keeps the third honest):
//   - recent:  the keys this node folded that the archive may not hold yet (seq > the archive's mark), exact;
//   - the key index (key-index.ts): every key archived or folded, as a hash; a key it does not hold is new, a key
//     it may hold is looked up in the archive (a retry: the slow path may wait for PostgreSQL, a new event not);
//   - the stream's own duplicate window: events this node has not folded yet, published less than the window ago.
// Until the index is loaded, and for stores without scanKeys() (a node's own SQLite file), every key is looked up.
import type { EventStore } from '../store/types';
import { createKeyIndex } from './key-index';

/** Keys per query while the key index loads from the archive. */
const LOAD_BATCH = 20_000;
const LOAD_RETRY_MS = 2000;

export interface DuplicateCheck {
  /**
   * A stream message folded, in seq order. False when its key was folded before under another seq: a second copy
   * that reached the stream (only a retry that beat every check), which every node then leaves out alike.
   */
  folded(key: string, seq: number): boolean;
  /** The archive holds every seq ≤ mark: those keys leave `recent` (the index and the archive keep them). */
  archivedUpTo(mark: number): void;
  /** The seq each of `keys` is held under, for the keys the log holds. */
  held(keys: readonly string[]): Promise<Map<string, number>>;
  /** Loads the key index from the archive (once; retried while the archive is unreachable). */
  load(): void;
  /** The key index answers for the archive now. */
  readonly indexed: boolean;
  /** Keys folded and not yet known to be archived. */
  readonly unarchived: number;
  close(): void;
}

export function createDuplicateCheck(
  store: Pick<EventStore, 'seqsOfKeys' | 'scanKeys'>,
  onError: (error: unknown) => void,
): DuplicateCheck {
  const recent = new Map<string, number>();
  // Folded (seq, key) in seq order from `head` on, so that archivedUpTo() drops them in order.
  let order: { seq: number; key: string }[] = [];
  let head = 0;
  const index = createKeyIndex();
  let indexed = false;
  let loading = false;
  let closed = false;

  const loadOnce = async (): Promise<void> => {
    const scanKeys = store.scanKeys?.bind(store);
    if (!scanKeys) return;
    while (!closed) {
      try {
        await scanKeys(0, LOAD_BATCH, (keys) => {
          for (const k of keys) index.add(k);
        });
        indexed = true;
        return;
      } catch (error) {
        onError(error);
        await new Promise((r) => setTimeout(r, LOAD_RETRY_MS));
      }
    }
  };

  return {
    folded(key, seq) {
      const first = recent.get(key);
      if (first !== undefined && first !== seq) return false;
      recent.set(key, seq);
      order.push({ seq, key });
      index.add(key);
      return true;
    },
    archivedUpTo(mark) {
      while (head < order.length && order[head]!.seq <= mark) {
        const { seq, key } = order[head]!;
        if (recent.get(key) === seq) recent.delete(key);
        head++;
      }
      if (head > 4096 && head * 2 > order.length) {
        order = order.slice(head);
        head = 0;
      }
    },
    async held(keys) {
      const found = new Map<string, number>();
      const ask: string[] = [];
      for (const k of keys) {
        const seq = recent.get(k);
        if (seq !== undefined) found.set(k, seq);
        else if (!indexed || index.mayHold(k)) ask.push(k);
      }
      if (ask.length > 0) for (const [k, seq] of await store.seqsOfKeys(ask)) found.set(k, seq);
      return found;
    },
    load() {
      if (loading) return;
      loading = true;
      void loadOnce();
    },
    get indexed() {
      return indexed;
    },
    get unarchived() {
      return recent.size;
    },
    close() {
      closed = true;
    },
  };
}
