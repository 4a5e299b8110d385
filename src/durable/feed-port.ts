// What the symbol Durable Object needs from a real-time price feed. The TradingView quote client (src/feed)
// implements it; keeping the seam this small lets the engine be driven by anything that produces prices.
import type { FeedView } from "./protocol";

export interface FeedPort {
  start(): void;
  stop(): void;
  /** Called from the alarm: reconnect if the socket died (a restart, a silent drop). */
  ensureConnected(): void;
  waitForPrice(ms: number): Promise<number | null>;
  status(): FeedView;
}

export function createFeed(_env: Env, _feedSymbol: string, _onPrice: (price: number, at: string) => void): FeedPort {
  // Replaced by the TradingView quote client when the feed lands.
  let state = "idle";
  return {
    start: () => void (state = "connecting"),
    stop: () => void (state = "stopped"),
    ensureConnected: () => {},
    waitForPrice: async () => null,
    status: () => ({ state, lastTickAt: null, lastPrice: null, updateMode: null, reconnects: 0 }),
  };
}
