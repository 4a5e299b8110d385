// The `action` vocabulary (CONTRACT "Webhook"; TradersPost `action`, PickMyTrade `data`) and `sentiment`.
import { z } from "zod";
import type { NormalizedSignal } from "../engine/types";
import { keywordField } from "./text";
import { describeValue, findPlaceholder, isBlank, placeholderProblem } from "./values";

export type Action = NonNullable<NormalizedSignal["action"]>;

export const ACTION_WORDS: Record<string, Action> = {
  buy: "buy",
  long: "buy",
  sell: "sell",
  short: "sell",
  close: "close",
  exit: "close",
  flat: "close",
  add: "add",
};

export const ACCEPTED_ACTIONS = Object.keys(ACTION_WORDS).join(", ");

export const actionField = () => keywordField(ACTION_WORDS, ACCEPTED_ACTIONS);

/**
 * `sentiment` (TradersPost; `{{strategy.market_position}}`): only "flat" matters, it means close the whole
 * position. Any other string (long, short, bullish, bearish, ...) is ignored. Output: true when flat (undefined when missing).
 */
export const sentimentField = () =>
  z.unknown().transform((raw, ctx): boolean => {
    if (isBlank(raw)) return false;
    if (typeof raw !== "string") {
      ctx.addIssue({ code: "custom", message: `must be a string, got ${describeValue(raw)}` });
      return false;
    }
    const placeholder = findPlaceholder(raw);
    if (placeholder) {
      ctx.addIssue({ code: "custom", message: placeholderProblem(placeholder) });
      return false;
    }
    return raw.trim().toLowerCase() === "flat";
  }).optional();
