// Quantity granularity (CONTRACT "Bad input and faults": a quantity is a whole number unless the recorder's
// `quantityStep`, default 1, allows fractions such as 0.001). The parser does not know the recorder, so this is
// a separate pure check that the webhook handler runs once the recorder is known; its problems join the
// parser's as 400 `invalid_signal` details.
import type { NormalizedSignal } from "../engine/types";
import { DEFAULT_QUANTITY_STEP } from "./limits";

export type QuantityStepProblem = { field: string; problem: string };

/**
 * Whether `n` is a whole multiple of `step`, tolerant of binary fractions (0.003 / 0.001 is 2.9999999999999996).
 * The tolerance grows with the ratio so that a large quantity over a tiny step is not refused for rounding noise.
 */
export function isMultipleOf(n: number, step: number): boolean {
  const ratio = Math.abs(n / step);
  // A non-zero quantity must be at least one step: 5e-324 is not "0 steps".
  if (n !== 0 && Math.round(ratio) === 0) return false;
  return Math.abs(ratio - Math.round(ratio)) < Math.max(1e-9, ratio * 1e-12);
}

/**
 * Problems with `signal.quantity` and `signal.targetSize` (any of positionSize, marketPositionSize, ...) that are
 * not whole multiples of `step`. NormalizedSignal does not record which alias the sender used, so the fields are
 * named "quantity" and "positionSize". A step that is not a positive finite number counts as the default (1).
 * A signal with `sizing` (TradersPost dollar_amount / percent_of_equity) has no contract quantity to check: the
 * engine derives the contracts and rounds them down to the step. Its target size, if any, is still contracts
 * ({{strategy.position_size}}) and still checked.
 */
export function quantityStepProblems(signal: NormalizedSignal, step: number = DEFAULT_QUANTITY_STEP): QuantityStepProblem[] {
  const s = Number.isFinite(step) && step > 0 ? step : DEFAULT_QUANTITY_STEP;
  const problems: QuantityStepProblem[] = [];
  const check = (field: string, n: number | undefined) => {
    if (n === undefined || isMultipleOf(n, s)) return;
    problems.push({ field, problem: stepProblem(s, n) });
  };
  if (signal.sizing === undefined) check("quantity", signal.quantity);
  check("positionSize", signal.targetSize);
  return problems;
}

function stepProblem(step: number, got: number): string {
  if (step === 1) return `must be a whole number of contracts, got ${got}`;
  return `must be a multiple of ${step} (the recorder's quantityStep), got ${got}`;
}
