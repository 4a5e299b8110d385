// Market time at the resolution the feed gives it. TradingView's `lp_time` is whole epoch seconds; the feed turns
// it into milliseconds with the local clock only while it falls in the current second (src/feed/quote-state.ts).
// So a tick stamped exactly on a whole second may have happened at any moment of that second: it is not known to
// be earlier than a position opened later in the same second, and CONTRACT's rule "a tick whose market time is
// earlier than a position's openedAt never moves it" lets it count. A stamp with milliseconds is taken as is.

/** The latest instant a tick stamped `atMs` may stand for. */
export function latestInstantMs(atMs: number): number {
  return atMs % 1000 === 0 ? atMs + 999 : atMs;
}

/** Whether a tick stamped `atMs` is known to be earlier than `openedMs` (and so must not move that position). */
export function isBeforeOpen(atMs: number, openedMs: number): boolean {
  return latestInstantMs(atMs) < openedMs;
}
