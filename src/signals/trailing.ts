// PickMyTrade's trailing-stop and break-even keys (CONTRACT "Exits and risk rules": `trail`, `trail_stop`,
// `trail_trigger`, `breakeven`, `breakeven_offset`, in price units) -> NormalizedSignal.trailingStop / breakEven.
// - `trail`: the on/off switch: 1 / 0, true / false (JSON booleans, or those words and digits as text); blank =
//   not said. Anything else is refused.
// - `trail_stop`: the trailing distance, > 0 and < MAX_PRICE; 0 = not set (PickMyTrade sends 0 for unused keys).
//   A trail_stop > 0 turns trailing on unless `trail` is explicitly 0 / false (then every trail key is ignored,
//   after its own bounds check). `trail` on without a trail_stop is refused on `trail_stop`.
// - `trail_trigger`: how far (price units) the price must go beyond the entry before the stop starts to trail;
//   >= 0 and < MAX_PRICE; 0 = trail at once. Ignored when trailing is off.
// - `breakeven`: the trigger distance, > 0 and < MAX_PRICE; 0 = not set. `breakeven_offset`: where the stop goes,
//   price units beyond the entry in the position's favour; >= 0, default 0, and below `breakeven` (an offset at
//   or past the trigger would put the stop on or beyond the price that moved it there). An offset without a
//   breakeven is ignored.
import { z } from "zod";
import type { NormalizedSignal } from "../engine/types";
import { coerceNumber } from "./numbers";
import { describeValue, findPlaceholder, isBlank, placeholderProblem } from "./values";

const SWITCH_WORDS: Record<string, boolean> = { "1": true, "0": false, true: true, false: false };
const ACCEPTED_SWITCH = "1, 0, true, false";

/** `trail`: on / off, or undefined when not said. */
export const switchField = () =>
  z.unknown().transform((raw, ctx): boolean | undefined => {
    if (isBlank(raw)) return undefined;
    if (typeof raw === "boolean") return raw;
    const placeholder = findPlaceholder(raw);
    if (placeholder) {
      ctx.addIssue({ code: "custom", message: placeholderProblem(placeholder) });
      return undefined;
    }
    if (typeof raw === "number" || typeof raw === "string") {
      const n = coerceNumber(raw);
      const word = typeof n === "number" ? String(n) : String(raw).trim().toLowerCase();
      if (Object.hasOwn(SWITCH_WORDS, word)) return SWITCH_WORDS[word];
    }
    ctx.addIssue({ code: "custom", message: `must be one of ${ACCEPTED_SWITCH}, got ${describeValue(raw)}` });
    return undefined;
  }).optional();

export type PickMyTradeExitFields = {
  trail?: boolean;
  trail_stop?: number;
  trail_trigger?: number;
  breakeven?: number;
  breakeven_offset?: number;
};

/** The trailing stop and break-even of PickMyTrade's keys; problems are pushed onto `details`. */
export function resolvePickMyTradeExits(
  f: PickMyTradeExitFields,
  failedKeys: ReadonlySet<string>,
  details: { field: string; problem: string }[],
): Pick<NormalizedSignal, "trailingStop" | "breakEven"> {
  const out: Pick<NormalizedSignal, "trailingStop" | "breakEven"> = {};
  const trailOn = f.trail ?? f.trail_stop !== undefined;
  if (trailOn) {
    if (f.trail_stop !== undefined) {
      out.trailingStop = { distance: f.trail_stop };
      if (f.trail_trigger !== undefined && f.trail_trigger > 0) out.trailingStop.trigger = f.trail_trigger;
    } else if (!failedKeys.has("trail_stop")) {
      details.push({ field: "trail_stop", problem: "is required when trail is on: the trailing distance in price units, greater than 0" });
    }
  }
  if (f.breakeven !== undefined) {
    const offset = f.breakeven_offset ?? 0;
    if (offset >= f.breakeven) {
      details.push({ field: "breakeven_offset", problem: `must be less than breakeven (${f.breakeven}), got ${offset}` });
    } else {
      out.breakEven = { trigger: f.breakeven, offset };
    }
  }
  return out;
}
