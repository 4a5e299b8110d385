// Where the TradingView endpoints live. Both are configurable so local simulation and tests can point them at the
// fake server (test/fake-tv/server.mjs), which serves the quote socket and a fake home page on one port.

/** Optional variables this module reads (not in wrangler.toml's generated types). */
export interface TvEnv {
  TV_WS_URL?: string;
  /** The page a session cookie is exchanged at for an auth token. Default: see homeUrl(). */
  TV_HOME_URL?: string;
  TV_SESSION_KEY?: string;
}

export const DEFAULT_WS_URL = "https://data.tradingview.com/socket.io/websocket";
export const DEFAULT_HOME_URL = "https://www.tradingview.com/";

export function quoteUrl(env: TvEnv): string {
  return env.TV_WS_URL?.trim() || DEFAULT_WS_URL;
}

/**
 * TV_HOME_URL when set. Otherwise www.tradingview.com — unless TV_WS_URL points somewhere that is not
 * TradingView (a local simulator): then that server's origin, so cookies never go to tradingview.com while the
 * quotes come from elsewhere, and the whole login flow can be exercised offline.
 */
export function homeUrl(env: TvEnv): string {
  if (env.TV_HOME_URL?.trim()) return env.TV_HOME_URL.trim();
  try {
    const ws = new URL(quoteUrl(env).replace(/^ws(s?):\/\//i, "http$1://"));
    if (ws.hostname === "tradingview.com" || ws.hostname.endsWith(".tradingview.com")) return DEFAULT_HOME_URL;
    return `${ws.origin}/`;
  } catch {
    return DEFAULT_HOME_URL;
  }
}
