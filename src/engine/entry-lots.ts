// CONTRACT `?pairing=entries`: a position's entry fills as FIFO lots, matched against its exits the way the
// Strategy Tester lists trades — one (entry, exit) pair per chunk, a partial exit splitting the entry it closes —
// each chunk with its own run-up and drawdown measured from its own entry.
//
// Where a lot's extremes come from, without visiting lots per tick and without keeping price history:
// - Each lot owns a SEGMENT of the position's price history: from its entry up to the next lot's entry. Only the
//   newest lot's segment is still growing; it is fed exactly what the position's own excursions are fed (every fill
//   price via observeExcursion, every tick via the book's lazy fold or a late/replayed tick), in O(1) each.
// - "Lowest / highest since lot i's entry" is the extreme of segments i .. newest. Exits only ever take the FRONT
//   lot, so the lots form a queue whose front aggregate is wanted: a two-stack queue. Lots before `front` carry the
//   suffix extremes of the segments from theirs up to front − 1; the closed segments from front on are folded into
//   one pair (back*); the newest segment is read live. The front's extremes = its suffix ∧ back ∧ newest: O(1).
//   Popping a lot when front = 0 first moves every closed segment into suffixes (O(lots), each lot moved once:
//   amortized O(1) per lot). So an entry costs O(1), an exit O(chunks it makes) amortized, a tick nothing here
//   (dropping the front lot shifts the array: a memmove, below the checkpoint's O(fills) serialization anyway).
//   The symbol's price path (price-path.ts) is never asked about old ticks, so its trimming stays as it was.
// - Everything is plain JSON inside PositionState, so it is checkpointed with the position; after a restart the
//   journal of extremes (durable-book.ts) replays through observeExcursion into the newest segment, which needs
//   exactly the lowest and highest price since the checkpoint: the same argument that makes excursions exact.
//
// Money: chunks keep exact ticks and unrounded USD commission (an entry's commission is split pro rata over the
// chunks it ends up in; an exit fill's is commissionPerContract × the chunk's contracts). Cents are allocated when
// the trade is taken (toEntryTrades): gross and commission by CUMULATIVE rounding in chunk order — chunk i gets
// round(sum of raw amounts through i) − round(through i − 1), the last running sum pinned to the trade's own cents
// — so each chunk is within a cent of its exact amount and the chunks sum exactly to the trade's gross and
// commission; pnl = gross − commission per chunk, so they sum exactly to the trade's pnl too. Deterministic.
//
// Bound: a round trip with more than MAX_ENTRY_TRADES pairs gets none (null: read as the round trip itself), so
// the D1 row that carries them stays far below D1's 2 MB per value (a pair is ~260 bytes of JSON).
import { MIN_QUANTITY } from "./limits";
import { cleanPrice, roundCents, ticksToPrice } from "./money";
import { avgEntryTicks, toUsd } from "./pnl";
import type { EntryChunkRaw, EntryLot, EntryLots, EntryTrade, ExitReason, FillReason, PositionState } from "./types";

/** Less than half the smallest quantity step: float noise of fractional contracts, not contracts. */
export const QUANTITY_DUST = MIN_QUANTITY / 2;

/** The lots of a position just opened by one entry fill. */
export function startLots(at: string, priceTicks: number, quantity: number, commission: number): EntryLots {
  return { open: [lot(at, priceTicks, quantity, commission)], front: 0, backLow: null, backHigh: null, done: [] };
}

/** A DCA add: the newest segment closes (folded into back*), the new lot's segment starts at its own price. O(1). */
export function addLot(lots: EntryLots, at: string, priceTicks: number, quantity: number, commission: number): void {
  const newest = lots.open[lots.open.length - 1];
  if (newest !== undefined) {
    lots.backLow = lots.backLow === null ? newest.low : Math.min(lots.backLow, newest.low);
    lots.backHigh = lots.backHigh === null ? newest.high : Math.max(lots.backHigh, newest.high);
  }
  lots.open.push(lot(at, priceTicks, quantity, commission));
}

/** Prices the open position saw (a fill price, a tick, or the lowest and highest of a run of ticks): they belong
 * to the newest segment. O(1). */
export function observeLots(lots: EntryLots | undefined, lowTicks: number, highTicks: number): void {
  const newest = lots?.open[lots.open.length - 1];
  if (newest === undefined) return;
  if (lowTicks < newest.low) newest.low = lowTicks;
  if (highTicks > newest.high) newest.high = highTicks;
}

/**
 * An exit fill of `quantity` contracts at `exitTicks` (already observed), matched first-in-first-out: one chunk per
 * lot it reaches, the last one possibly split. `closing`: every lot goes, whatever float noise is left in the
 * quantities. `exitCommissionPerContract`: what the exit fill is charged per contract. O(chunks) amortized.
 */
export function takeLots(
  lots: EntryLots,
  quantity: number,
  exitTicks: number,
  at: string,
  reason: ExitReason,
  exitCommissionPerContract: number,
  closing: boolean,
): void {
  let left = quantity;
  while (lots.open.length > 0 && (closing || left >= QUANTITY_DUST)) {
    const front = lots.open[0];
    const whole = closing || left >= front.quantity - QUANTITY_DUST;
    const q = whole ? front.quantity : left;
    const newest = lots.open[lots.open.length - 1];
    let low = newest.low;
    let high = newest.high;
    if (lots.backLow !== null && lots.backLow < low) low = lots.backLow;
    if (lots.backHigh !== null && lots.backHigh > high) high = lots.backHigh;
    if (lots.front > 0) {
      if (front.sufLow! < low) low = front.sufLow!;
      if (front.sufHigh! > high) high = front.sufHigh!;
    }
    const entryCommission = whole ? front.commission : (front.commission * q) / front.quantity;
    lots.done.push({
      entryAt: front.at,
      exitAt: at,
      entryTicks: front.priceTicks,
      exitTicks,
      quantity: q,
      commission: entryCommission + exitCommissionPerContract * q,
      low,
      high,
      exitReason: reason,
    });
    if (whole) popFront(lots);
    else {
      front.quantity = cleanPrice(front.quantity - q);
      front.commission -= entryCommission;
    }
    left = cleanPrice(left - q);
  }
}

/** The chunk's exit reason from the exit fill's: a partial exit by a signal ("reduce") is a signal exit. */
export function chunkReason(fillReason: FillReason): ExitReason {
  return fillReason === "reduce" ? "signal" : (fillReason as ExitReason);
}

/**
 * Lots for a state saved before they existed (restore()). Without a partial exit so far, one lot stands for every
 * entry: the average entry (fractional ticks after a DCA add), all the commission charged so far, and as its
 * segment the range of the position's worst, best, favour and last prices — exact for a position never added to
 * (its P&L is monotonic in the price), an approximation after adds. After a partial exit the earlier exits cannot
 * be paired any more: undefined, and its trade has no per-entry rows (read as the round trip itself).
 */
export function legacyLots(s: PositionState): EntryLots | undefined {
  if (s.exitedQty > 0 || s.quantity <= 0) return undefined;
  const seen = [s.worstPriceTicks, s.bestPriceTicks, s.lastPriceTicks, s.favorTicks ?? s.lastPriceTicks];
  const lots = startLots(s.openedAt, avgEntryTicks(s), s.quantity, s.commission);
  observeLots(lots, Math.min(...seen), Math.max(...seen));
  return lots;
}

/** Most (entry, exit) pairs one round trip delivers (see the header). */
export const MAX_ENTRY_TRADES = 2000;

/** The closed position's chunks in USD, cents allocated as the header says (null: no lots, see legacyLots; or
 * more than MAX_ENTRY_TRADES). */
export function toEntryTrades(s: PositionState): EntryTrade[] | null {
  const done = s.entryLots?.done;
  if (done === undefined || done.length === 0 || done.length > MAX_ENTRY_TRADES) return null;
  const dir = s.side === "long" ? 1 : -1;
  const gross = allocateCents(
    done.map((c) => dir * (c.exitTicks - c.entryTicks) * c.quantity * s.tickValue),
    toUsd(s, s.realizedTickPnl),
  );
  const commission = allocateCents(
    done.map((c) => c.commission),
    roundCents(s.commission),
  );
  return done.map((c: EntryChunkRaw, i) => {
    const favor = s.side === "long" ? c.high : c.low;
    const adverse = s.side === "long" ? c.low : c.high;
    return {
      entryAt: c.entryAt,
      exitAt: c.exitAt,
      entryPrice: ticksToPrice(c.entryTicks, s.tickSize),
      exitPrice: ticksToPrice(c.exitTicks, s.tickSize),
      quantity: c.quantity,
      grossPnl: gross[i] / 100,
      commission: commission[i] / 100,
      pnl: (gross[i] - commission[i]) / 100 + 0,
      runup: toUsd(s, Math.max(0, dir * (favor - c.entryTicks)) * c.quantity),
      drawdown: toUsd(s, Math.min(0, dir * (adverse - c.entryTicks)) * c.quantity),
      exitReason: c.exitReason,
    };
  });
}

/** Whole cents per element by cumulative rounding, the last running sum pinned to `totalUsd` (already cents). */
export function allocateCents(rawUsd: readonly number[], totalUsd: number): number[] {
  const out: number[] = [];
  let raw = 0;
  let prev = 0;
  rawUsd.forEach((x, i) => {
    raw += x;
    const cum = i === rawUsd.length - 1 ? cents(totalUsd) : cents(roundCents(raw));
    out.push(cum - prev + 0);
    prev = cum;
  });
  return out;
}

function cents(usd: number): number {
  return Math.round(usd * 100);
}

function lot(at: string, priceTicks: number, quantity: number, commission: number): EntryLot {
  return { at, priceTicks, quantity, commission, low: priceTicks, high: priceTicks };
}

/** Drops the front lot. With no suffixes left, the closed segments become suffixes first (amortized O(1)). */
function popFront(lots: EntryLots): void {
  if (lots.front === 0) {
    const n = lots.open.length;
    let low = Infinity;
    let high = -Infinity;
    // Segments 0 .. n − 2 are closed (the newest is read live).
    for (let i = n - 2; i >= 0; i--) {
      const l = lots.open[i];
      low = Math.min(low, l.low);
      high = Math.max(high, l.high);
      l.sufLow = low;
      l.sufHigh = high;
    }
    lots.front = n > 1 ? n - 1 : 0;
    lots.backLow = lots.backHigh = null;
  }
  lots.open.shift();
  // Lots 0 .. front − 1 keep their suffixes (they end at front − 1); later lots never had any.
  if (lots.front > 0) lots.front--;
}
