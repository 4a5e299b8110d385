// Bounds on every number that enters the engine (CONTRACT "Bad input and faults"). The webhook parser refuses
// anything outside them with a 400 naming the field; the engine checks them again before it changes any state,
// so no caller can make it compute, store or return a non-finite number. With prices < 1e9, quantities ≤ 1e5
// per fill and tick sizes/values within the recorder settings' bounds, every P&L the engine can produce is a
// finite double (the largest, 1e9 / 1e-9 ticks × 1e6 USD × 1e5 contracts, is ~1e29).

/** Prices and levels must be below this (exclusive). */
export const MAX_PRICE = 1e9;
/** Contracts per signal (quantity, target size), inclusive. */
export const MAX_QUANTITY = 100_000;
/** The smallest quantity any recorder's quantityStep allows (a non-zero quantity below it is refused). */
export const MIN_QUANTITY = 1e-6;
/** Bounds of a recorder's tickSize / tickValue override. */
export const MIN_TICK_SIZE = 1e-9;
export const MAX_TICK_VALUE = 1e6;

/** A refused engine input: thrown BEFORE any state changed, so the caller can answer 400 and move on. */
export class SignalRefusedError extends Error {
  constructor(
    message: string,
    readonly details: { field: string; problem: string }[],
  ) {
    super(message);
    this.name = "SignalRefusedError";
  }
}

export function isBoundedPrice(x: number): boolean {
  return Number.isFinite(x) && x > 0 && x < MAX_PRICE;
}

export function isBoundedQuantity(x: number): boolean {
  return Number.isFinite(x) && x >= MIN_QUANTITY && x <= MAX_QUANTITY;
}
