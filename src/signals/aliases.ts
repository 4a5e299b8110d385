// Field aliases (CONTRACT "Webhook", reference/peers.md). For each concept the keys are listed in precedence
// order: when several aliases are present, the first one with a (non-absent) value wins.
export const ALIASES = {
  action: ["action", "data"], // PickMyTrade: data
  ticker: ["ticker", "symbol"],
  quantity: ["quantity", "qty", "contracts"],
  price: ["price", "signalPrice", "close"], // TradersPost: signalPrice; raw {{close}}
  positionSize: ["positionSize", "position_size"],
  marketPosition: ["marketPosition", "market_position", "strategy_info.market_position"], // 3Commas
  marketPositionSize: ["marketPositionSize", "market_position_size", "strategy_info.market_position_size"],
  id: ["id", "alertId", "signalId"],
  time: ["time", "timestamp"], // 3Commas: timestamp
} as const;

/**
 * Take-profit / stop-loss sources, each naming the key and how its value is read. Unlike the aliases above they
 * may differ in unit, so two sources with different values are a conflict (an error), not a precedence.
 */
export const LEVEL_SOURCES = {
  takeProfit: ["takeProfit", "tp", "dollar_tp", "percentage_tp"],
  stopLoss: ["stopLoss", "sl", "dollar_sl", "percentage_sl"],
} as const;

/** The first key of `keys` whose value in `values` is not undefined. */
export function pickFirst<K extends string, V>(
  values: Partial<Record<K, V | undefined>>,
  keys: readonly K[],
): { key: K; value: V } | undefined {
  for (const key of keys) {
    const value = values[key];
    if (value !== undefined) return { key, value: value as V };
  }
  return undefined;
}
