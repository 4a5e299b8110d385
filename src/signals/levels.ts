// Take-profit / stop-loss values -> LevelSpec (exactly one key), or, for a TradersPost trailing stop-loss, a
// TrailingSpec.
// Accepted: a plain number or numeric string = price; an object with exactly one value key:
//   takeProfit: limitPrice (TradersPost) | price | amount (USD) | percent | ticks
//   stopLoss:   stopPrice (TradersPost)  | price | amount (USD) | percent | ticks
//   stopLoss with `type: "trailing_stop"`: exactly one of trailAmount (price units) | trailPercent (percent of the
//   fill price, > 0 and < 100) -> a trailing stop that starts at once (`{distance}` / `{percent}`, no trigger).
//   Without a `type`, a trailAmount / trailPercent makes it a trailing stop too.
// A stopLoss `type` must be stop, stop_limit or trailing_stop (TradersPost's); a stop_limit's `limitPrice` is
// ignored (the stop level is `stopPrice`). A trail key with type stop / stop_limit, a fixed key with type
// trailing_stop, or a trail key in a takeProfit is refused (the sender means something we would not record).
// takeProfit's `type` (not a TradersPost key) is allowed and ignored unless it says "trail".
// Values must be > 0 and < MAX_PRICE (1e9), whatever their unit: a level is compared with prices and multiplied
// into P&L, so it must stay finite. Unknown keys inside the object are rejected (typo guard). PickMyTrade's flat
// keys (tp/sl price, dollar_* amount, percentage_* percent) use 0 for "not set".
import { z } from "zod";
import type { LevelSpec, NormalizedSignal } from "../engine/types";
import { levelValue, levelValueOrZeroAbsent, trailPercentValue } from "./numbers";
import { describeValue, isBlank, isPlainObject } from "./values";

export type LevelKind = "takeProfit" | "stopLoss";
type Unit = "price" | "amount" | "percent" | "ticks";

export type TrailingSpec = NonNullable<NormalizedSignal["trailingStop"]>;
/** What a takeProfit / stopLoss field gives: a level, or (stopLoss only) a trailing stop. */
export type LevelValue = LevelSpec | { trailing: TrailingSpec };

export function isTrailingValue(v: LevelValue): v is { trailing: TrailingSpec } {
  return "trailing" in v;
}

const VALUE_KEYS: Record<LevelKind, Record<string, Unit>> = {
  takeProfit: { limitPrice: "price", price: "price", amount: "amount", percent: "percent", ticks: "ticks" },
  stopLoss: { stopPrice: "price", price: "price", amount: "amount", percent: "percent", ticks: "ticks" },
};
const TRAIL_KEYS = ["trailAmount", "trailPercent"] as const;
type TrailKey = (typeof TRAIL_KEYS)[number];
const STOP_TYPES = ["stop", "stop_limit", "trailing_stop"] as const;
type StopType = (typeof STOP_TYPES)[number];
const TAKE_PROFIT_TRAILING_PROBLEM =
  'a take-profit cannot trail; give a trailing stop as stopLoss {type: "trailing_stop", trailAmount or trailPercent}';
const TRAILING_SHAPE = 'type "trailing_stop" with exactly one of trailAmount, trailPercent';

function acceptedKeys(kind: LevelKind): string {
  return Object.keys(VALUE_KEYS[kind]).join(", ");
}

function acceptedShapes(kind: LevelKind): string {
  return kind === "stopLoss" ? `${acceptedKeys(kind)} (or ${TRAILING_SHAPE})` : acceptedKeys(kind);
}

function spec(unit: Unit, value: number): LevelSpec {
  switch (unit) {
    case "price":
      return { price: value };
    case "amount":
      return { amount: value };
    case "percent":
      return { percent: value };
    case "ticks":
      return { ticks: value };
  }
}

/** `takeProfit` / `stopLoss`: a price, or an object in TradersPost / our own shape. */
export function levelField(kind: LevelKind) {
  const value = levelValue();
  const trailValue: Record<TrailKey, ReturnType<typeof levelValue>> = { trailAmount: value, trailPercent: trailPercentValue() };
  return z.unknown().transform((raw, ctx): LevelValue | undefined => {
    if (isBlank(raw)) return undefined;
    if (!isPlainObject(raw)) {
      if (typeof raw !== "number" && typeof raw !== "string") {
        const shape = `a price or an object with one of ${acceptedShapes(kind)}`;
        ctx.addIssue({ code: "custom", message: `must be ${shape}, got ${describeValue(raw)}` });
        return undefined;
      }
      const r = value.safeParse(raw);
      if (!r.success) {
        for (const issue of r.error.issues) ctx.addIssue({ code: "custom", message: issue.message });
        return undefined;
      }
      return r.data === undefined ? undefined : { price: r.data };
    }

    let failed = false;
    const fail = (key: string, message: string) => {
      failed = true;
      ctx.addIssue({ code: "custom", message, path: [key] });
    };
    const found: { key: string; unit: Unit; value: number }[] = [];
    const trails: { key: TrailKey; value: number }[] = [];
    const trailKeysSent: TrailKey[] = [];
    let stopType: StopType | undefined;
    let typeRefused = false;
    let blankValues = 0;
    for (const [key, v] of Object.entries(raw)) {
      if (key === "type") {
        if (isBlank(v)) continue;
        if (typeof v !== "string") {
          typeRefused = true;
          fail(key, `must be a string, got ${describeValue(v)}`);
        } else if (kind === "takeProfit") {
          if (v.toLowerCase().includes("trail")) fail(key, TAKE_PROFIT_TRAILING_PROBLEM);
        } else {
          const t = v.trim().toLowerCase();
          if ((STOP_TYPES as readonly string[]).includes(t)) stopType = t as StopType;
          else {
            typeRefused = true;
            fail(key, `must be one of ${STOP_TYPES.join(", ")}, got ${describeValue(v)}`);
          }
        }
        continue;
      }
      if ((TRAIL_KEYS as readonly string[]).includes(key)) {
        const trailKey = key as TrailKey;
        if (kind === "takeProfit") {
          if (!isBlank(v)) fail(key, TAKE_PROFIT_TRAILING_PROBLEM);
          continue;
        }
        if (isBlank(v)) {
          blankValues++;
          continue;
        }
        trailKeysSent.push(trailKey);
        const r = trailValue[trailKey].safeParse(v);
        if (!r.success) {
          for (const issue of r.error.issues) fail(key, issue.message);
        } else if (r.data !== undefined) {
          trails.push({ key: trailKey, value: r.data });
        }
        continue;
      }
      if (kind === "stopLoss" && key === "limitPrice") continue;
      const unit = Object.hasOwn(VALUE_KEYS[kind], key) ? VALUE_KEYS[kind][key] : undefined;
      if (unit === undefined) {
        fail(key, `is not a known key; ${kind} takes exactly one of ${acceptedShapes(kind)}`);
        continue;
      }
      if (isBlank(v)) {
        blankValues++;
        continue;
      }
      const r = value.safeParse(v);
      if (!r.success) {
        for (const issue of r.error.issues) fail(key, issue.message);
      } else if (r.data !== undefined) {
        found.push({ key, unit, value: r.data });
      }
    }

    // A refused type says nothing reliable about which keys belong: its own problem is enough.
    if (typeRefused) return undefined;
    const trailing = stopType === "trailing_stop" || (stopType === undefined && trailKeysSent.length > 0);
    if (trailing) {
      for (const f of found) fail(f.key, `is not used by a trailing stop; give ${TRAILING_SHAPE}, or type "stop" for a fixed stop`);
      if (failed) return undefined;
      if (trails.length > 1) {
        fail("trailAmount", "and trailPercent are both given; a trailing stop takes exactly one of them");
        return undefined;
      }
      if (trails.length === 0) {
        // Every value rendered empty: no stop-loss. A trailing_stop with no distance at all is a mistake.
        if (blankValues > 0) return undefined;
        fail("trailAmount", `is required for a trailing stop: give exactly one of trailAmount (price units), trailPercent`);
        return undefined;
      }
      const t = trails[0];
      return { trailing: t.key === "trailAmount" ? { distance: t.value } : { percent: t.value } };
    }
    for (const key of trailKeysSent) fail(key, `is only for a trailing stop (type "trailing_stop"), not type "${stopType}"`);
    if (failed) return undefined;
    if (found.length === 0) {
      // Every value key rendered empty: the level is absent. A bare {} is a mistake.
      if (blankValues > 0) return undefined;
      ctx.addIssue({ code: "custom", message: `must have one of ${acceptedShapes(kind)}` });
      return undefined;
    }
    if (found.length > 1) {
      ctx.addIssue({
        code: "custom",
        message: `has more than one value (${found.map((f) => f.key).join(", ")}); give exactly one of ${acceptedKeys(kind)}`,
      });
      return undefined;
    }
    return spec(found[0].unit, found[0].value);
  }).optional();
}

/** PickMyTrade-style flat keys: a number in the given unit; 0 = not set. */
export function flatLevelField(unit: Exclude<Unit, "ticks">) {
  return levelValueOrZeroAbsent().transform((n): LevelSpec | undefined => (n === undefined ? undefined : spec(unit, n)));
}

export function sameLevel(a: LevelSpec, b: LevelSpec): boolean {
  const [ka, va] = Object.entries(a)[0];
  const [kb, vb] = Object.entries(b)[0];
  return ka === kb && va === vb;
}
