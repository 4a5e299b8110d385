// Prices at the instrument's precision: an average entry of a DCA'd position is an exact fraction
// (25,588.3333333…), which no trader reads; TradingView shows MNQ to 0.25, so 2 decimals; ZN (1/64) to 6; 6E to 5.
// The tick size comes from the recorder's override when it has one, else from the instrument table the Worker
// itself uses (src/engine/instruments.ts, pure data, bundled here), else the price is shown as it is.
import { findInstrument } from "../../src/engine/instruments";
import type { Recorder } from "./api";
import { DASH, isNum } from "./format";

/** The tick size of a root symbol ("MNQ") for a recorder (its override wins), null when unknown. */
export function tickSizeOf(symbol: string | null | undefined, recorder?: Pick<Recorder, "tickSize"> | null): number | null {
  if (recorder && isNum(recorder.tickSize) && recorder.tickSize > 0) return recorder.tickSize;
  const spec = symbol ? findInstrument(symbol.toUpperCase()) : undefined;
  return spec ? spec.tickSize : null;
}

/** Decimals a tick size needs: 0.25 -> 2, 1 -> 0, 0.015625 -> 6, 0.00005 -> 5 (at most 8). */
export function tickDecimals(tick: number): number {
  for (let d = 0; d <= 8; d++) {
    const scaled = tick * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9 * Math.max(1, scaled)) return d;
  }
  return 8;
}

const formats = new Map<number, Intl.NumberFormat>();
function formatFor(decimals: number): Intl.NumberFormat {
  let f = formats.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    formats.set(decimals, f);
  }
  return f;
}
const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 });

/** A price with its instrument's decimals ("25,588.33"); without a known tick, as the API sent it. */
export function tickPrice(v: unknown, tick: number | null): string {
  if (!isNum(v)) return DASH;
  return tick ? formatFor(tickDecimals(tick)).format(v) : plain.format(v);
}
