// A symbol's feed in one word for a trader — live, delayed, stale or down (src/api/types.ts FeedHealthState) —
// from what its Durable Object reports (src/durable/protocol.ts FeedView) and the clock. Pure: the /status route
// adds it to every symbol, and the dashboard reads it, so "live" means the same thing everywhere.
//
// Why these rules:
// - A socket that is connected but silent still answers heartbeats, so `state` alone says "streaming" while the
//   last price freezes; only the time since the last tick was RECEIVED tells. The object reports the market time
//   of the last tick (lastTickAt) and receipt − market time at that tick (marketLagSeconds), so receipt =
//   lastTickAt + marketLagSeconds. (A delayed feed's market time is 15 minutes behind: comparing lastTickAt itself
//   with the clock would call every delayed feed stale.)
// - 30 s without a tick on a connected feed is "stale": index futures tick many times a second in their session,
//   and the object's own watchdog counts ~30 s without any frame as a dead socket.
// - Anything not connected is "down", whatever price it still shows.
import type { FeedHealth, FeedView } from "./types";

export const STALE_AFTER_SECONDS = 30;

const CONNECTED = new Set(["connected", "streaming"]);

/** "delayed_streaming_900" -> 900; null when the mode names no delay. */
export function modeDelaySeconds(mode: string | null): number | null {
  const m = mode ? /delayed[^0-9]*(\d+)/i.exec(mode) : null;
  return m ? Number(m[1]) : null;
}

export function feedHealth(feed: FeedView, nowMs: number): FeedHealth {
  const tickMs = feed.lastTickAt !== null ? Date.parse(feed.lastTickAt) : NaN;
  const receivedMs = Number.isFinite(tickMs) && feed.marketLagSeconds !== null ? tickMs + feed.marketLagSeconds * 1000 : NaN;
  const lastTickReceivedAt = Number.isFinite(receivedMs) ? new Date(receivedMs).toISOString() : null;
  const secondsSinceTick = Number.isFinite(receivedMs) ? Math.max(0, Math.round((nowMs - receivedMs) / 1000)) : null;
  const delaySeconds = feed.delayed ? (modeDelaySeconds(feed.updateMode) ?? roundLag(feed.marketLagSeconds)) : null;
  const base = { delaySeconds, lastTickReceivedAt, secondsSinceTick };
  if (!CONNECTED.has(feed.state)) {
    return { ...base, state: "down", reason: feed.error ?? `feed ${feed.state}` };
  }
  if (secondsSinceTick === null) return { ...base, state: "stale", reason: "no tick received since the feed connected" };
  if (secondsSinceTick >= STALE_AFTER_SECONDS) return { ...base, state: "stale", reason: `no tick for ${secondsSinceTick} s` };
  if (feed.delayed) return { ...base, state: "delayed", reason: feed.updateMode ? `update mode ${feed.updateMode}` : "delayed data" };
  return { ...base, state: "live", reason: null };
}

function roundLag(lag: number | null): number | null {
  return lag === null ? null : Math.max(0, Math.round(lag));
}
