// Shared fixtures for the engine tests.
import { SymbolBook } from "../../src/engine/book";
import type { InstrumentSpec, NormalizedSignal, RecorderSettings } from "../../src/engine/types";

export const MNQ: InstrumentSpec = { root: "MNQ", feedSymbol: "CME_MINI:MNQ1!", tickSize: 0.25, tickValue: 0.5 };

export function recorder(over: Partial<RecorderSettings> = {}): RecorderSettings {
  return {
    id: "r1",
    initialQuantity: 1,
    addQuantity: 1,
    allowAdd: true,
    reverseOnOpposite: true,
    takeProfitTicks: null,
    stopLossTicks: null,
    commissionPerContract: 0,
    ...over,
  };
}

export function newBook(): SymbolBook {
  let n = 0;
  return new SymbolBook({ newId: () => `id${++n}` });
}

/** ISO time `s` seconds after a fixed origin. */
export function t(s: number): string {
  return new Date(Date.UTC(2025, 0, 2, 14, 30, 0) + s * 1000).toISOString();
}

/** A tiny driver: one recorder, one instrument, sequential times. */
export function driver(rec: RecorderSettings = recorder(), instrument: InstrumentSpec = MNQ) {
  const book = newBook();
  let clock = 0;
  return {
    book,
    signal(signal: NormalizedSignal, price: number) {
      return book.applySignal({ recorder: rec, instrument, signal, price, at: t(++clock) });
    },
    tick(price: number) {
      return book.applyTick(price, t(++clock));
    },
    now: () => t(clock),
  };
}

/** `x` with the last price of every open position in it blanked (Position: lastPrice, unrealizedPnl; PositionState:
 * lastPriceTicks): what a restart with an unsaved last tick may leave stale
 * (src/durable/durable-book.ts header). */
export function withoutLastPrice<T>(x: T): T {
  if (Array.isArray(x)) return x.map(withoutLastPrice) as T;
  if (x === null || typeof x !== "object") return x;
  const o = Object.fromEntries(Object.entries(x).map(([k, v]) => [k, withoutLastPrice(v)]));
  if (o.status === "open") {
    if ("lastPrice" in o) Object.assign(o, { lastPrice: "(stale)", unrealizedPnl: "(stale)" });
    if ("lastPriceTicks" in o) o.lastPriceTicks = "(stale)";
  }
  return o as T;
}
