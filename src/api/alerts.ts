// The TradingView alert messages the README shows and the dashboard's recorder panel copies: one source, so the
// two never disagree. Placeholders ({{ticker}}, {{close}}, …) are TradingView's, substituted when the alert fires.
// Pure (the dashboard bundles it).

/** Indicator alert: a fixed action (one alert per direction; "close" for an exit). Without `quantity` the
 * recorder's initialQuantity / addQuantity apply. */
export function indicatorAlert(action: "buy" | "sell" | "close"): string {
  return `{"ticker":"{{ticker}}","action":"${action}","price":"{{close}}","time":"{{timenow}}"}`;
}

/** Strategy alert: the strategy's own order with its resulting position, so the recorder moves to exactly that
 * target (a duplicated or replayed alert is harmless) and the id makes a TradingView resend a no-op. */
export const STRATEGY_ALERT =
  '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","quantity":"{{strategy.order.contracts}}","positionSize":"{{strategy.position_size}}","marketPosition":"{{strategy.market_position}}","price":"{{close}}","time":"{{timenow}}","id":"{{strategy.order.id}}-{{timenow}}"}';

/** What the alert-message builder asks for. Distances are in price units (points), as the webhook's
 * `{ticks}` / PickMyTrade fields take them; empty means "not sent" (the recorder's settings apply). */
export interface AlertOptions {
  kind: "indicator" | "strategy";
  /** Indicator alerts only. */
  action: "buy" | "sell" | "close";
  /** Contracts; null: the recorder's initialQuantity / addQuantity (indicator) or the strategy's own. */
  quantity: number | null;
  /** Take-profit / stop-loss distance from the fill, in ticks (the webhook's `{ticks}` level). */
  takeProfitTicks: number | null;
  stopLossTicks: number | null;
  /** Trailing stop: distance and trigger in price units (PickMyTrade's trail_stop / trail_trigger). */
  trailDistance: number | null;
  trailTrigger: number | null;
}

/** The alert message as one line of JSON, keys in the order a reader expects them. */
export function buildAlert(o: AlertOptions): string {
  const fields: [string, string | { ticks: number }][] = [["ticker", "{{ticker}}"]];
  if (o.kind === "strategy") {
    fields.push(["action", "{{strategy.order.action}}"]);
    fields.push(["quantity", o.quantity !== null ? String(o.quantity) : "{{strategy.order.contracts}}"]);
    fields.push(["positionSize", "{{strategy.position_size}}"]);
    fields.push(["marketPosition", "{{strategy.market_position}}"]);
  } else {
    fields.push(["action", o.action]);
    if (o.quantity !== null) fields.push(["quantity", String(o.quantity)]);
  }
  fields.push(["price", "{{close}}"], ["time", "{{timenow}}"]);
  // Levels only make sense on an entry; a close carries none.
  const entry = o.kind === "strategy" || o.action !== "close";
  if (entry && o.takeProfitTicks !== null) fields.push(["takeProfit", { ticks: o.takeProfitTicks }]);
  if (entry && o.stopLossTicks !== null) fields.push(["stopLoss", { ticks: o.stopLossTicks }]);
  if (entry && o.trailDistance !== null) {
    fields.push(["trail_stop", String(o.trailDistance)]);
    if (o.trailTrigger !== null) fields.push(["trail_trigger", String(o.trailTrigger)]);
  }
  if (o.kind === "strategy") fields.push(["id", "{{strategy.order.id}}-{{timenow}}"]);
  return JSON.stringify(Object.fromEntries(fields));
}
