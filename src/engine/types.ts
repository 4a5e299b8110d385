// Domain types of the recording engine. Pure data: no Cloudflare imports anywhere under src/engine.
// Field names follow ../shared/CONTRACT.md (camelCase JSON, ISO-8601 UTC times, USD money).

export type Side = "long" | "short";
export type FillSide = "buy" | "sell";
export type ExitReason =
  | "signal"
  | "reverse"
  | "take_profit"
  | "stop_loss"
  | "manual"
  /** CONTRACT "Exits and risk rules": the n-th take-profit leg (`take_profit_1`, `take_profit_2`, ...). */
  | `take_profit_${number}`
  | "trailing_stop"
  | "break_even"
  | "session_end"
  | "daily_limit";
/** Why a fill happened. Entries: open/add; exits: the ExitReason of the exit, or "reduce" for a partial exit by
 * a signal. A take-profit leg that leaves contracts open is booked with its own `take_profit_N` reason. */
export type FillReason = "open" | "add" | "reduce" | ExitReason;
export type SignalResult = "opened" | "added" | "reduced" | "closed" | "reversed" | "ignored" | "pending";

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

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

/** CONTRACT "Exits and risk rules" `takeProfitLegs`: percents sum to 100; ticks ascending. */
export interface TakeProfitLeg {
  ticks: number;
  percent: number;
}

/** CONTRACT `trailingStop` (recorder setting, in ticks). */
export interface TrailingStopSpec {
  triggerTicks: number;
  distanceTicks: number;
}

/** CONTRACT `breakEven` (recorder setting, in ticks). */
export interface BreakEvenSpec {
  triggerTicks: number;
  offsetTicks: number;
}

/** CONTRACT `sessions`: a trading window starting on each of `days` at `start` (HH:MM in the recorder's
 * timezone) and ending at `end`; an `end` at or before `start` ends on the next day (e.g. 18:00–17:00). */
export interface SessionSpec {
  days: Weekday[];
  start: string;
  end: string;
}

/** The recorder settings the engine needs (CONTRACT.md "POST /api/recorders" and second round "Exits and risk
 * rules"), defaults already applied. The second-round ones are optional here: absent = the contract's default. */
export interface RecorderSettings {
  id: string;
  initialQuantity: number; // default 1
  addQuantity: number; // default 1
  allowAdd: boolean; // default true
  reverseOnOpposite: boolean; // default true
  takeProfitTicks: number | null;
  stopLossTicks: number | null;
  commissionPerContract: number; // default 0
  /** Smallest quantity increment (default 1): take-profit legs' shares are rounded down to it. */
  quantityStep?: number;
  takeProfitLegs?: TakeProfitLeg[] | null;
  trailingStop?: TrailingStopSpec | null;
  breakEven?: BreakEvenSpec | null;
  directionFilter?: "both" | "long" | "short";
  maxContracts?: number | null;
  cooldownSeconds?: number; // default 0 (off)
  slippageTicks?: number; // default 0
  timezone?: string; // IANA, default "America/New_York"
  sessions?: SessionSpec[]; // default [] (always open)
  flattenAtSessionEnd?: boolean; // default false
  tradingDayStart?: string; // "HH:MM", default "18:00"
  dailyLossLimit?: number | null; // USD > 0
  dailyProfitTarget?: number | null; // USD > 0
  flattenOnDailyLimit?: boolean; // default false
  initialCapital?: number | null; // USD > 0 (percent_of_equity sizing, percent stats)
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
  /** TradersPost's `sentiment` long/short (`{{strategy.market_position}}`): the side of the position AFTER this
   * order. With a buy/sell `action` and a `quantity` it turns the signal into a relative order (current ± quantity),
   * which is what a strategy's partial exit (sell 1 while long 2) and reversal (sell 2 while long 1) mean. */
  sentiment?: "long" | "short";
  /** > 0 when present. */
  price?: number;
  takeProfit?: LevelSpec;
  stopLoss?: LevelSpec;
  /** Dedupe id (id | alertId | signalId). */
  id?: string;
  /** Raw ticker as sent (may be absent when the recorder has a default symbol). */
  ticker?: string;
  time?: string;
  /** `time` / `timestamp` as epoch ms when it parses (ISO-8601 as {{timenow}} sends it, epoch s or ms). */
  timeMs?: number;
  comment?: string;
  /** TradersPost `quantityType` other than fixed_quantity: the contracts follow from the fill price × point value
   * (rounded down to the quantity step). `quantity` is then absent. */
  sizing?: { dollarAmount: number } | { percentOfEquity: number };
  /** TradersPost action "cancel": nothing to cancel for market orders (ignored, `cancel_not_applicable`). */
  cancel?: true;
  /** TradersPost `orderType` limit / stop with its `limitPrice` / `stopPrice`: a pending entry. */
  order?: { type: "limit"; limitPrice: number } | { type: "stop"; stopPrice: number };
  /** Trailing stop from the signal (TradersPost stopLoss type trailing_stop, PickMyTrade trail*): a distance in
   * price units or in percent of the fill price, and an optional trigger in price units beyond the entry. */
  trailingStop?: ({ distance: number } | { percent: number }) & { trigger?: number };
  /** Break-even from the signal (PickMyTrade breakeven / breakeven_offset), in price units. */
  breakEven?: { trigger: number; offset: number };
}

/** Where a fill's price came from: the signal's own price, or the live feed (a priceless signal, a TP/SL exit). */
export type PriceSource = "signal" | "feed";

/** Provenance of one fill: its price source and the live feed's last price at that moment (null: no live feed). */
export interface FillOrigin {
  priceSource: PriceSource;
  feedPrice: number | null;
}

export interface Fill extends Partial<FillOrigin> {
  /** Market time (CONTRACT "Market time"). */
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

// ---- Engine state and outcomes (added by the engine; src/durable persists PositionState as-is). ----

/**
 * Everything needed to evolve one position, as a plain JSON object: the Durable Object stores it verbatim and
 * `SymbolBook.restore` continues with identical behaviour. Prices are kept in integer ticks of `tickSize` and
 * money in "tick units" (USD / tickValue) so that DCA averages and P&L are exact; dollars and cents are only
 * produced when a Position/Trade snapshot is taken.
 */
export interface PositionState {
  /** Schema version of this object. */
  v: 1;
  id: string;
  recorderId: string;
  symbol: string;
  feedSymbol: string;
  side: Side;
  status: "open" | "closed";
  tickSize: number;
  tickValue: number;
  /** The recorder's commission at the last signal; used for TP/SL/manual exits that carry no settings. */
  commissionPerContract: number;
  quantity: number;
  maxQuantity: number;
  /** Average entry of the open quantity, in ticks, as the exact fraction avgEntryNum / avgEntryDen. */
  avgEntryNum: number;
  avgEntryDen: number;
  /** Sum of quantity × price-in-ticks over every entry fill, and their quantity (Trade.entryPrice). */
  enteredTickQty: number;
  enteredQty: number;
  /** Same over every exit fill (Position/Trade exitPrice). */
  exitedTickQty: number;
  exitedQty: number;
  /** Realized P&L of all exits so far, in tick units (× tickValue = USD, unrounded). */
  realizedTickPnl: number;
  /** Commission charged so far, USD, unrounded. */
  commission: number;
  lastPriceTicks: number;
  /** Excursion extremes in tick units (≤ 0 / ≥ 0), the price (ticks) and time where they were seen. */
  worstTickPnl: number;
  worstPriceTicks: number;
  worstAt: string;
  bestTickPnl: number;
  bestPriceTicks: number;
  bestAt: string;
  /** Level specs as given (recorder defaults become `{ticks}`); relative ones are recomputed on every fill. */
  takeProfit: LevelSpec | null;
  stopLoss: LevelSpec | null;
  /** The resulting levels in ticks (null = none). */
  takeProfitLevelTicks: number | null;
  stopLossLevelTicks: number | null;
  openedAt: string;
  closedAt: string | null;
  exitReason: ExitReason | null;
  fills: Fill[];
  // ---- Second round (absent in states saved before it: restore() fills them in). ----
  /** Most favourable price since the open, in ticks (a long's highest, a short's lowest), over the fill prices and
   * every tick the position saw: what trailing stops and break-even triggers follow. */
  favorTicks?: number;
  /** The exit and risk rules this position runs under, fixed at its last signal (rules.ts). */
  rules?: PositionRules;
  /** Take-profit legs: the quantity their shares are of (held at the open or the last add), and legs done. */
  legBase?: number;
  legsDone?: number;
  /** CONTRACT `?pairing=entries`: the open entry fills, FIFO, and the (entry, exit) pairs closed so far
   * (entry-lots.ts). Absent only on a state saved before it that had already exited part of its quantity: its
   * trade then has no per-entry rows (read as the round trip itself). */
  entryLots?: EntryLots;
}

/** One entry fill with contracts still open (entry-lots.ts). Prices in ticks, money in USD (unrounded). */
export interface EntryLot {
  /** Market time of the entry fill. */
  at: string;
  /** Its fill price in ticks (fractional only for the one lot derived from the average of an older state). */
  priceTicks: number;
  /** Its contracts still open. */
  quantity: number;
  /** Its entry commission not yet handed to a chunk. */
  commission: number;
  /** Lowest / highest price (ticks) of this lot's SEGMENT: from its entry up to the next lot's entry; for the newest
   * lot, up to the position's latest observation (fill prices included). */
  low: number;
  high: number;
  /** Lots before `EntryLots.front` only: the extremes of the segments from this lot's up to front − 1. */
  sufLow?: number;
  sufHigh?: number;
}

/** The open entry fills of a position as a queue whose front's "lowest / highest since its entry" is O(1) (a
 * two-stack queue of segment extremes, see entry-lots.ts), and the pairs closed so far. */
export interface EntryLots {
  /** Oldest first. Their quantities sum to the position's open quantity. */
  open: EntryLot[];
  /** open[0 .. front) carry sufLow/sufHigh; segments front .. open.length − 2 are folded into back*. */
  front: number;
  backLow: number | null;
  backHigh: number | null;
  /** (entry, exit) pairs closed so far, in exit order then FIFO. */
  done: EntryChunkRaw[];
}

/** One (entry fill, exit fill) pair as booked: exact ticks and unrounded USD; cents are allocated when the trade is
 * taken (entry-lots.ts toEntryTrades). */
export interface EntryChunkRaw {
  entryAt: string;
  exitAt: string;
  entryTicks: number;
  exitTicks: number;
  quantity: number;
  /** Its share of the entry fill's commission plus its share of the exit fill's (USD, unrounded). */
  commission: number;
  /** Lowest / highest price (ticks) from its entry to its exit, both fill prices included. */
  low: number;
  high: number;
  exitReason: ExitReason;
}

/** CONTRACT `?pairing=entries`: one trade as the Strategy Tester lists it (src/stats/entry-trades.ts reads them).
 * Money in USD to the cent; prices at the instrument's tick. */
export interface EntryTrade {
  /** Market time of the entry fill and of the exit fill this chunk was closed by. */
  entryAt: string;
  exitAt: string;
  entryPrice: number;
  exitPrice: number;
  quantity: number;
  grossPnl: number;
  /** This chunk's share of the entry fill's commission plus its share of the exit fill's. */
  commission: number;
  pnl: number;
  /** Best open profit of this chunk between its entry and its exit (≥ 0), like Trade.maxFavorable. */
  runup: number;
  /** Worst open loss of this chunk between its entry and its exit (≤ 0), like Trade.maxAdverse. */
  drawdown: number;
  exitReason: ExitReason;
}

/** The exit and risk rules of one open position, in ticks and USD (CONTRACT "Exits and risk rules"), taken from
 * the recorder's settings and the signal at its last signal (src/engine/rules.ts). */
export interface PositionRules {
  /** Take-profit legs (null: the single take-profit level, if any). */
  legs: TakeProfitLeg[] | null;
  /** Whole ticks. `fromSignal`: the signal set it, so a later signal without one keeps it. */
  trail: (TrailingStopSpec & { fromSignal: boolean }) | null;
  breakEven: (BreakEvenSpec & { fromSignal: boolean }) | null;
  slippageTicks: number;
  quantityStep: number;
  timezone: string;
  tradingDayStart: string;
  /** `flattenAtSessionEnd`: the session end (ms) at which the position closes; null: never. */
  flattenAtMs: number | null;
  dailyLossLimit: number | null;
  dailyProfitTarget: number | null;
  flattenOnDailyLimit: boolean;
  /** The recorder's closed net P&L (USD) of the trading day of the last signal; set to 0 by the clock pass (a tick
   * or the alarm) that reaches `dayEndsMs` (exits.ts endTradingDay). */
  dayBase: number;
  dayEndsMs: number;
}

/** One signal as the engine applies it (src/engine/signal-step.ts). */
export interface SignalInput {
  recorder: RecorderSettings;
  instrument: InstrumentSpec;
  signal: NormalizedSignal;
  /** The fill price: the signal's price, else the live feed price. > 0 and < MAX_PRICE. */
  price: number;
  /** Market time of the fill. */
  at: string;
  /** Where `price` came from (default "signal"). */
  priceSource?: FillOrigin["priceSource"];
  /** The live feed's last price now (null/absent: no live feed). Also the reference for a signal that only
   * moves an open position's levels (CONTRACT "Levels on the right side"). */
  feedPrice?: number | null;
  /** The recorder's closed net P&L (USD) of this trading day on OTHER symbols (the book adds its own). */
  otherDayNet?: number;
  /** A pending limit order filling: at exactly `price`, without slippage. */
  limitFill?: true;
}

/** A round trip that just ended: the final position snapshot and its trade. */
export interface ClosedPosition {
  position: Position;
  trade: Trade;
  /** The trade as the Strategy Tester lists it, one element per (entry, exit) pair (null: a position restored from
   * a state that predates them after a partial exit). Their commission and pnl sum exactly to the trade's. */
  entryTrades: EntryTrade[] | null;
}

/** What `SymbolBook.applySignal` did. */
export interface SignalOutcome {
  result: SignalResult;
  /** Why a signal was ignored: "add_not_allowed" | "no_open_position" | "already_at_target". */
  reason?: string;
  /** The recorder's position after the signal: the open one, or the one just closed, or null when flat. */
  position: Position | null;
  /** Set when a round trip ended (close or the first half of a reversal). */
  closed?: ClosedPosition;
  /** Set when a new position was opened (open or the second half of a reversal). */
  opened?: Position;
  /** Open position states that changed and must be persisted. */
  changed: PositionState[];
  /** Ids of positions that closed (their states can be dropped; persist `closed` instead). */
  closedIds: string[];
}

/** What `SymbolBook.applyTick` / `applyClock` did. */
export interface TickOutcome {
  /** Round trips the tick (or clock) ended: exits, session ends, daily limits, a pending order's reversal.
   * (Excursions are not reported per tick: the symbol's price journal is what makes them durable, see
   * src/durable/durable-book.ts.) */
  exits: ClosedPosition[];
  /** Open positions whose state changed otherwise (a take-profit leg, a pending entry filled, the end of a trading
   * day that its daily limit counted): to persist. */
  changed?: PositionState[];
  /** Positions a pending entry opened. */
  opened?: Position[];
  /** The tick was stamped before a live position's open: applied position by position, not to the shared path. */
  late?: true;
}
