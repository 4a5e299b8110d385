// Money and price rounding. Binary floats cannot hold most decimal prices (0.1, 0.00005) exactly, so every
// value shown to a user goes through one of these functions, which strip the last-bit noise first.

/** Significant digits kept when stripping float noise: far above any real price or amount, far below noise. */
const SIGNIFICANT_DIGITS = 12;

/** Half-tick tolerance, in ticks: a value computed as 0.49999999999 tick off is treated as a true half. */
const TICK_EPSILON = 1e-9;

/** Removes float noise (25580.000000000004 -> 25580, 0.30000000000000004 -> 0.3). Turns -0 into 0. */
export function cleanPrice(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x + 0;
  // Fast path (the tick path calls this per fill and per snapshot; toPrecision is slow): x * 4 is exact in binary,
  // so when it is whole x is a multiple of 0.25 (at most 2 decimals) and under 1e10 it has at most 12 significant
  // digits: toPrecision would return x itself.
  const quarters = x * 4;
  if (Number.isInteger(quarters) && Math.abs(x) < 1e10) return x + 0;
  return Number(x.toPrecision(SIGNIFICANT_DIGITS)) + 0;
}

/** USD to the cent, half away from zero (1.005 -> 1.01, -0.125 -> -0.13). Never returns -0. */
export function roundCents(x: number): number {
  if (!Number.isFinite(x)) return x;
  const cents = Math.abs(x) * 100;
  // 1.005 * 100 is 100.49999999999999: clean the noise before deciding the half. A whole number of cents under
  // 1e12 is its own 12-digit form (the fast path, same result).
  const rounded = Number.isInteger(cents) && cents < 1e12 ? cents : Math.round(Number(cents.toPrecision(SIGNIFICANT_DIGITS)));
  return (x < 0 ? -rounded : rounded) / 100 + 0;
}

/** Nearest whole tick count, halves up, tolerant of float noise (102400.49999999999 -> 102401). */
export function roundTicks(ticks: number): number {
  return Math.round(ticks + TICK_EPSILON) + 0;
}

/** Price as a whole number of ticks (the engine's exact internal unit). */
export function priceToTicks(price: number, tickSize: number): number {
  return roundTicks(price / tickSize);
}

/** Ticks back to a clean decimal price. Accepts fractional ticks (an averaged entry). */
export function ticksToPrice(ticks: number, tickSize: number): number {
  return cleanPrice(ticks * tickSize);
}

/** Nearest tick, exact for 0.25, 0.015625 (ZN), 0.03125 (ZB), 0.00005 (6E)... */
export function roundToTick(price: number, tickSize: number): number {
  return ticksToPrice(priceToTicks(price, tickSize), tickSize);
}
