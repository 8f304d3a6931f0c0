// The counters: every area's figures as Int32 slots in one typed array (layout.ts), updated along an object's
// chain (district, town, grid cell, property district, forest cluster: at most five areas), and the windows'
// facts with the clock they are relative to.
//
// Windows keep facts, not tickets. A fact is (time, what, chain): "a ticket was created / closed / rated /
// answered, here, then". The 'today' window adds facts of the current local day to the today counters and
// zeroes them at local midnight; the rolling 24 h window adds facts to the rolling counters and queues them
// (16 bytes each, typed arrays) until they are 24 h old, then subtracts them; month and year are zeroed when
// they turn; the rolling 30 days keep a bucket per day and subtract the day that leaves.
import { ROLLING_DAYS } from '../../contract/live';
import { DAY_MS, localDay, monthStartDay, yearStartDay } from '../../contract/time';
import { CHAIN_LENGTH, type AreaIndex } from '../areas';
import { FactHeap } from '../heap';
import type { LiveObserver } from '../observer';
import type { ChangeSet } from './changes';
import {
  C_BYCAT,
  C_COVERED,
  C_LAST_DAY,
  C_PREV_DAY,
  countWindowFact,
  K_CREATED,
  NCAT,
  NEGATIVE,
  NO_DAY,
  STRIDE,
  W_30D,
  W_FIELDS,
  W_MONTH,
  W_ROLL,
  W_TODAY,
  W_YEAR,
} from './layout';

/** A fact dated on a local day after the clock's (a producer's clock ahead): counted when that day comes. */
interface FutureFact {
  t: number;
  code: number;
  chain: number;
  sign: number;
}

/** What a keyframe keeps of the counters. */
export interface CountersSnapshot {
  now: number;
  clockSet: boolean;
  today: number;
  monthStart: number;
  yearStart: number;
  baselineDay: number | null;
  c: Int32Array;
  ring: Int32Array;
  ringDay: Int32Array;
  rolling: ReturnType<FactHeap['snapshot']>;
  future: FutureFact[];
}

export class Counters {
  /** STRIDE slots per area. */
  readonly c: Int32Array;
  /** The clock (epoch ms): moves only through the live state's advance() and its first event. */
  now: number;
  clockSet: boolean;
  /** The clock's local day, and the first local days of its month and year. */
  today = 0;
  monthStart = 0;
  yearStart = 0;
  /** The first day the 零诉求 streak may count from (options.zeroComplaintSinceMs, else the first event's day). */
  baselineDay: number | null;
  /**
   * The rolling 30 days as day buckets: ring[(slot × areas + area) × W_FIELDS + field], slot = day mod 30, and
   * ringDay[slot] the day a slot holds (NO_DAY: none). At local midnight the day leaving the window is
   * subtracted from the W_30D counters, so reading the window costs nothing.
   */
  private readonly ring: Int32Array;
  private readonly ringDay = new Int32Array(ROLLING_DAYS).fill(NO_DAY);
  private readonly rolling = new FactHeap();
  private future: FutureFact[] = [];

  constructor(
    private readonly areas: AreaIndex,
    private readonly changes: ChangeSet,
    private readonly observer: LiveObserver | undefined,
    start: number | null,
    baselineMs: number | null,
  ) {
    const n = areas.size;
    this.c = new Int32Array(n * STRIDE);
    this.ring = new Int32Array(ROLLING_DAYS * n * W_FIELDS);
    for (let a = 0; a < n; a++) {
      this.c[a * STRIDE + C_LAST_DAY] = NO_DAY;
      this.c[a * STRIDE + C_PREV_DAY] = NO_DAY;
    }
    this.clockSet = start !== null;
    this.now = start ?? 0;
    this.setDay(localDay(this.now));
    this.baselineDay = baselineMs === null ? null : localDay(baselineMs);
  }

  /** Starts the clock at `ms` if nothing started it yet (the first event, or the first advance()). */
  startClock(ms: number): void {
    if (this.clockSet) return;
    this.clockSet = true;
    this.now = ms;
    this.setDay(localDay(ms));
  }

  /**
   * Moves the clock forward: facts leave the rolling 24 h, and at local midnight the day rolls over. An older
   * time (a slow timer) changes nothing; returns whether the clock moved.
   */
  advance(nowMs: number): boolean {
    if (!(nowMs > this.now)) return false;
    this.now = nowMs;
    const limit = nowMs - DAY_MS;
    const rolling = this.rolling;
    while (rolling.size > 0 && rolling.minTime() <= limit) {
      rolling.pop();
      const code = rolling.poppedCode;
      this.countFact(W_ROLL, code & ~NEGATIVE, rolling.poppedChain, code & NEGATIVE ? 1 : -1);
    }
    const day = localDay(nowMs);
    if (day > this.today) this.rollover(day);
    return true;
  }

  /** Adds `delta` to one slot of every area of the chain. */
  add(chain: number, field: number, delta: number): void {
    const c = this.c;
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      c[a * STRIDE + field] = c[a * STRIDE + field]! + delta;
      this.changes.touch(a);
    }
  }

  /**
   * Enters one fact into the windows. 'today' = [local midnight, next midnight) of the clock's day, by the
   * fact's own time; facts dated on a later day (a producer's clock ahead of ours) wait for that day.
   * rolling24h = (now − 24 h, ∞): a fact exactly 24 h old has left it.
   */
  addFact(t: number, code: number, chain: number, sign: number): void {
    this.observer?.fact?.(t, code, this.areas.chains[chain]!, sign);
    const d = localDay(t);
    if (d === this.today) this.countFact(W_TODAY, code, chain, sign);
    else if (d > this.today) this.future.push({ t, code, chain, sign });
    if (d <= this.today) this.countPast(d, code, chain, sign);
    if ((code & 15) === K_CREATED && d <= this.today) this.noteTicketDay(chain, d);
    if (t > this.now - DAY_MS) {
      this.countFact(W_ROLL, code, chain, sign);
      this.rolling.push(t, sign < 0 ? code | NEGATIVE : code, chain);
    }
  }

  /** Local midnight: the 'today' figures start again, streaks grow, coverage restarts. */
  private rollover(day: number): void {
    const c = this.c;
    const n = this.areas.size;
    const newMonth = monthStartDay(day) !== this.monthStart;
    const newYear = yearStartDay(day) !== this.yearStart;
    for (let a = 0; a < n; a++) {
      const o = a * STRIDE;
      c.fill(0, o + W_TODAY, o + W_TODAY + W_FIELDS);
      if (newMonth) c.fill(0, o + W_MONTH, o + W_MONTH + W_FIELDS);
      if (newYear) c.fill(0, o + W_YEAR, o + W_YEAR + W_FIELDS);
      c.fill(0, o + C_BYCAT, o + C_BYCAT + NCAT);
      c[o + C_COVERED] = 0;
      this.changes.touch(a);
    }
    // The days that leave the rolling 30 days: their buckets come off the window's counters.
    const ring = this.ring;
    for (let slot = 0; slot < ROLLING_DAYS; slot++) {
      const d = this.ringDay[slot]!;
      if (d === NO_DAY || d > day - ROLLING_DAYS) continue;
      const first = slot * n * W_FIELDS;
      for (let a = 0; a < n; a++) {
        const from = first + a * W_FIELDS;
        const o = a * STRIDE + W_30D;
        for (let f = 0; f < W_FIELDS; f++) c[o + f] = c[o + f]! - ring[from + f]!;
      }
      ring.fill(0, first, first + n * W_FIELDS);
      this.ringDay[slot] = NO_DAY;
    }
    this.setDay(day);
    if (this.future.length > 0) {
      const keep: FutureFact[] = [];
      for (const f of this.future) {
        const d = localDay(f.t);
        if (d > day) {
          keep.push(f);
          continue;
        }
        if (d === day) this.countFact(W_TODAY, f.code, f.chain, f.sign);
        this.countPast(d, f.code, f.chain, f.sign);
        if ((f.code & 15) === K_CREATED) this.noteTicketDay(f.chain, d);
      }
      this.future = keep;
    }
  }

  /** Sets the day the windows are relative to, with the first days of its month and year. */
  private setDay(day: number): void {
    this.today = day;
    this.monthStart = monthStartDay(day);
    this.yearStart = yearStartDay(day);
  }

  /**
   * Counts a fact of local day `d` (today or before) into the long windows it falls in: the month and the year
   * of today, and the rolling 30 days with the day's bucket. One pass over the chain for all of them.
   */
  private countPast(d: number, code: number, chain: number, sign: number): void {
    const inMonth = d >= this.monthStart;
    const inYear = d >= this.yearStart;
    const in30 = d > this.today - ROLLING_DAYS;
    if (!inYear && !in30) return;
    const c = this.c;
    const n = this.areas.size;
    let bucket = -1;
    if (in30) {
      const slot = ((d % ROLLING_DAYS) + ROLLING_DAYS) % ROLLING_DAYS;
      this.ringDay[slot] = d;
      bucket = slot * n * W_FIELDS;
    }
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      const o = a * STRIDE;
      if (inMonth) countWindowFact(c, o + W_MONTH, code, sign);
      if (inYear) countWindowFact(c, o + W_YEAR, code, sign);
      if (in30) {
        countWindowFact(c, o + W_30D, code, sign);
        countWindowFact(this.ring, bucket + a * W_FIELDS, code, sign);
      }
      this.changes.touch(a);
    }
  }

  private countFact(window: number, code: number, chain: number, sign: number): void {
    const c = this.c;
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      const category = countWindowFact(c, a * STRIDE + window, code, sign);
      if (category >= 0 && window === W_TODAY)
        c[a * STRIDE + C_BYCAT + category] = c[a * STRIDE + C_BYCAT + category]! + sign;
      this.changes.touch(a);
    }
  }

  private noteTicketDay(chain: number, d: number): void {
    const c = this.c;
    const ch = this.areas.chains[chain]!;
    for (let s = 0; s < CHAIN_LENGTH; s++) {
      const a = ch[s]!;
      if (a < 0) continue;
      const o = a * STRIDE;
      if (d > c[o + C_LAST_DAY]!) {
        c[o + C_PREV_DAY] = c[o + C_LAST_DAY]!;
        c[o + C_LAST_DAY] = d;
      } else if (d < c[o + C_LAST_DAY]! && d > c[o + C_PREV_DAY]!) {
        c[o + C_PREV_DAY] = d;
      } else {
        continue;
      }
      this.changes.touch(a);
    }
  }

  /**
   * Whole local days before today since the last day with a new ticket at counter offset `o`, counted from the
   * baseline day at the earliest: the state cannot vouch for days before it saw anything.
   */
  zeroComplaintDays(o: number): number {
    if (this.baselineDay === null) return 0;
    const last = this.c[o + C_LAST_DAY]!;
    const lastBefore = last < this.today ? last : this.c[o + C_PREV_DAY]!;
    const from = Math.max(lastBefore + 1, this.baselineDay);
    return Math.max(0, this.today - from);
  }

  snapshot(): CountersSnapshot {
    return {
      now: this.now,
      clockSet: this.clockSet,
      today: this.today,
      monthStart: this.monthStart,
      yearStart: this.yearStart,
      baselineDay: this.baselineDay,
      c: this.c,
      ring: this.ring,
      ringDay: this.ringDay,
      rolling: this.rolling.snapshot(),
      future: this.future,
    };
  }

  restore(s: CountersSnapshot): void {
    this.now = s.now;
    this.clockSet = s.clockSet;
    this.today = s.today;
    this.monthStart = s.monthStart;
    this.yearStart = s.yearStart;
    this.baselineDay = s.baselineDay;
    this.c.set(s.c);
    this.ring.set(s.ring);
    this.ringDay.set(s.ringDay);
    this.rolling.restore(s.rolling);
    this.future = s.future;
  }
}
