// Position math in exact tick units. A price is an integer number of ticks; the average entry is the fraction
// avgEntryNum / avgEntryDen ticks; P&L is in "tick units" (USD / tickValue). Dividing last keeps results that
// are mathematically equal bit-identical (IEEE division is correctly rounded), so excursion ties are real ties.
import { roundCents } from "./money";
import type { PositionState, Side } from "./types";

/** Beyond this the integer arithmetic of the average would lose precision: fall back to a plain float. */
const SAFE_INTEGER_LIMIT = 2 ** 50;

export function direction(side: Side): 1 | -1 {
  return side === "long" ? 1 : -1;
}

export function avgEntryTicks(s: PositionState): number {
  return s.avgEntryNum / s.avgEntryDen;
}

/** P&L in tick units of `quantity` contracts exiting at `priceTicks`. */
export function tickPnl(s: PositionState, priceTicks: number, quantity: number): number {
  const dir = s.side === "long" ? 1 : -1;
  return (dir * (priceTicks * s.avgEntryDen - s.avgEntryNum) * quantity) / s.avgEntryDen;
}

/** Unrealized P&L of the whole open quantity, tick units. Called on every tick: keep it allocation-free. */
export function openTickPnl(s: PositionState, priceTicks: number): number {
  return tickPnl(s, priceTicks, s.quantity);
}

/** Tick units -> USD to the cent. */
export function toUsd(s: PositionState, tickUnits: number): number {
  return roundCents(tickUnits * s.tickValue);
}

/**
 * New volume-weighted average after adding `quantity` at `priceTicks` to the open quantity:
 * (avg × open + price × qty) / (open + qty), kept as a reduced fraction.
 */
export function addToAverage(s: PositionState, priceTicks: number, quantity: number): void {
  const open = s.quantity;
  let num: number;
  let den: number;
  if (s.avgEntryDen === open) {
    // No partial exit since the last normalisation: the fraction is still "sum of qty×price / qty".
    num = s.avgEntryNum + priceTicks * quantity;
    den = open + quantity;
  } else {
    num = s.avgEntryNum * open + priceTicks * quantity * s.avgEntryDen;
    den = s.avgEntryDen * (open + quantity);
  }
  const g = gcd(num, den);
  if (g > 1) {
    num /= g;
    den /= g;
  }
  if (Math.abs(num) > SAFE_INTEGER_LIMIT || den > SAFE_INTEGER_LIMIT) {
    // Pathological DCA history: keep a float average over the open quantity (still exact to ~1e-15).
    num = (num / den) * (open + quantity);
    den = open + quantity;
  }
  s.avgEntryNum = num;
  s.avgEntryDen = den;
}

/** Greatest common divisor of two integers; 1 when either is not an integer (fractional contracts). */
function gcd(a: number, b: number): number {
  if (!Number.isInteger(a) || !Number.isInteger(b)) return 1;
  a = Math.abs(a);
  b = Math.abs(b);
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a || 1;
}
