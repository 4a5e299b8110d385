// Recorder settings as the admin API accepts them (CONTRACT "POST /api/recorders"), validated with zod.
// Defaults where the contract is silent: initialQuantity 1, addQuantity 1, allowAdd true, commission 0.
import { z } from "zod";
import { MAX_PRICE, MAX_QUANTITY, MAX_TICK_VALUE, MIN_QUANTITY, MIN_TICK_SIZE } from "../engine/limits";

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().min(0);
const quantity = positive.max(MAX_QUANTITY);
/** A distance in ticks: below the price bound, so every level it makes stays finite. */
const ticks = positive.lt(MAX_PRICE);

export const recorderFields = {
  name: z.string().trim().min(1, "name must not be empty").max(120),
  /** Default ticker: the same characters a webhook ticker may use (no control characters). */
  symbol: z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_.!:=\-+*\/^&(){}", ]+$/, "must be a ticker such as MNQ1! or CME_MINI:MNQ1!").nullable(),
  enabled: z.boolean(),
  initialQuantity: quantity,
  addQuantity: quantity,
  allowAdd: z.boolean(),
  reverseOnOpposite: z.boolean(),
  takeProfitTicks: ticks.nullable(),
  stopLossTicks: ticks.nullable(),
  commissionPerContract: nonNegative.max(10_000),
  tickSize: z.number().finite().min(MIN_TICK_SIZE).max(1e6).nullable(),
  tickValue: positive.max(MAX_TICK_VALUE).nullable(),
  dedupeWindowSeconds: z.number().int().min(0).max(86_400),
  /** Smallest quantity increment: 1 = whole contracts, 0.001 allows fractions down to 0.001. */
  quantityStep: z.number().finite().min(MIN_QUANTITY).max(MAX_QUANTITY),
  /** Signals a minute (accepted and rejected alike) before 429 rate_limited. */
  maxSignalsPerMinute: z.number().int().min(1).max(10_000),
  /** Signal-log rows older than this are dropped (daily). */
  signalLogRetentionDays: z.number().int().min(1).max(3650),
  /** With a delayed feed: "align" applies signals when the feed's market time reaches them; "immediate" at once. */
  delayedFeed: z.enum(["align", "immediate"]),
};

export const createRecorderSchema = z
  .object({
    name: recorderFields.name,
    symbol: recorderFields.symbol.optional(),
    enabled: recorderFields.enabled.default(true),
    initialQuantity: recorderFields.initialQuantity.default(1),
    addQuantity: recorderFields.addQuantity.default(1),
    allowAdd: recorderFields.allowAdd.default(true),
    reverseOnOpposite: recorderFields.reverseOnOpposite.default(true),
    takeProfitTicks: recorderFields.takeProfitTicks.optional(),
    stopLossTicks: recorderFields.stopLossTicks.optional(),
    commissionPerContract: recorderFields.commissionPerContract.default(0),
    tickSize: recorderFields.tickSize.optional(),
    tickValue: recorderFields.tickValue.optional(),
    dedupeWindowSeconds: recorderFields.dedupeWindowSeconds.default(10),
    quantityStep: recorderFields.quantityStep.default(1),
    maxSignalsPerMinute: recorderFields.maxSignalsPerMinute.default(60),
    signalLogRetentionDays: recorderFields.signalLogRetentionDays.default(90),
    delayedFeed: recorderFields.delayedFeed.default("align"),
  })
  .strict();

export const patchRecorderSchema = z.object(recorderFields).partial().strict();

export type CreateRecorderInput = z.output<typeof createRecorderSchema>;
export type PatchRecorderInput = z.output<typeof patchRecorderSchema>;

/** zod issues -> the contract's `details`: one `{field, problem}` per offending field. */
export function fieldProblems(error: z.ZodError): { field: string; problem: string }[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : (i.code === "unrecognized_keys" ? i.keys.join(",") : "body"),
    problem: i.message,
  }));
}
