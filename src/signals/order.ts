// TradersPost `orderType` with its top-level `limitPrice` / `stopPrice` (reference/peers.md).
// - market (and absent): a market order, nothing to record beyond the signal.
// - limit + limitPrice -> `order: {type: "limit", limitPrice}`; stop + stopPrice -> `order: {type: "stop",
//   stopPrice}`: a pending entry (the engine decides what it does with it).
// - stop_limit, trailing_stop and anything else are refused on `orderType`.
// The price is bounded like a level (> 0 and < MAX_PRICE) and required for its type (a problem on the price key).
// A limitPrice / stopPrice without an orderType that needs it is ignored, whatever it holds: it was an unknown
// key before orderType was read, and TradersPost ignores it too. (The takeProfit.limitPrice / stopLoss.stopPrice
// subfields are nested in their own objects and read by levels.ts.)
import type { NormalizedSignal } from "../engine/types";
import { levelValue } from "./numbers";
import { keywordField } from "./text";

export type OrderType = "market" | "limit" | "stop";
const ORDER_TYPES: Record<string, OrderType> = { market: "market", limit: "limit", stop: "stop" };

export const orderTypeField = () => keywordField(ORDER_TYPES, Object.keys(ORDER_TYPES).join(", "));

const orderPrice = levelValue();
const PRICE_KEY = { limit: "limitPrice", stop: "stopPrice" } as const;

/**
 * The order of `type`, its price read from `raw` (the body's limitPrice / stopPrice values); problems are
 * pushed onto `details` naming the price key.
 */
export function resolveOrder(
  type: OrderType | undefined,
  raw: { limitPrice?: unknown; stopPrice?: unknown },
  details: { field: string; problem: string }[],
): NormalizedSignal["order"] {
  if (type === undefined || type === "market") return undefined;
  const key = PRICE_KEY[type];
  const r = orderPrice.safeParse(raw[key]);
  if (!r.success) {
    for (const issue of r.error.issues) details.push({ field: key, problem: issue.message });
    return undefined;
  }
  if (r.data === undefined) {
    details.push({ field: key, problem: `is required with orderType ${type}: the ${type} price, greater than 0` });
    return undefined;
  }
  return type === "limit" ? { type, limitPrice: r.data } : { type, stopPrice: r.data };
}
