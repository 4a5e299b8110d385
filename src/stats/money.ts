// Money helpers for the statistics module. Cent rounding is the engine's (src/engine/money.ts: half away from zero,
// float noise stripped first, never -0); this file only adds the guards statistics need (no NaN/Infinity ever
// reaches an output) and integer-cent conversions so that sums are exact. Pure, no Cloudflare imports.
import { roundCents as engineRoundCents } from "../engine/money";

/** USD rounded to the cent, half away from zero (1.005 → 1.01). Non-finite input yields 0. Never -0. */
export function roundCents(x: number): number {
  return Number.isFinite(x) ? engineRoundCents(x) : 0;
}

/**
 * Rounds to `decimals` places (for percentages, prices), half away from zero, robust to binary float noise:
 * the scaled value is cleaned to 15 significant digits before deciding the half. Non-finite → 0. Never -0.
 */
export function roundTo(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return 0;
  const f = 10 ** decimals;
  const r = Math.round(Number((Math.abs(x) * f).toPrecision(15))) / f;
  return x < 0 && r !== 0 ? -r : r;
}

/** USD → integer cents (rounded half away from zero). Sums of cents are exact. */
export function toCents(x: number): number {
  return Math.round(roundCents(x) * 100) + 0;
}

/** Cents (integer, or fractional e.g. an average) → USD rounded to the cent. */
export function fromCents(cents: number): number {
  return roundCents(cents / 100);
}

/** A percentage rounded to 2 decimals (half away from zero, never -0); non-finite → 0. */
export function roundPct(x: number): number {
  return roundTo(x, 2);
}

/**
 * The recorder's initial capital as a percent base, in integer cents, or null when it cannot be one: absent (old
 * rows, or never set), not a finite number, or under one cent. Every percent figure and Sharpe/Sortino are null
 * without it, rather than divided by something the user never configured.
 */
export function capitalCents(x: number | null | undefined): number | null {
  if (typeof x !== "number" || !Number.isFinite(x) || x <= 0) return null;
  const cents = toCents(x);
  return cents > 0 && Number.isSafeInteger(cents) ? cents : null;
}
