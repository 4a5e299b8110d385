// Webhook body -> NormalizedSignal (CONTRACT.md "Webhook").
//
// The body is JSON whatever the Content-Type (TradingView sends text/plain). A UTF-8 BOM and surrounding
// whitespace are tolerated. Every recognised field (and alias) is validated by a zod schema; all problems are
// collected and reported together as `invalid_signal` details `{field, problem}`, where `field` is the key the
// sender actually used (e.g. "qty", "takeProfit.limitPrice", "strategy_info.market_position").
// Unknown fields are ignored here and kept in `body` for the signal log.
//
// Decisions where the contract is silent (see also numbers.ts, levels.ts, target.ts):
// - Aliases of the same concept: the first present in ALIASES order wins (e.g. quantity > qty > contracts).
//   Take-profit / stop-loss sources (takeProfit, tp, dollar_tp, percentage_tp) with different values conflict.
// - Blank (missing, null, "" or whitespace) = absent for every field.
// - quantity 0 = absent (the recorder default applies; PickMyTrade sends 0 with risk sizing); negative = error.
// - price <= 0 = absent (no error). tp/sl/dollar_*/percentage_* 0 = absent (PickMyTrade's "not set").
// - Bounds (CONTRACT "Bad input and faults", limits.ts): every number finite; a given price and every level
//   < MAX_PRICE; quantity, |positionSize| and marketPositionSize <= MAX_QUANTITY. The quantity step needs the
//   recorder, so it is checked by quantityStepProblems (quantity-step.ts), not here.
// - A body nested deeper than MAX_JSON_DEPTH is invalid_json, found by a scan of the text before JSON.parse.
// - ticker: no control characters, only the characters symbols are written with (ticker.ts).
// - sentiment "flat" -> action "close" of the WHOLE position (TradersPost semantics): quantity is dropped.
//   sentiment long/short (bullish/bearish) with a buy/sell action -> `sentiment` (the side after the order).
// - positionSize wins over marketPosition when both are given, even if they disagree.
// - Unsubstituted {{placeholders}} are rejected in every recognised field except `comment` (free text).
// - ticker max MAX_TICKER_LENGTH (100) chars, id max 200 chars; numeric id/time/comment are turned into strings.
import { z } from "zod";
import type { LevelSpec, NormalizedSignal } from "../engine/types";
import { ACCEPTED_ACTIONS, actionField, sentimentField } from "./actions";
import { ALIASES, LEVEL_SOURCES, pickFirst } from "./aliases";
import { flatLevelField, levelField, sameLevel, type LevelKind } from "./levels";
import { nestsDeeperThan } from "./json-depth";
import { MAX_JSON_DEPTH } from "./limits";
import { priceValue, quantityValue, signedSize, unsignedSize } from "./numbers";
import { marketPositionField, resolveTarget } from "./target";
import { textField } from "./text";
import { tickerField } from "./ticker";
import { blankToUndefined, describeValue, isPlainObject } from "./values";

export type ParseErrorDetail = { field: string; problem: string };
export type ParseError = {
  code: "invalid_json" | "invalid_signal";
  message: string;
  details?: ParseErrorDetail[];
};
export type ParsedWebhook =
  | { ok: true; signal: NormalizedSignal; body: unknown /* the parsed JSON object, kept for the signal log */ }
  | { ok: false; error: ParseError; body?: unknown };

const ticker = tickerField;
const id = () => textField({ maxLength: 200, numbers: true });

const strategyInfoField = z.preprocess(
  blankToUndefined,
  z
    .object(
      { market_position: marketPositionField(), market_position_size: unsignedSize() },
      { error: (iss) => `must be an object, got ${describeValue(iss.input)}` },
    )
    .optional(),
);

/** Every recognised key of a webhook body, aliases included, each validated and normalised on its own. */
export const webhookFieldsSchema = z.object({
  action: actionField(),
  data: actionField(),
  sentiment: sentimentField(),
  ticker: ticker(),
  symbol: ticker(),
  quantity: quantityValue(),
  qty: quantityValue(),
  contracts: quantityValue(),
  price: priceValue(),
  signalPrice: priceValue(),
  close: priceValue(),
  positionSize: signedSize(),
  position_size: signedSize(),
  marketPosition: marketPositionField(),
  market_position: marketPositionField(),
  marketPositionSize: unsignedSize(),
  market_position_size: unsignedSize(),
  strategy_info: strategyInfoField,
  takeProfit: levelField("takeProfit"),
  tp: flatLevelField("price"),
  dollar_tp: flatLevelField("amount"),
  percentage_tp: flatLevelField("percent"),
  stopLoss: levelField("stopLoss"),
  sl: flatLevelField("price"),
  dollar_sl: flatLevelField("amount"),
  percentage_sl: flatLevelField("percent"),
  id: id(),
  alertId: id(),
  signalId: id(),
  time: textField({ numbers: true }),
  comment: textField({ numbers: true, allowPlaceholders: true }),
});
type Fields = z.output<typeof webhookFieldsSchema>;

/** Keys whose failure means the sender did try to say what to do (so "action is required" would mislead). */
const INTENT_KEYS = new Set<string>([
  ...ALIASES.action,
  "sentiment",
  ...ALIASES.positionSize,
  ...ALIASES.marketPosition,
  ...ALIASES.marketPositionSize,
  "strategy_info",
]);

export function parseWebhookBody(text: string): ParsedWebhook {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") {
    return fail("invalid_json", 'The body is empty: send the alert message as a JSON object, e.g. {"action":"buy","ticker":"MNQ1!"}.');
  }
  if (nestsDeeperThan(trimmed, MAX_JSON_DEPTH)) {
    return fail(
      "invalid_json",
      `The body is nested deeper than ${MAX_JSON_DEPTH} levels: send the alert message as a flat JSON object, e.g. {"action":"buy","ticker":"MNQ1!"}.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch (e) {
    const reason = e instanceof Error ? ` (${e.message})` : "";
    return fail(
      "invalid_json",
      `The body is not valid JSON${reason}: send the alert message as a JSON object, e.g. {"action":"buy","ticker":"MNQ1!"}.`,
    );
  }
  if (!isPlainObject(body)) {
    return invalid([{ field: "body", problem: `must be a JSON object, got ${describeValue(body)}` }], body);
  }

  const { fields, details, failedKeys } = parseFields(body);
  const signal = buildSignal(fields, details, failedKeys);
  if (details.length > 0) return invalid(details, body);
  return { ok: true, signal, body };
}

/** Runs the field schema; on failure, parses again without the failing keys so cross-field rules still run. */
function parseFields(body: Record<string, unknown>): {
  fields: Fields;
  details: ParseErrorDetail[];
  failedKeys: Set<string>;
} {
  const first = webhookFieldsSchema.safeParse(body);
  if (first.success) return { fields: first.data, details: [], failedKeys: new Set() };
  const details = first.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "body",
    problem: issue.message,
  }));
  const failedKeys = new Set(first.error.issues.map((issue) => String(issue.path[0])));
  const rest = Object.fromEntries(Object.entries(body).filter(([key]) => !failedKeys.has(key)));
  const second = webhookFieldsSchema.safeParse(rest);
  // Fields are validated independently, so the second pass succeeds; the fallback is only defensive.
  return { fields: second.success ? second.data : ({} as Fields), details, failedKeys };
}

function buildSignal(fields: Fields, details: ParseErrorDetail[], failedKeys: Set<string>): NormalizedSignal {
  const values: Record<string, unknown> = {
    ...fields,
    "strategy_info.market_position": fields.strategy_info?.market_position,
    "strategy_info.market_position_size": fields.strategy_info?.market_position_size,
  };
  const first = <T>(keys: readonly string[]): T | undefined => pickFirst<string, T>(values as Record<string, T>, keys)?.value;

  const signal: NormalizedSignal = {};
  const flat = fields.sentiment === "flat";
  const action = flat ? "close" : first<NonNullable<NormalizedSignal["action"]>>(ALIASES.action);
  if (action !== undefined) signal.action = action;
  if ((action === "buy" || action === "sell") && (fields.sentiment === "long" || fields.sentiment === "short")) {
    signal.sentiment = fields.sentiment;
  }

  const target = resolveTarget({
    positionSize: first<number>(ALIASES.positionSize),
    marketPosition: first<"long" | "short" | "flat">(ALIASES.marketPosition),
    marketPositionSize: first<number>(ALIASES.marketPositionSize),
  });
  if (target.targetSize !== undefined) signal.targetSize = target.targetSize;
  if (target.targetSide !== undefined) signal.targetSide = target.targetSide;

  const quantity = first<number>(ALIASES.quantity);
  if (quantity !== undefined && !flat) signal.quantity = quantity;
  const price = first<number>(ALIASES.price);
  if (price !== undefined) signal.price = price;

  for (const kind of ["takeProfit", "stopLoss"] as const) {
    const level = resolveLevel(kind, values, details);
    if (level !== undefined) signal[kind] = level;
  }

  const ticker = first<string>(ALIASES.ticker);
  if (ticker !== undefined) signal.ticker = ticker;
  const signalId = first<string>(ALIASES.id);
  if (signalId !== undefined) signal.id = signalId;
  if (fields.time !== undefined) signal.time = fields.time;
  if (fields.comment !== undefined) signal.comment = fields.comment;

  const hasIntent = signal.action !== undefined || signal.targetSize !== undefined || signal.targetSide !== undefined;
  if (!hasIntent && ![...failedKeys].some((key) => INTENT_KEYS.has(key))) {
    details.push({
      field: "action",
      problem:
        `is required: one of ${ACCEPTED_ACTIONS} (alias data), ` +
        `unless the signal has sentiment "flat", positionSize or marketPosition`,
    });
  }
  return signal;
}

/** One take-profit / stop-loss from its possible sources; different values from two sources are a conflict. */
function resolveLevel(kind: LevelKind, values: Record<string, unknown>, details: ParseErrorDetail[]): LevelSpec | undefined {
  let chosen: { key: string; level: LevelSpec } | undefined;
  for (const key of LEVEL_SOURCES[kind]) {
    const level = values[key] as LevelSpec | undefined;
    if (level === undefined) continue;
    if (chosen === undefined) chosen = { key, level };
    else if (!sameLevel(chosen.level, level)) {
      details.push({ field: key, problem: `conflicts with ${chosen.key}: give only one ${kind === "takeProfit" ? "take-profit" : "stop-loss"}` });
    }
  }
  return chosen?.level;
}

function fail(code: ParseError["code"], message: string): ParsedWebhook {
  return { ok: false, error: { code, message } };
}

function invalid(details: ParseErrorDetail[], body: unknown): ParsedWebhook {
  const problems = details.map((d) => `${d.field} ${d.problem}`).join("; ");
  const fieldsNamed = [...new Set(details.map((d) => d.field))].join(", ");
  return {
    ok: false,
    error: { code: "invalid_signal", message: `Invalid signal (${fieldsNamed}): ${problems}.`, details },
    body,
  };
}
