// Turns a signal into the signed quantity the recorder should hold next (CONTRACT "Recording rules").
// Indicator alerts (action) and strategy alerts (target) both reduce to a target; the book then moves there,
// which makes a replayed strategy alert harmless (already at target).
import type { NormalizedSignal, RecorderSettings } from "./types";

export type IgnoreReason =
  | "add_not_allowed"
  | "no_open_position"
  | "already_at_target"
  | "no_action"
  | "sentiment_mismatch"
  // Second round (entry-guards.ts, signal-step.ts):
  | "cancel_not_applicable"
  | "direction_filtered"
  | "outside_session"
  | "daily_limit"
  | "cooldown"
  | "max_contracts"
  | "quantity_rounds_to_zero";
export type TargetPlan = { target: number } | { ignored: IgnoreReason };

/** `current` is the signed open quantity (+ long, − short, 0 flat). */
export function planTarget(current: number, signal: NormalizedSignal, recorder: RecorderSettings): TargetPlan {
  const qty = positiveOrNull(signal.quantity);
  const side = Math.sign(current);

  if (signal.targetSize !== undefined && Number.isFinite(signal.targetSize)) {
    // marketPositionSize is unsigned on TradingView: when the side is given too, it decides the sign.
    const size = Math.abs(signal.targetSize);
    const target =
      signal.targetSide === "long" ? size
      : signal.targetSide === "short" ? -size
      : signal.targetSide === "flat" ? 0
      : signal.targetSize;
    return target === current ? { ignored: "already_at_target" } : { target: target + 0 };
  }

  if (signal.targetSide !== undefined) {
    if (signal.targetSide === "flat") return current === 0 ? { ignored: "already_at_target" } : { target: 0 };
    const want = signal.targetSide === "long" ? 1 : -1;
    if (side === want) return { ignored: "already_at_target" };
    return { target: want * (qty ?? recorder.initialQuantity) };
  }

  switch (signal.action) {
    case "buy":
    case "sell": {
      const want = signal.action === "buy" ? 1 : -1;
      if (signal.sentiment !== undefined && qty !== null) {
        // A strategy's order with the side it leaves the position on: apply it as an order, not as a new entry.
        const target = current + want * qty;
        const after = signal.sentiment === "long" ? 1 : -1;
        // An order that does not land on the announced side means we missed an earlier signal: do not guess.
        if (Math.sign(target) !== after) return { ignored: "sentiment_mismatch" };
        return { target };
      }
      if (side === 0) return { target: want * (qty ?? recorder.initialQuantity) };
      if (side === want) {
        if (!recorder.allowAdd) return { ignored: "add_not_allowed" };
        return { target: current + want * (qty ?? recorder.addQuantity) };
      }
      // Opposite side: flatten, then reverse into the new side if the recorder wants that.
      return { target: recorder.reverseOnOpposite ? want * (qty ?? recorder.initialQuantity) : 0 };
    }
    case "close":
      if (side === 0) return { ignored: "no_open_position" };
      if (qty !== null && qty < Math.abs(current)) return { target: current - side * qty };
      return { target: 0 };
    case "add":
      // An explicit add is deliberate: it ignores allowAdd (which only guards repeated buy/sell alerts).
      if (side === 0) return { ignored: "no_open_position" };
      return { target: current + side * (qty ?? recorder.addQuantity) };
    default:
      return { ignored: "no_action" };
  }
}

function positiveOrNull(x: number | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) && x > 0 ? x : null;
}
