// Two priority queues for the fold's clock. Both are binary min-heaps; events arrive roughly in time order,
// so a push usually stops at once and the cost is the pop, O(log n), once per item.

/** Something with one pending deadline; heapIndex is owned by the heap (-1 when not queued). */
export interface Timed {
  due: number;
  heapIndex: number;
}

/**
 * An indexed heap of objects, one entry per object: rescheduling moves the entry instead of adding another,
 * so a ticket or ranger never leaves stale entries behind (a log of a million tickets would otherwise keep a
 * million dead entries alive until their deadlines).
 */
export class TimerHeap<T extends Timed> {
  private items: T[] = [];

  /** The queue as it stands, for a keyframe: the items keep their heapIndex, so the array is the heap. */
  snapshot(): T[] {
    return this.items;
  }

  /** Takes over a snapshot()'s array (its items restored with their due and heapIndex). */
  restore(items: T[]): void {
    this.items = items;
  }

  get size(): number {
    return this.items.length;
  }

  /** The earliest due time, Infinity when empty. */
  nextDue(): number {
    return this.items.length > 0 ? this.items[0]!.due : Infinity;
  }

  /** Queues the item at `due`, or moves it there; Infinity removes it. */
  schedule(item: T, due: number): void {
    if (due === Infinity) {
      this.cancel(item);
      return;
    }
    if (item.heapIndex < 0) {
      item.due = due;
      item.heapIndex = this.items.length;
      this.items.push(item);
      this.up(item.heapIndex);
      return;
    }
    const old = item.due;
    item.due = due;
    if (due < old) this.up(item.heapIndex);
    else if (due > old) this.down(item.heapIndex);
  }

  cancel(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    item.heapIndex = -1;
    item.due = Infinity;
    const last = this.items.pop()!;
    if (i === this.items.length) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.up(i);
    this.down(last.heapIndex);
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const top = this.items[0];
    if (top) this.cancel(top);
    return top;
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (parent.due <= item.due) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && items[c + 1]!.due < items[c]!.due) c++;
      const child = items[c]!;
      if (child.due >= item.due) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}

/**
 * A heap of window facts (time, code, chain) in parallel typed arrays: 16 bytes a fact and nothing for the
 * garbage collector to trace, because the rolling 24 h window may hold hundreds of thousands of them.
 */
export class FactHeap {
  private t = new Float64Array(1024);
  private code = new Int32Array(1024);
  private chain = new Int32Array(1024);
  size = 0;
  /** The fact removed by the last pop(). */
  poppedTime = 0;
  poppedCode = 0;
  poppedChain = 0;

  /** The live facts, for a keyframe. */
  snapshot(): { t: Float64Array; code: Int32Array; chain: Int32Array } {
    return {
      t: this.t.slice(0, this.size),
      code: this.code.slice(0, this.size),
      chain: this.chain.slice(0, this.size),
    };
  }

  restore(s: { t: Float64Array; code: Int32Array; chain: Int32Array }): void {
    const n = s.t.length;
    const cap = Math.max(1024, 2 ** Math.ceil(Math.log2(n + 1)));
    this.t = new Float64Array(cap);
    this.t.set(s.t);
    this.code = new Int32Array(cap);
    this.code.set(s.code);
    this.chain = new Int32Array(cap);
    this.chain.set(s.chain);
    this.size = n;
  }

  minTime(): number {
    return this.size > 0 ? this.t[0]! : Infinity;
  }

  push(time: number, code: number, chain: number): void {
    if (this.size === this.t.length) this.grow();
    let i = this.size++;
    const t = this.t;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= time) break;
      this.move(p, i);
      i = p;
    }
    t[i] = time;
    this.code[i] = code;
    this.chain[i] = chain;
  }

  pop(): void {
    this.poppedTime = this.t[0]!;
    this.poppedCode = this.code[0]!;
    this.poppedChain = this.chain[0]!;
    const n = --this.size;
    if (n === 0) return;
    const time = this.t[n]!;
    const code = this.code[n]!;
    const chain = this.chain[n]!;
    const t = this.t;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && t[c + 1]! < t[c]!) c++;
      if (t[c]! >= time) break;
      this.move(c, i);
      i = c;
    }
    t[i] = time;
    this.code[i] = code;
    this.chain[i] = chain;
  }

  private move(from: number, to: number): void {
    this.t[to] = this.t[from]!;
    this.code[to] = this.code[from]!;
    this.chain[to] = this.chain[from]!;
  }

  private grow(): void {
    const n = this.t.length * 2;
    const t = new Float64Array(n);
    t.set(this.t);
    const code = new Int32Array(n);
    code.set(this.code);
    const chain = new Int32Array(n);
    chain.set(this.chain);
    this.t = t;
    this.code = code;
    this.chain = chain;
  }
}
