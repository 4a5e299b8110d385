// Recorder settings as the admin API accepts them (CONTRACT "POST /api/recorders" and second round "Exits and
// risk rules", "More than one recorder per alert"), validated with zod.
// Defaults (where the contract is silent too) live in src/api/recorder-defaults.ts, shared with the dashboard.
// `followsRecorderId` is only checked for shape here; its rules need D1 (src/recorders/followers.ts).
import { z } from "zod";
import { MAX_PRICE, MAX_QUANTITY, MAX_TICK_VALUE, MIN_QUANTITY, MIN_TICK_SIZE } from "../engine/limits";
import type { BreakEvenSpec, SessionSpec, TakeProfitLeg, TrailingStopSpec, Weekday } from "../engine/types";
import { RECORDER_DEFAULTS as D } from "../api/recorder-defaults";

/** The defaults an absent field takes on create (one table, shared with the dashboard's form). */
export { RECORDER_DEFAULTS } from "../api/recorder-defaults";

const positive = z.number().finite().positive();
const nonNegative = z.number().finite().min(0);
const quantity = positive.max(MAX_QUANTITY);
/** A distance in ticks: below the price bound, so every level it makes stays finite. */
const ticks = positive.lt(MAX_PRICE);
/** Whole ticks of a trailing / break-even stop. */
const MAX_STOP_TICKS = 1e6;
const wholeTicks = z.number().int("must be a whole number of ticks").min(0).lt(MAX_STOP_TICKS);
/** USD amounts of the daily limits. */
const usd = positive.max(1e9);

/** "HH:MM", 00:00–23:59. */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a time HH:MM between 00:00 and 23:59");

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const satisfies readonly Weekday[];

/** Sum of the legs' percents may differ from 100 by float noise only (33.3…+33.3…+33.3…). */
const PERCENT_TOLERANCE = 1e-9;

const takeProfitLeg = z.strictObject({ ticks, percent: positive.max(100) });
const takeProfitLegs = z
  .array(takeProfitLeg)
  .min(1, "must have at least 1 leg (null turns legs off)")
  .max(10, "must have at most 10 legs")
  .superRefine((legs, ctx) => {
    for (let i = 1; i < legs.length; i++) {
      if (!(legs[i]!.ticks > legs[i - 1]!.ticks)) {
        ctx.addIssue({ code: "custom", path: [i, "ticks"], message: "legs' ticks must be strictly ascending" });
      }
    }
    const sum = legs.reduce((n, l) => n + l.percent, 0);
    if (legs.every((l) => Number.isFinite(l.percent)) && Math.abs(sum - 100) > PERCENT_TOLERANCE) {
      ctx.addIssue({ code: "custom", message: `legs' percents must sum to 100 (they sum to ${sum})` });
    }
  }) satisfies z.ZodType<TakeProfitLeg[]>;

const trailingStop = z.strictObject({
  triggerTicks: wholeTicks,
  distanceTicks: wholeTicks.positive(),
}) satisfies z.ZodType<TrailingStopSpec>;

const breakEven = z
  .strictObject({ triggerTicks: wholeTicks.positive(), offsetTicks: wholeTicks })
  .refine((b) => b.offsetTicks < b.triggerTicks, { path: ["offsetTicks"], message: "must be below triggerTicks" }) satisfies z.ZodType<BreakEvenSpec>;

const session = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1, "must name at least one day")
      .max(7)
      .refine((d) => new Set(d).size === d.length, "must not repeat a day"),
    start: clock,
    end: clock,
  })
  .refine((s) => s.start !== s.end, { path: ["end"], message: "must differ from start (an end before start ends the next day)" }) satisfies z.ZodType<SessionSpec>;

/** An IANA time zone this runtime knows (the engine computes sessions and trading days with the same Intl). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

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
  // ---- Exits and risk rules (CONTRACT second round) ----
  /** Scale-out take-profits; null: off (overrides takeProfitTicks when set). */
  takeProfitLegs: takeProfitLegs.nullable(),
  trailingStop: trailingStop.nullable(),
  breakEven: breakEven.nullable(),
  directionFilter: z.enum(["both", "long", "short"]),
  maxContracts: quantity.nullable(),
  cooldownSeconds: z.number().int().min(0).max(86_400),
  maxSignalAgeSeconds: z.number().int().min(1).max(86_400).nullable(),
  slippageTicks: z.number().int().min(0).max(1000),
  timezone: z.string().min(1).max(64).refine(isTimeZone, "must be an IANA time zone such as America/New_York"),
  sessions: z.array(session).max(20, "must have at most 20 sessions"),
  flattenAtSessionEnd: z.boolean(),
  tradingDayStart: clock,
  dailyLossLimit: usd.nullable(),
  dailyProfitTarget: usd.nullable(),
  flattenOnDailyLimit: z.boolean(),
  initialCapital: positive.max(1e12).nullable(),
  /** The recorder this one follows (null: none). Its existence and the no-chain rules are checked against D1. */
  followsRecorderId: z.string().trim().min(1).max(100).nullable(),
};

export const createRecorderSchema = z
  .object({
    name: recorderFields.name,
    symbol: recorderFields.symbol.optional(),
    enabled: recorderFields.enabled.default(D.enabled),
    initialQuantity: recorderFields.initialQuantity.default(D.initialQuantity),
    addQuantity: recorderFields.addQuantity.default(D.addQuantity),
    allowAdd: recorderFields.allowAdd.default(D.allowAdd),
    reverseOnOpposite: recorderFields.reverseOnOpposite.default(D.reverseOnOpposite),
    takeProfitTicks: recorderFields.takeProfitTicks.optional(),
    stopLossTicks: recorderFields.stopLossTicks.optional(),
    commissionPerContract: recorderFields.commissionPerContract.default(D.commissionPerContract),
    tickSize: recorderFields.tickSize.optional(),
    tickValue: recorderFields.tickValue.optional(),
    dedupeWindowSeconds: recorderFields.dedupeWindowSeconds.default(D.dedupeWindowSeconds),
    quantityStep: recorderFields.quantityStep.default(D.quantityStep),
    maxSignalsPerMinute: recorderFields.maxSignalsPerMinute.default(D.maxSignalsPerMinute),
    signalLogRetentionDays: recorderFields.signalLogRetentionDays.default(D.signalLogRetentionDays),
    delayedFeed: recorderFields.delayedFeed.default(D.delayedFeed),
    takeProfitLegs: recorderFields.takeProfitLegs.default(D.takeProfitLegs),
    trailingStop: recorderFields.trailingStop.default(D.trailingStop),
    breakEven: recorderFields.breakEven.default(D.breakEven),
    directionFilter: recorderFields.directionFilter.default(D.directionFilter),
    maxContracts: recorderFields.maxContracts.default(D.maxContracts),
    cooldownSeconds: recorderFields.cooldownSeconds.default(D.cooldownSeconds),
    maxSignalAgeSeconds: recorderFields.maxSignalAgeSeconds.default(D.maxSignalAgeSeconds),
    slippageTicks: recorderFields.slippageTicks.default(D.slippageTicks),
    timezone: recorderFields.timezone.default(D.timezone),
    sessions: recorderFields.sessions.default(() => [...D.sessions]),
    flattenAtSessionEnd: recorderFields.flattenAtSessionEnd.default(D.flattenAtSessionEnd),
    tradingDayStart: recorderFields.tradingDayStart.default(D.tradingDayStart),
    dailyLossLimit: recorderFields.dailyLossLimit.default(D.dailyLossLimit),
    dailyProfitTarget: recorderFields.dailyProfitTarget.default(D.dailyProfitTarget),
    flattenOnDailyLimit: recorderFields.flattenOnDailyLimit.default(D.flattenOnDailyLimit),
    initialCapital: recorderFields.initialCapital.default(D.initialCapital),
    followsRecorderId: recorderFields.followsRecorderId.default(D.followsRecorderId),
  })
  .strict();

export const patchRecorderSchema = z.object(recorderFields).partial().strict();

/** `POST /api/recorders/:id/clone` `{name}` (absent: the original's name + " (copy)"). */
export const cloneRecorderSchema = z.object({ name: recorderFields.name.optional() }).strict();

export type CreateRecorderInput = z.output<typeof createRecorderSchema>;
export type PatchRecorderInput = z.output<typeof patchRecorderSchema>;

/** zod issues -> the contract's `details`: one `{field, problem}` per offending field. */
export function fieldProblems(error: z.ZodError): { field: string; problem: string }[] {
  return error.issues.map((i) => ({
    field: i.path.length ? i.path.join(".") : (i.code === "unrecognized_keys" ? i.keys.join(",") : "body"),
    problem: i.message,
  }));
}
