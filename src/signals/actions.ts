// The `action` vocabulary (CONTRACT "Webhook"; TradersPost `action`, PickMyTrade `data`) and `sentiment`.
// TradersPost's "cancel" (cancel open orders) is a word of its own: it is no action on the position, so it is
// parsed as `cancel: true` without an `action` (the engine ignores it: `cancel_not_applicable`).
import { z } from "zod";
import type { NormalizedSignal } from "../engine/types";
import { keywordField } from "./text";
import { describeValue, findPlaceholder, isBlank, placeholderProblem } from "./values";

export type Action = NonNullable<NormalizedSignal["action"]>;

/** What an action word means: an action on the position, or TradersPost's "cancel". */
export type ActionWord = Action | "cancel";

export const ACTION_WORDS: Record<string, ActionWord> = {
  buy: "buy",
  long: "buy",
  sell: "sell",
  short: "sell",
  close: "close",
  exit: "close",
  flat: "close",
  add: "add",
  cancel: "cancel",
};

export const ACCEPTED_ACTIONS = Object.keys(ACTION_WORDS).join(", ");

export const actionField = () => keywordField(ACTION_WORDS, ACCEPTED_ACTIONS);

/**
 * `sentiment` (TradersPost; `{{strategy.market_position}}`): the side of the position after the order.
 * "flat" means close the whole position; long/bullish and short/bearish are kept (see NormalizedSignal.sentiment);
 * any other string is ignored. Output: "flat" | "long" | "short" | undefined.
 */
export type Sentiment = "flat" | "long" | "short" | undefined;
const SENTIMENT_WORDS: Record<string, Sentiment> = { flat: "flat", long: "long", bullish: "long", short: "short", bearish: "short" };

export const sentimentField = () =>
  z.unknown().transform((raw, ctx): Sentiment => {
    if (isBlank(raw)) return undefined;
    if (typeof raw !== "string") {
      ctx.addIssue({ code: "custom", message: `must be a string, got ${describeValue(raw)}` });
      return undefined;
    }
    const placeholder = findPlaceholder(raw);
    if (placeholder) {
      ctx.addIssue({ code: "custom", message: placeholderProblem(placeholder) });
      return undefined;
    }
    return SENTIMENT_WORDS[raw.trim().toLowerCase()];
  }).optional();
