// One trade of a TradingView Strategy Tester backtest, as imported from its "List of trades" CSV and stored in
// `backtest_trades`. Times are ISO-8601 UTC; money is in the CSV's currency (USD for futures), rounded to the cent.

export type BacktestLayout = "new" | "old";

export interface BacktestTrade {
  /** TradingView's `Trade #` (one per entry: a pyramided position is several trades). */
  tradeNo: number;
  side: "long" | "short";
  entryAt: string;
  entryPrice: number;
  entrySignal: string | null;
  /** Null while the trade is still open at the end of the backtest (exit row Date/Time "Open"). */
  exitAt: string | null;
  exitPrice: number | null;
  exitSignal: string | null;
  quantity: number;
  /** Net P&L after commission; null for an open trade (its figures are marks, not results). */
  pnl: number | null;
  /** Best open profit during the trade (≥ 0); null when the CSV has no run-up column or the trade is open. */
  runup: number | null;
  /** Worst open loss during the trade (≤ 0, whatever sign the CSV used); null like runup. */
  drawdown: number | null;
}

/** The recorder's current import (`GET /api/recorders/:id/backtest`). */
export interface BacktestImportInfo {
  importedAt: string;
  /** Trades in the file, open ones included (the comparison counts closed ones only). */
  trades: number;
  currency: string;
  layout: BacktestLayout;
}
