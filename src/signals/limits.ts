// Bounds of webhook values (CONTRACT "Second round → Bad input and faults"), in one place so that the parser,
// the recorder settings and the engine agree on them. A value outside these bounds is a 400 `invalid_signal`
// naming the field; inside them every price, quantity and P&L the engine derives stays finite.

/** MAX_PRICE: a given price and every take-profit / stop-loss value must be strictly below it (exclusive).
 * MAX_QUANTITY: contracts in one signal (`quantity`, `|positionSize|`, `marketPositionSize`), inclusive.
 * Defined by the engine, which checks them again before any state change. */
export { MAX_PRICE, MAX_QUANTITY } from "../engine/limits";
/** JSON nesting of a webhook body; the top-level object is level 1 and arrays count as levels too. */
export const MAX_JSON_DEPTH = 32;
/** Characters of a ticker as sent (the extended-session form included). */
export const MAX_TICKER_LENGTH = 100;
/** A recorder's `quantityStep` when it has none: whole contracts. */
export const DEFAULT_QUANTITY_STEP = 1;
/** TradersPost `quantityType: "dollar_amount"`: the `quantity` is USD, not contracts, so the contract bound does
 * not apply to it; > 0 and at most this (inclusive). The contracts it buys are bounded by the engine. */
export const MAX_DOLLAR_AMOUNT = 1e12;
/** TradersPost `quantityType: "percent_of_equity"`: > 0 and at most this (inclusive). */
export const MAX_PERCENT_OF_EQUITY = 100;
/** A trailing stop in percent of the fill price (`stopLoss.trailPercent`): > 0 and below this (exclusive), so a
 * long's trailing stop stays above 0. */
export const MAX_TRAIL_PERCENT = 100;
