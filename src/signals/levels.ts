// Take-profit / stop-loss values -> LevelSpec (exactly one key).
// Accepted: a plain number or numeric string = price; an object with exactly one value key:
//   takeProfit: limitPrice (TradersPost) | price | amount (USD) | percent | ticks
//   stopLoss:   stopPrice (TradersPost)  | price | amount (USD) | percent | ticks
// `type` (TradersPost "stop", "stop_limit", ...) is allowed and ignored; a stop_limit's `limitPrice` is ignored
// (the stop level is `stopPrice`). Trailing stops (`trailAmount`, `trailPercent`, type "trailing_stop") are not
// supported and rejected. Values must be > 0 and < MAX_PRICE (1e9), whatever their unit: a level is compared
// with prices and multiplied into P&L, so it must stay finite. Unknown keys inside the object are rejected (typo
// guard). PickMyTrade's flat keys (tp/sl price, dollar_* amount, percentage_* percent) use 0 for "not set".
import { z } from "zod";
import type { LevelSpec } from "../engine/types";
import { levelValue, levelValueOrZeroAbsent } from "./numbers";
import { describeValue, isBlank, isPlainObject } from "./values";

export type LevelKind = "takeProfit" | "stopLoss";
type Unit = "price" | "amount" | "percent" | "ticks";

const VALUE_KEYS: Record<LevelKind, Record<string, Unit>> = {
  takeProfit: { limitPrice: "price", price: "price", amount: "amount", percent: "percent", ticks: "ticks" },
  stopLoss: { stopPrice: "price", price: "price", amount: "amount", percent: "percent", ticks: "ticks" },
};
const TRAILING_KEYS = new Set(["trailAmount", "trailPercent"]);
const TRAILING_PROBLEM =
  "trailing stops are not supported; give a fixed stopPrice, price, amount, percent or ticks instead";

function acceptedKeys(kind: LevelKind): string {
  return Object.keys(VALUE_KEYS[kind]).join(", ");
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
  return z.unknown().transform((raw, ctx): LevelSpec | undefined => {
    if (isBlank(raw)) return undefined;
    const shape = `a price or an object with one of ${acceptedKeys(kind)}`;
    if (!isPlainObject(raw)) {
      if (typeof raw !== "number" && typeof raw !== "string") {
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
    let blankValues = 0;
    for (const [key, v] of Object.entries(raw)) {
      if (key === "type") {
        if (isBlank(v)) continue;
        if (typeof v !== "string") fail(key, `must be a string, got ${describeValue(v)}`);
        else if (v.toLowerCase().includes("trail")) fail(key, TRAILING_PROBLEM);
        continue;
      }
      if (TRAILING_KEYS.has(key)) {
        if (!isBlank(v)) fail(key, TRAILING_PROBLEM);
        continue;
      }
      if (kind === "stopLoss" && key === "limitPrice") continue;
      const unit = Object.hasOwn(VALUE_KEYS[kind], key) ? VALUE_KEYS[kind][key] : undefined;
      if (unit === undefined) {
        fail(key, `is not a known key; ${kind} takes exactly one of ${acceptedKeys(kind)}`);
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
    if (failed) return undefined;
    if (found.length === 0) {
      // Every value key rendered empty: the level is absent. A bare {} is a mistake.
      if (blankValues > 0) return undefined;
      ctx.addIssue({ code: "custom", message: `must have one of ${acceptedKeys(kind)}` });
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
