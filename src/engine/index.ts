// Public surface of the recording engine (pure; no Cloudflare imports).
export * from "./types";
export { SymbolBook } from "./book";
export type { SignalInput, SymbolBookOptions } from "./book";
export { INSTRUMENTS, findInstrument, resolveTicker, expandYear } from "./instruments";
export type { InstrumentRow, TickOverride } from "./instruments";
export { cleanPrice, roundCents, roundToTick, priceToTicks, ticksToPrice } from "./money";
export { serialize, restore, toPosition, toTrade } from "./position";
export { planTarget } from "./target";
