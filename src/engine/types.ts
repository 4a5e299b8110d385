// Domain types of the recording engine. Pure data: no Cloudflare imports anywhere under src/engine.
// Field names follow ../shared/CONTRACT.md (camelCase JSON, ISO-8601 UTC times, USD money).

export type Side = "long" | "short";
export type FillSide = "buy" | "sell";
export type ExitReason = "signal" | "reverse" | "take_profit" | "stop_loss" | "manual";
/** Why a fill happened. Entries: open/add; exits: the ExitReason of the exit, or "reduce" for a partial exit. */
export type FillReason = "open" | "add" | "reduce" | ExitReason;
export type SignalResult = "opened" | "added" | "reduced" | "closed" | "reversed" | "ignored";

/** A futures contract (or any instrument) the engine can value. */
export interface InstrumentSpec {
  /** Root symbol, e.g. "MNQ". */
  root: string;
  /** TradingView feed symbol, e.g. "CME_MINI:MNQ1!" or "CME_MINI:MNQZ2025". */
  feedSymbol: string;
  tickSize: number;
  /** USD value of one tick for one contract. */
  tickValue: number;
}

/** The recorder settings the engine needs (CONTRACT.md "POST /api/recorders"), defaults already applied. */
export interface RecorderSettings {
  id: string;
  initialQuantity: number; // default 1
  addQuantity: number; // default 1
  allowAdd: boolean; // default true
  reverseOnOpposite: boolean; // default true
  takeProfitTicks: number | null;
  stopLossTicks: number | null;
  commissionPerContract: number; // default 0
}

/** Take-profit / stop-loss as the signal gave it. Exactly one key set. */
export type LevelSpec = { price: number } | { ticks: number } | { amount: number } | { percent: number };

/** A webhook signal after parsing and alias resolution (src/signals/parse.ts produces it). */
export interface NormalizedSignal {
  /** Without target information. "add" = add to the open position in its direction. */
  action?: "buy" | "sell" | "close" | "add";
  /** Signed target position (strategy alerts). Takes precedence over `action` when present. */
  targetSize?: number;
  /** marketPosition given without a size: move to that side (CONTRACT "marketPosition"). */
  targetSide?: "long" | "short" | "flat";
  quantity?: number;
  /** > 0 when present. */
  price?: number;
  takeProfit?: LevelSpec;
  stopLoss?: LevelSpec;
  /** Dedupe id (id | alertId | signalId). */
  id?: string;
  /** Raw ticker as sent (may be absent when the recorder has a default symbol). */
  ticker?: string;
  time?: string;
  comment?: string;
}

export interface Fill {
  at: string;
  side: FillSide;
  quantity: number;
  price: number;
  reason: FillReason;
}

/** CONTRACT.md "Position". */
export interface Position {
  id: string;
  recorderId: string;
  symbol: string;
  feedSymbol: string;
  side: Side;
  status: "open" | "closed";
  quantity: number;
  maxQuantity: number;
  avgEntryPrice: number;
  lastPrice: number;
  unrealizedPnl: number;
  realizedPnl: number;
  worstUnrealizedPnl: number;
  bestUnrealizedPnl: number;
  worstPrice: number;
  bestPrice: number;
  worstAt: string;
  bestAt: string;
  takeProfitPrice: number | null;
  stopLossPrice: number | null;
  commission: number;
  openedAt: string;
  closedAt: string | null;
  exitPrice: number | null;
  exitReason: ExitReason | null;
  fills: Fill[];
}

/** CONTRACT.md "Trade": one closed round trip of a position. */
export interface Trade {
  id: string;
  positionId: string;
  recorderId: string;
  symbol: string;
  side: Side;
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  grossPnl: number;
  commission: number;
  pnl: number;
  maxFavorable: number;
  maxAdverse: number;
  openedAt: string;
  closedAt: string;
  exitReason: ExitReason;
}
