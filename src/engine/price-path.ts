// The price path of one symbol (in whole ticks of one tick size), shaped to answer, in O(log ticks):
// "lowest / highest price since tick sequence `after`, and the EARLIEST tick that printed it".
//
// Two monotonic stacks of (seq, price, at), seqs increasing from bottom to top:
// - min stack: prices non-decreasing. A new tick pops every entry strictly ABOVE it (those can never again be
//   the lowest of a suffix that contains the new tick) and is pushed; equal prices stay, so the earliest
//   occurrence of a low survives. The lowest price since `after` is the first entry with seq > after.
// - max stack: the mirror image.
// Every tick is pushed on both (it is the extreme of the one-tick suffix), so each stack holds at least the
// latest tick. The owner folds positions into their own state and then `clear()`s the stacks when they grow
// (SymbolBook does it when they are longer than a few thousand + 2 × its open positions), which bounds memory.
export class PricePath {
  /** Sequence number of the latest tick (1, 2, 3, ... over the life of the path; never reset). */
  seq = 0;
  /** Price of the latest tick, in ticks (0 before the first). */
  lastTicks = 0;

  readonly minSeq: number[] = [];
  readonly minPx: number[] = [];
  readonly minAt: string[] = [];
  minLen = 0;
  readonly maxSeq: number[] = [];
  readonly maxPx: number[] = [];
  readonly maxAt: string[] = [];
  maxLen = 0;

  push(ticks: number, at: string): void {
    const seq = ++this.seq;
    this.lastTicks = ticks;
    let n = this.minLen;
    while (n > 0 && this.minPx[n - 1] > ticks) n--;
    this.minSeq[n] = seq;
    this.minPx[n] = ticks;
    this.minAt[n] = at;
    this.minLen = n + 1;
    n = this.maxLen;
    while (n > 0 && this.maxPx[n - 1] < ticks) n--;
    this.maxSeq[n] = seq;
    this.maxPx[n] = ticks;
    this.maxAt[n] = at;
    this.maxLen = n + 1;
  }

  /** Index in the min stack of the lowest (earliest) tick with seq > after. Requires `after < seq`. */
  lowSince(after: number): number {
    return firstAfter(this.minSeq, this.minLen, after);
  }

  /** Index in the max stack of the highest (earliest) tick with seq > after. Requires `after < seq`. */
  highSince(after: number): number {
    return firstAfter(this.maxSeq, this.maxLen, after);
  }

  /** Entries held (the larger stack). */
  get length(): number {
    return this.minLen > this.maxLen ? this.minLen : this.maxLen;
  }

  /** Forgets the history (only once no reader needs a tick before `seq`); `seq` and `lastTicks` stay. */
  clear(): void {
    this.minLen = this.maxLen = 0;
    this.minSeq.length = this.minPx.length = this.minAt.length = 0;
    this.maxSeq.length = this.maxPx.length = this.maxAt.length = 0;
  }
}

/** First index i < len with seqs[i] > after (seqs strictly increasing; the top always qualifies). */
function firstAfter(seqs: number[], len: number, after: number): number {
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid] > after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
