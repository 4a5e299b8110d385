export { computeStats, type Stats, type StatsOptions, type RatioPeriod } from "./metrics";
export { equitySeries, type EquityPoint, type EquityOptions } from "./equity";
export { tradesCsv, TRADES_CSV_HEADER, type TradesCsvOptions, csvField, csvLine } from "./trades-csv";
export { roundCents, roundTo, roundPct, toCents, fromCents, capitalCents } from "./money";
export { sortByClose } from "./order";
export { asEntryTrades, type EntryTradeChunk, type TradeRow } from "./entry-trades";
export { statsBySide, type StatsBySide } from "./by-side";
