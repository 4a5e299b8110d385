// What the symbol Durable Object needs from a real-time price feed, and its TradingView implementation: the
// quote client (src/feed/quote-client.ts) with the auth token from the stored login (src/tradingview/session.ts).
// Keeping the seam this small lets the engine be driven by anything that produces prices.
import { QuoteFeed, type FeedStatus, type LivePrice } from "../feed/quote-client";
import { quoteUrl, type TvEnv } from "../tradingview/config";
import { getAuthToken, reportTokenRefused } from "../tradingview/session";
import type { FeedView } from "./protocol";

export interface FeedPort {
  start(): void;
  stop(): void;
  /** New credentials: drop the connection and connect afresh (also after a refusal). */
  restart(): void;
  /** Called from the alarm: reconnect if the socket died (a restart, a silent drop). */
  ensureConnected(): void;
  /** The last price while the feed is live (connected, heartbeats answered, a price since it connected). */
  livePrice(): LivePrice | null;
  /** A live price now, else the next one within `ms` (never one from before a reconnect); null on timeout. */
  waitForLivePrice(ms: number): Promise<LivePrice | null>;
  status(): FeedView;
}

export type { LivePrice };

export interface FeedHooks {
  /** A new price at its market time (ISO). */
  onPrice: (price: number, at: string) => void;
  /** State, update_mode, reconnects or error changed (not called per price). */
  onState?: (view: FeedView) => void;
}

/** Timing and endpoint overrides (tests shorten them through runInDurableObject; production uses defaults). */
export interface FeedTuning {
  url?: string;
  watchdogMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  stableResetMs?: number;
  connectTimeoutMs?: number;
}

export function toView(s: FeedStatus): FeedView {
  return {
    state: s.state,
    lastTickAt: s.lastTickAt,
    lastPrice: s.lastPrice,
    updateMode: s.updateMode,
    reconnects: s.reconnects,
    delayed: s.delayed,
    marketLagSeconds: s.marketLagMs === null ? null : Math.round(s.marketLagMs / 100) / 10,
    error: s.error,
  };
}

export function createFeed(env: Env, feedSymbol: string, hooks: FeedHooks, tuning: FeedTuning = {}): FeedPort {
  const tvEnv: TvEnv & { DB: D1Database } = env;
  /** The token presented on the current connection: needed to report exactly that one as refused. */
  let lastToken: string | null = null;
  let reported: string | null = null;
  const feed = new QuoteFeed({
    url: tuning.url ?? quoteUrl(tvEnv),
    symbol: feedSymbol,
    getAuthToken: async () => (lastToken = await getAuthToken(tvEnv)),
    onPrice: (price, at) => hooks.onPrice(price, at),
    onState: (s) => {
      // An upgrade refused with 401/403 happens before any token is sent: only a refusal over the socket is the
      // token's fault.
      const tokenRefused = s.state === "refused" && !(s.error ?? "").startsWith("upgrade refused");
      if (tokenRefused && lastToken !== null && reported !== lastToken) {
        reported = lastToken;
        // Secrets stay out of logs: the reason is the server's text ("bad auth token"), never the token.
        console.warn(`[feed ${feedSymbol}] refused: ${s.error ?? "unknown reason"}`);
        void reportTokenRefused(tvEnv, lastToken, s.error ?? "refused").catch((e) => console.warn(`[feed ${feedSymbol}] could not record the refusal: ${String(e)}`));
      }
      hooks.onState?.(toView(s));
    },
    ...definedOnly(tuning),
  });
  return {
    start: () => feed.start(),
    stop: () => feed.stop(),
    restart: () => {
      reported = null;
      feed.restart();
    },
    ensureConnected: () => feed.ensureConnected(),
    livePrice: () => feed.livePrice(),
    waitForLivePrice: (ms) => feed.waitForLivePrice(ms),
    status: () => toView(feed.status()),
  };
}

function definedOnly(t: FeedTuning): Omit<FeedTuning, "url"> {
  const { url: _url, ...rest } = t;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => typeof v === "number" && v >= 0)) as Omit<FeedTuning, "url">;
}
