// One position's life, flat -> flat, as operations on its plain PositionState (the persisted object).
// Every fill: observe the excursion at the fill price (quantity held just before), book the fill, charge
// commission, re-derive TP/SL; entries and exits also move the FIFO entry lots (entry-lots.ts, `?pairing=entries`).
// Snapshots (Position, Trade, entry trades) convert ticks to prices and tick units to cents.
import { addLot, chunkReason, legacyLots, startLots, takeLots } from "./entry-lots";
import { observeExcursion } from "./excursion";
import { refreshLevels } from "./levels";
import { cleanPrice, roundCents, ticksToPrice } from "./money";
import { addToAverage, avgEntryTicks, openTickPnl, tickPnl, toUsd } from "./pnl";
import { noRules } from "./rules";
import { stopNow } from "./stops";
export type { PositionState } from "./types";
import type { ExitReason, FillOrigin, FillReason, FillSide, LevelSpec, Position, PositionState, Side, Trade } from "./types";

export interface OpenPositionArgs {
  id: string;
  recorderId: string;
  symbol: string;
  feedSymbol: string;
  tickSize: number;
  tickValue: number;
  commissionPerContract: number;
  side: Side;
  quantity: number;
  priceTicks: number;
  at: string;
  takeProfit: LevelSpec | null;
  stopLoss: LevelSpec | null;
  origin: FillOrigin;
}

export function openPosition(a: OpenPositionArgs): PositionState {
  const s: PositionState = {
    v: 1,
    id: a.id,
    recorderId: a.recorderId,
    symbol: a.symbol,
    feedSymbol: a.feedSymbol,
    side: a.side,
    status: "open",
    tickSize: a.tickSize,
    tickValue: a.tickValue,
    commissionPerContract: a.commissionPerContract,
    quantity: a.quantity,
    maxQuantity: a.quantity,
    avgEntryNum: a.priceTicks * a.quantity,
    avgEntryDen: a.quantity,
    enteredTickQty: a.priceTicks * a.quantity,
    enteredQty: a.quantity,
    exitedTickQty: 0,
    exitedQty: 0,
    realizedTickPnl: 0,
    commission: 0,
    lastPriceTicks: a.priceTicks,
    // Excursions start at 0 at the entry itself (the entry price is worth exactly 0).
    worstTickPnl: 0,
    worstPriceTicks: a.priceTicks,
    worstAt: a.at,
    bestTickPnl: 0,
    bestPriceTicks: a.priceTicks,
    bestAt: a.at,
    takeProfit: a.takeProfit,
    stopLoss: a.stopLoss,
    takeProfitLevelTicks: null,
    stopLossLevelTicks: null,
    openedAt: a.at,
    closedAt: null,
    exitReason: null,
    fills: [],
    favorTicks: a.priceTicks,
    legBase: a.quantity,
    legsDone: 0,
    entryLots: startLots(a.at, a.priceTicks, a.quantity, a.commissionPerContract * a.quantity),
  };
  bookFill(s, entrySide(s), a.quantity, a.priceTicks, a.at, "open", a.origin);
  refreshLevels(s);
  return s;
}

/** DCA add in the position's direction: new volume-weighted average entry. */
export function addToPosition(s: PositionState, quantity: number, priceTicks: number, at: string, origin: FillOrigin): void {
  observeExcursion(s, priceTicks, at);
  addToAverage(s, priceTicks, quantity);
  // cleanPrice strips float noise from fractional contract counts too (0.1 + 0.2).
  s.quantity = cleanPrice(s.quantity + quantity);
  if (s.quantity > s.maxQuantity) s.maxQuantity = s.quantity;
  s.enteredTickQty += priceTicks * quantity;
  s.enteredQty += quantity;
  // Take-profit legs start over from the new quantity (CONTRACT: "recomputed from the new average and quantity").
  s.legBase = s.quantity;
  s.legsDone = 0;
  // Its entry commission is what bookFill charges for it.
  if (s.entryLots) addLot(s.entryLots, at, priceTicks, quantity, s.commissionPerContract * quantity);
  bookFill(s, entrySide(s), quantity, priceTicks, at, "add", origin);
  refreshLevels(s);
}

/**
 * Exits `quantity` (all of it when >= the open quantity) at `priceTicks`; the average entry is unchanged.
 * Returns true when the position is now closed, with `reason` as its exit reason; a partial exit's fill carries
 * `partialReason` ("reduce" for a signal's, the leg's `take_profit_N` for a take-profit leg's).
 */
export function exitPosition(
  s: PositionState,
  quantity: number,
  priceTicks: number,
  at: string,
  reason: ExitReason,
  origin: FillOrigin,
  partialReason: FillReason = "reduce",
): boolean {
  observeExcursion(s, priceTicks, at);
  const closing = quantity >= s.quantity;
  const exited = closing ? s.quantity : quantity;
  s.realizedTickPnl += tickPnl(s, priceTicks, exited);
  s.exitedTickQty += priceTicks * exited;
  s.exitedQty += exited;
  s.quantity = cleanPrice(s.quantity - exited);
  // (After observeExcursion: the exit's own price counts in every chunk's run-up and drawdown.)
  if (s.entryLots) takeLots(s.entryLots, exited, priceTicks, at, closing ? reason : chunkReason(partialReason), s.commissionPerContract, closing);
  bookFill(s, s.side === "long" ? "sell" : "buy", exited, priceTicks, at, closing ? reason : partialReason, origin);
  if (closing) {
    s.quantity = 0;
    s.status = "closed";
    s.closedAt = at;
    s.exitReason = reason;
    s.takeProfitLevelTicks = null;
    s.stopLossLevelTicks = null;
  } else {
    refreshLevels(s);
  }
  return closing;
}

function entrySide(s: PositionState): FillSide {
  return s.side === "long" ? "buy" : "sell";
}

function bookFill(
  s: PositionState,
  side: FillSide,
  quantity: number,
  priceTicks: number,
  at: string,
  reason: FillReason,
  origin: FillOrigin,
) {
  s.commission += s.commissionPerContract * quantity;
  s.lastPriceTicks = priceTicks;
  s.fills.push({ at, side, quantity, price: ticksToPrice(priceTicks, s.tickSize), reason, priceSource: origin.priceSource, feedPrice: origin.feedPrice });
}

/** The CONTRACT Position, with live unrealized P&L at the last price (0 once closed). */
export function toPosition(s: PositionState): Position {
  const open = s.status === "open";
  return {
    id: s.id,
    recorderId: s.recorderId,
    symbol: s.symbol,
    feedSymbol: s.feedSymbol,
    side: s.side,
    status: s.status,
    quantity: s.quantity,
    maxQuantity: s.maxQuantity,
    avgEntryPrice: cleanPrice(avgEntryTicks(s) * s.tickSize),
    lastPrice: ticksToPrice(s.lastPriceTicks, s.tickSize),
    unrealizedPnl: open ? toUsd(s, openTickPnl(s, s.lastPriceTicks)) : 0,
    realizedPnl: toUsd(s, s.realizedTickPnl),
    worstUnrealizedPnl: toUsd(s, s.worstTickPnl),
    bestUnrealizedPnl: toUsd(s, s.bestTickPnl),
    worstPrice: ticksToPrice(s.worstPriceTicks, s.tickSize),
    bestPrice: ticksToPrice(s.bestPriceTicks, s.tickSize),
    worstAt: s.worstAt,
    bestAt: s.bestAt,
    takeProfitPrice: s.takeProfitLevelTicks === null ? null : ticksToPrice(s.takeProfitLevelTicks, s.tickSize),
    // The stop in force: trailing and break-even stops are the position's stop-loss (CONTRACT).
    stopLossPrice: open ? stopPrice(s) : null,
    commission: roundCents(s.commission),
    openedAt: s.openedAt,
    closedAt: s.closedAt,
    exitPrice: s.exitedQty > 0 ? cleanPrice((s.exitedTickQty / s.exitedQty) * s.tickSize) : null,
    exitReason: s.exitReason,
    fills: s.fills.map((f) => ({ ...f })),
  };
}

/** The CONTRACT Trade of a closed position. Net = gross − commission, both already in cents. */
export function toTrade(s: PositionState, id: string): Trade {
  if (s.status !== "closed" || s.closedAt === null || s.exitReason === null) {
    throw new Error(`position ${s.id} is still open: no trade yet`);
  }
  const grossPnl = toUsd(s, s.realizedTickPnl);
  const commission = roundCents(s.commission);
  return {
    id,
    positionId: s.id,
    recorderId: s.recorderId,
    symbol: s.symbol,
    side: s.side,
    quantity: s.maxQuantity,
    // Over every entry of the round trip (differs from the position's running average after reduce + add).
    entryPrice: cleanPrice((s.enteredTickQty / s.enteredQty) * s.tickSize),
    exitPrice: cleanPrice((s.exitedTickQty / s.exitedQty) * s.tickSize),
    grossPnl,
    commission,
    pnl: roundCents(grossPnl - commission),
    maxFavorable: toUsd(s, s.bestTickPnl),
    maxAdverse: toUsd(s, s.worstTickPnl),
    openedAt: s.openedAt,
    closedAt: s.closedAt,
    exitReason: s.exitReason,
  };
}

/** The JSON text each copy `serialize` made was parsed from. Copies are handed out to be persisted at once, so the
 * store writes this text instead of stringifying the copy again (the largest cost of a fill's checkpoint). A copy
 * must not be changed before it is persisted; nothing does (restore() makes its own copy). */
const serializedText = new WeakMap<PositionState, string>();

/** A deep, JSON-safe copy of the state (what to persist). */
export function serialize(s: PositionState): PositionState {
  const json = JSON.stringify(s);
  const copy = JSON.parse(json) as PositionState;
  serializedText.set(copy, json);
  return copy;
}

/** The state as JSON text: the text `serialize` made it from, or a fresh stringify. */
export function stateJson(s: PositionState): string {
  return serializedText.get(s) ?? JSON.stringify(s);
}

/** Validates and copies a persisted state so the engine never shares it with the caller. A state saved before
 * the second round gets its new fields: favor = its best price (the same without adds), no new rules; one saved
 * before entry lots gets one lot derived from its average entry (entry-lots.ts legacyLots says how exact). */
export function restore(raw: unknown): PositionState {
  const s = raw as PositionState;
  if (!s || typeof s !== "object" || s.v !== 1 || typeof s.id !== "string" || !Array.isArray(s.fills)) {
    throw new Error("not a PositionState v1");
  }
  const copy = JSON.parse(JSON.stringify(s)) as PositionState; // not serialize(): this copy is changed below
  copy.favorTicks ??= copy.bestPriceTicks;
  copy.rules ??= noRules();
  copy.legBase ??= copy.quantity;
  copy.legsDone ??= 0;
  if (copy.entryLots === undefined && copy.status === "open") {
    const lots = legacyLots(copy);
    if (lots !== undefined) copy.entryLots = lots;
  }
  return copy;
}

function stopPrice(s: PositionState): number | null {
  const stop = stopNow(s);
  return stop === null ? null : ticksToPrice(stop.level, s.tickSize);
}
