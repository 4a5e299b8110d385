// Webhook body -> NormalizedSignal (CONTRACT.md "Webhook", second round "Exits and risk rules").
//
// The body is JSON whatever the Content-Type (TradingView sends text/plain). A UTF-8 BOM and surrounding
// whitespace are tolerated. Every recognised field (and alias) is validated by a zod schema; all problems are
// collected and reported together as `invalid_signal` details `{field, problem}`, where `field` is the key the
// sender actually used (e.g. "qty", "takeProfit.limitPrice", "strategy_info.market_position").
// Unknown fields are ignored here and kept in `body` for the signal log.
//
// Decisions where the contract is silent (see also numbers.ts, levels.ts, target.ts, sizing.ts, order.ts,
// trailing.ts, age.ts):
// - Aliases of the same concept: the first present in ALIASES order wins (e.g. quantity > qty > contracts,
//   time > timestamp). Take-profit / stop-loss sources (takeProfit, tp, dollar_tp, percentage_tp) with different
//   values conflict.
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
// - TradersPost quantityType (sizing.ts): fixed_quantity (or absent) = contracts; dollar_amount /
//   percent_of_equity turn the quantity into `sizing` ({dollarAmount} <= 1e12 USD, {percentOfEquity} <= 100) and
//   leave `quantity` unset; the contracts bound does not apply to them. Anything else is refused on quantityType
//   (the quantity then gets only the loosest bounds, so that quantityType alone is named). A buy / sell / add without target information needs a
//   quantity > 0 with those types (problem on the quantity key sent, else "quantity"); a close without one closes
//   the whole position, and a target signal (positionSize, marketPosition) needs none. sentiment "flat" and
//   cancel drop the sizing as they drop the quantity.
// - action "cancel" (TradersPost; also via data) -> `cancel: true` and no action, whatever the sentiment; its
//   quantity / sizing are dropped, every other field is read (and validated) as usual.
// - orderType (order.ts): market (or absent) = nothing; limit / stop -> `order` with the limitPrice / stopPrice
//   (> 0, < MAX_PRICE, required: problem on that key); any other type is refused on orderType. A top-level
//   limitPrice / stopPrice is read only for the orderType that needs it and otherwise ignored, whatever it holds.
// - Trailing stops: TradersPost stopLoss {type: "trailing_stop", trailAmount | trailPercent} (levels.ts) gives
//   `trailingStop` {distance} / {percent} and no stopLoss; PickMyTrade trail / trail_stop / trail_trigger
//   (trailing.ts) give `trailingStop` {distance, trigger?}: trail_stop > 0 turns trailing on unless trail is
//   explicitly 0 / false; trail on without trail_stop is refused on trail_stop. Both sources with different
//   results conflict (problem on trail_stop). A fixed stop-loss (sl, stopLoss price ...) may come with a trailing
//   stop: it is the initial stop the trail tightens.
// - PickMyTrade breakeven (> 0, 0 = not set) -> `breakEven` {trigger, offset: breakeven_offset ?? 0}; the offset
//   must be >= 0 and < breakeven; an offset without a breakeven is ignored.
// - time / timestamp stay text in `time`; `timeMs` is added when it reads as ISO-8601 or epoch seconds /
//   milliseconds (age.ts). A time that does not read is not an error (only recorders with maxSignalAgeSeconds
//   care, through signalAgeSeconds).
import { z } from "zod";
import type { LevelSpec, NormalizedSignal } from "../engine/types";
import { ACCEPTED_ACTIONS, actionField, sentimentField, type ActionWord } from "./actions";
import { parseTimeMs } from "./age";
import { ALIASES, LEVEL_SOURCES, pickFirst } from "./aliases";
import { flatLevelField, isTrailingValue, levelField, sameLevel, type LevelKind, type TrailingSpec } from "./levels";
import { nestsDeeperThan } from "./json-depth";
import { MAX_JSON_DEPTH } from "./limits";
import { distanceOrZeroValue, levelValueOrZeroAbsent, priceValue, signedSize, unsignedSize } from "./numbers";
import { orderTypeField, resolveOrder } from "./order";
import { missingSizedQuantityProblem, quantityTypeField, quantityValueFor, sizingOf, type QuantityType } from "./sizing";
import { marketPositionField, resolveTarget } from "./target";
import { textField } from "./text";
import { tickerField } from "./ticker";
import { resolvePickMyTradeExits, switchField } from "./trailing";
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

/** The quantity keys, bounded in the unit of the quantityType (contracts, USD or percent of equity). */
const quantityFields = (type: QuantityType) => ({
  quantity: quantityValueFor(type),
  qty: quantityValueFor(type),
  contracts: quantityValueFor(type),
});

/** Every recognised key of a webhook body, aliases included, each validated and normalised on its own. The
 * quantity keys are read as contracts here; see schemaFor for the other quantity types. */
export const webhookFieldsSchema = z.object({
  action: actionField(),
  data: actionField(),
  sentiment: sentimentField(),
  ticker: ticker(),
  symbol: ticker(),
  ...quantityFields("fixed_quantity"),
  quantityType: quantityTypeField(),
  orderType: orderTypeField(),
  // Read only for the orderType that needs them (order.ts); otherwise ignored whatever they hold.
  limitPrice: z.unknown().optional(),
  stopPrice: z.unknown().optional(),
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
  trail: switchField(),
  trail_stop: levelValueOrZeroAbsent(),
  trail_trigger: distanceOrZeroValue(),
  breakeven: levelValueOrZeroAbsent(),
  breakeven_offset: distanceOrZeroValue(),
  id: id(),
  alertId: id(),
  signalId: id(),
  time: textField({ numbers: true }),
  timestamp: textField({ numbers: true }),
  comment: textField({ numbers: true, allowPlaceholders: true }),
});
type Fields = z.output<typeof webhookFieldsSchema>;
type FieldsSchema = z.ZodType<Fields, unknown>;

/** One schema per quantityType, built once: only the quantity keys' bounds differ. With a refused quantityType
 * the quantity's unit is unknown, so it gets the loosest bounds (dollar_amount's) and only quantityType is named. */
const SCHEMAS: Record<QuantityType | "refused", FieldsSchema> = {
  fixed_quantity: webhookFieldsSchema,
  dollar_amount: webhookFieldsSchema.extend(quantityFields("dollar_amount")),
  percent_of_equity: webhookFieldsSchema.extend(quantityFields("percent_of_equity")),
  refused: webhookFieldsSchema.extend(quantityFields("dollar_amount")),
};
const quantityTypeOnly = quantityTypeField();

/** The body's quantityType: fixed_quantity when absent, "refused" when the schema will refuse it. */
function quantityTypeOf(body: Record<string, unknown>): QuantityType | "refused" {
  const r = quantityTypeOnly.safeParse(Object.hasOwn(body, "quantityType") ? body.quantityType : undefined);
  if (!r.success) return "refused";
  return r.data ?? "fixed_quantity";
}

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

  const sentType = quantityTypeOf(body);
  const { fields, details, failedKeys } = parseFields(SCHEMAS[sentType], body);
  // The signal of a refused quantityType is never returned; reading its quantity as contracts is harmless.
  const quantityType = sentType === "refused" ? "fixed_quantity" : sentType;
  const signal = buildSignal({ fields, details, failedKeys, body, quantityType });
  if (details.length > 0) return invalid(details, body);
  return { ok: true, signal, body };
}

/** Runs the field schema; on failure, parses again without the failing keys so cross-field rules still run. */
function parseFields(
  schema: FieldsSchema,
  body: Record<string, unknown>,
): {
  fields: Fields;
  details: ParseErrorDetail[];
  failedKeys: Set<string>;
} {
  const first = schema.safeParse(body);
  if (first.success) return { fields: first.data, details: [], failedKeys: new Set() };
  const details = first.error.issues.map((issue) => ({
    field: issue.path.map(String).join(".") || "body",
    problem: issue.message,
  }));
  const failedKeys = new Set(first.error.issues.map((issue) => String(issue.path[0])));
  const rest = Object.fromEntries(Object.entries(body).filter(([key]) => !failedKeys.has(key)));
  const second = schema.safeParse(rest);
  // Fields are validated independently, so the second pass succeeds; the fallback is only defensive.
  return { fields: second.success ? second.data : ({} as Fields), details, failedKeys };
}

type BuildInput = {
  fields: Fields;
  details: ParseErrorDetail[];
  failedKeys: Set<string>;
  body: Record<string, unknown>;
  quantityType: QuantityType;
};

function buildSignal({ fields, details, failedKeys, body, quantityType }: BuildInput): NormalizedSignal {
  const values: Record<string, unknown> = {
    ...fields,
    "strategy_info.market_position": fields.strategy_info?.market_position,
    "strategy_info.market_position_size": fields.strategy_info?.market_position_size,
  };
  const first = <T>(keys: readonly string[]): T | undefined => pickFirst<string, T>(values as Record<string, T>, keys)?.value;

  const signal: NormalizedSignal = {};
  const flat = fields.sentiment === "flat";
  const word = first<ActionWord>(ALIASES.action);
  const cancel = word === "cancel";
  if (cancel) signal.cancel = true;
  const action = cancel ? undefined : flat ? "close" : word;
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

  if (!flat && !cancel) resolveQuantity(signal, quantityType, first<number>(ALIASES.quantity), { details, failedKeys, body });
  const price = first<number>(ALIASES.price);
  if (price !== undefined) signal.price = price;
  const order = resolveOrder(fields.orderType, { limitPrice: fields.limitPrice, stopPrice: fields.stopPrice }, details);
  if (order !== undefined) signal.order = order;

  // A TradersPost trailing stopLoss is a trailing stop, not a level.
  let stopLossTrailing: TrailingSpec | undefined;
  if (fields.stopLoss !== undefined && isTrailingValue(fields.stopLoss)) {
    stopLossTrailing = fields.stopLoss.trailing;
    values.stopLoss = undefined;
  }
  for (const kind of ["takeProfit", "stopLoss"] as const) {
    const level = resolveLevel(kind, values, details);
    if (level !== undefined) signal[kind] = level;
  }
  const pickMyTrade = resolvePickMyTradeExits(fields, failedKeys, details);
  if (stopLossTrailing !== undefined && pickMyTrade.trailingStop !== undefined) {
    if (!sameTrailing(stopLossTrailing, pickMyTrade.trailingStop)) {
      details.push({ field: "trail_stop", problem: "conflicts with stopLoss (trailing_stop): give only one trailing stop" });
    }
  }
  const trailingStop = stopLossTrailing ?? pickMyTrade.trailingStop;
  if (trailingStop !== undefined) signal.trailingStop = trailingStop;
  if (pickMyTrade.breakEven !== undefined) signal.breakEven = pickMyTrade.breakEven;

  const ticker = first<string>(ALIASES.ticker);
  if (ticker !== undefined) signal.ticker = ticker;
  const signalId = first<string>(ALIASES.id);
  if (signalId !== undefined) signal.id = signalId;
  const time = first<string>(ALIASES.time);
  if (time !== undefined) {
    signal.time = time;
    const timeMs = parseTimeMs(time);
    if (timeMs !== undefined) signal.timeMs = timeMs;
  }
  if (fields.comment !== undefined) signal.comment = fields.comment;

  const hasIntent =
    signal.action !== undefined || signal.cancel === true || signal.targetSize !== undefined || signal.targetSide !== undefined;
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

/** The quantity in the unit of the quantityType: contracts (`quantity`) or `sizing`. */
function resolveQuantity(
  signal: NormalizedSignal,
  quantityType: QuantityType,
  quantity: number | undefined,
  ctx: { details: ParseErrorDetail[]; failedKeys: Set<string>; body: Record<string, unknown> },
): void {
  if (quantity !== undefined) {
    Object.assign(signal, sizingOf(quantityType, quantity));
    return;
  }
  if (quantityType === "fixed_quantity") return;
  // Without contracts to fall back on, an entry must say how much; a close closes all, a target is its own size.
  const entry = signal.action === "buy" || signal.action === "sell" || signal.action === "add";
  const hasTarget = signal.targetSize !== undefined || signal.targetSide !== undefined;
  if (!entry || hasTarget || ALIASES.quantity.some((key) => ctx.failedKeys.has(key))) return;
  const sent = ALIASES.quantity.find((key) => Object.hasOwn(ctx.body, key)) ?? "quantity";
  ctx.details.push({ field: sent, problem: missingSizedQuantityProblem(quantityType) });
}

function sameTrailing(a: TrailingSpec, b: TrailingSpec): boolean {
  const keys = (t: TrailingSpec) => Object.entries(t).sort(([x], [y]) => x.localeCompare(y));
  return JSON.stringify(keys(a)) === JSON.stringify(keys(b));
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
