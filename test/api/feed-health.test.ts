// src/api/feed-health.ts: live / delayed / stale / down from a symbol's feed view and the clock (issue #12: a dead
// feed must not read "live", a connected but silent one is "stale", delayed data says how far behind).
import { describe, expect, it } from "vitest";
import { feedHealth, modeDelaySeconds, STALE_AFTER_SECONDS } from "../../src/api/feed-health";
import type { FeedView } from "../../src/api/types";

const NOW = Date.parse("2026-03-02T15:00:00.000Z");
const at = (msAgo: number) => new Date(NOW - msAgo).toISOString();
const view = (over: Partial<FeedView>): FeedView => ({
  state: "streaming",
  lastTickAt: at(1000),
  lastPrice: 25600,
  updateMode: "streaming",
  reconnects: 0,
  delayed: false,
  marketLagSeconds: 0,
  error: null,
  ...over,
});

describe("feedHealth", () => {
  it("live: connected, real-time, a tick just now", () => {
    const h = feedHealth(view({}), NOW);
    expect(h).toMatchObject({ state: "live", delaySeconds: null, secondsSinceTick: 1, reason: null, lastTickReceivedAt: at(1000) });
  });

  it("delayed: ticks arrive now, stamped 15 minutes back; the delay comes from the update mode", () => {
    // market time 900 s behind, received 2 s ago
    const h = feedHealth(view({ updateMode: "delayed_streaming_900", delayed: true, lastTickAt: at(902_000), marketLagSeconds: 900 }), NOW);
    expect(h).toMatchObject({ state: "delayed", delaySeconds: 900, secondsSinceTick: 2, lastTickReceivedAt: at(2000) });
  });

  it("stale: connected but nothing received for 30 s (also on a delayed feed, judged by receipt, not market time)", () => {
    expect(feedHealth(view({ lastTickAt: at(STALE_AFTER_SECONDS * 1000) }), NOW)).toMatchObject({ state: "stale", secondsSinceTick: 30, reason: "no tick for 30 s" });
    expect(feedHealth(view({ lastTickAt: at(29_000) }), NOW).state).toBe("live");
    const delayedSilent = view({ updateMode: "delayed_streaming_900", delayed: true, lastTickAt: at(945_000), marketLagSeconds: 900 });
    expect(feedHealth(delayedSilent, NOW)).toMatchObject({ state: "stale", secondsSinceTick: 45, delaySeconds: 900 });
  });

  it("stale when connected and no tick was received since the object started (receipt unknown)", () => {
    expect(feedHealth(view({ marketLagSeconds: null }), NOW)).toMatchObject({ state: "stale", secondsSinceTick: null, lastTickReceivedAt: null });
    expect(feedHealth(view({ lastTickAt: null, marketLagSeconds: null, lastPrice: null }), NOW).state).toBe("stale");
  });

  it("down: anything not connected, whatever price it still shows, with the feed's error as the reason", () => {
    for (const state of ["idle", "connecting", "backoff", "refused", "stopped"]) {
      expect(feedHealth(view({ state }), NOW).state).toBe("down");
    }
    expect(feedHealth(view({ state: "refused", error: "bad auth token" }), NOW).reason).toBe("bad auth token");
    expect(feedHealth(view({ state: "backoff" }), NOW).reason).toBe("feed backoff");
  });

  it("reads the delay of a delayed update mode", () => {
    expect(modeDelaySeconds("delayed_streaming_900")).toBe(900);
    expect(modeDelaySeconds("streaming")).toBeNull();
    expect(modeDelaySeconds(null)).toBeNull();
    // delayed without a number in the mode: the measured lag, rounded
    expect(feedHealth(view({ updateMode: "delayed", delayed: true, marketLagSeconds: 599.6, lastTickAt: at(600_600) }), NOW).delaySeconds).toBe(600);
  });
});
