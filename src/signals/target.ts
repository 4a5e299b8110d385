// Target information of strategy alerts: `positionSize` (signed) or `marketPosition` + `marketPositionSize`.
import type { NormalizedSignal } from "../engine/types";
import { keywordField } from "./text";

export type MarketPosition = "long" | "short" | "flat";

export const marketPositionField = () =>
  keywordField<MarketPosition>({ long: "long", short: "short", flat: "flat" }, "long, short, flat");

/**
 * Resolves the target. Precedence:
 * 1. `positionSize` (signed) -> targetSize; it wins over a (possibly disagreeing) marketPosition.
 * 2. `marketPosition` flat -> targetSize 0 (any size is ignored).
 * 3. `marketPosition` long/short with a size -> targetSize +size / -size (size 0 -> 0).
 * 4. `marketPosition` long/short without a size -> targetSide.
 * A size without a marketPosition carries no direction and is ignored.
 */
export function resolveTarget(input: {
  positionSize?: number;
  marketPosition?: MarketPosition;
  marketPositionSize?: number;
}): Pick<NormalizedSignal, "targetSize" | "targetSide"> {
  const { positionSize, marketPosition, marketPositionSize } = input;
  if (positionSize !== undefined) return { targetSize: noNegativeZero(positionSize) };
  if (marketPosition === undefined) return {};
  if (marketPosition === "flat") return { targetSize: 0 };
  if (marketPositionSize === undefined) return { targetSide: marketPosition };
  return { targetSize: noNegativeZero(marketPosition === "long" ? marketPositionSize : -marketPositionSize) };
}

function noNegativeZero(n: number): number {
  return n === 0 ? 0 : n;
}
