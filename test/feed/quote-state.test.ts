import { describe, expect, it } from "vitest";
import { QuoteState, delaySeconds, isDelayedMode, tickTimeMs } from "../../src/feed/quote-state";

describe("QuoteState", () => {
  it("merges deltas per subscribed symbol; price events only when lp arrives", () => {
    const q = new QuoteState(["CME_MINI:MNQ1!"]);
    let ev = q.applyQsd([
      "qs_x",
      { n: "CME_MINI:MNQ1!", s: "ok", v: { lp: 25600.25, lp_time: 1760000000, bid: 25600, ask: 25600.5, update_mode: "streaming" } },
    ]);
    expect(ev).toEqual([
      { type: "status", symbol: "CME_MINI:MNQ1!", status: "ok", errmsg: null },
      { type: "update_mode", symbol: "CME_MINI:MNQ1!", updateMode: "streaming" },
      { type: "price", symbol: "CME_MINI:MNQ1!", price: 25600.25, lpTime: 1760000000, lpTimeInPacket: true, updateMode: "streaming" },
    ]);
    // delta without lp: fields merged, no price event
    ev = q.applyQsd(["qs_x", { n: "CME_MINI:MNQ1!", s: "ok", v: { bid: 25600.25, volume: 12 } }]);
    expect(ev).toEqual([]);
    const s = q.get("CME_MINI:MNQ1!")!;
    expect(s.lp).toBe(25600.25);
    expect(s.fields).toMatchObject({ bid: 25600.25, ask: 25600.5, volume: 12, lp_time: 1760000000 });
    // lp without lp_time keeps the merged lp_time
    ev = q.applyQsd(["qs_x", { n: "CME_MINI:MNQ1!", s: "ok", v: { lp: 25580.000000000004 } }]);
    expect(ev).toEqual([
      { type: "price", symbol: "CME_MINI:MNQ1!", price: 25580.000000000004, lpTime: 1760000000, lpTimeInPacket: false, updateMode: "streaming" },
    ]);
    // lp: null or garbage is not a price
    expect(q.applyQsd(["qs_x", { n: "CME_MINI:MNQ1!", s: "ok", v: { lp: null } }])).toEqual([]);
    expect(q.get("CME_MINI:MNQ1!")!.lp).toBe(25580.000000000004);
  });

  it("routes by the exact subscribed string and ignores others", () => {
    const ext = '={"symbol":"CME_MINI:NQ1!","session":"extended"}';
    const q = new QuoteState([ext]);
    expect(q.applyQsd(["qs_x", { n: "CME_MINI:NQ1!", s: "ok", v: { lp: 1 } }])).toEqual([]);
    expect(q.applyQsd(["qs_x", { n: ext, s: "ok", v: { lp: 2 } }])).toHaveLength(2);
    expect(q.applyQsd(["qs_x"])).toEqual([]);
    expect(q.applyQsd(["qs_x", "nonsense"])).toEqual([]);
  });

  it("reports symbol errors", () => {
    const q = new QuoteState(["NOPE:XYZ"]);
    expect(q.applyQsd(["qs_x", { n: "NOPE:XYZ", s: "error", errmsg: "no_such_symbol", v: {} }])).toEqual([
      { type: "status", symbol: "NOPE:XYZ", status: "error", errmsg: "no_such_symbol" },
    ]);
    expect(q.get("NOPE:XYZ")).toMatchObject({ status: "error", errmsg: "no_such_symbol", lp: null });
    expect(q.applyCompleted(["qs_x", "NOPE:XYZ"])).toEqual([{ type: "completed", symbol: "NOPE:XYZ" }]);
  });

  it("delayed modes and tick times", () => {
    expect(isDelayedMode("delayed_streaming_900")).toBe(true);
    expect(isDelayedMode("streaming")).toBe(false);
    expect(isDelayedMode(null)).toBe(false);
    expect(tickTimeMs(null, 5_000)).toBe(5_000);
    expect(tickTimeMs(1000, 1_000_400)).toBe(1_000_400); // same second: local ms precision
    expect(tickTimeMs(1000, 1_900_000)).toBe(1_000_000); // delayed: exchange time
  });

  it("delaySeconds parses N from a delayed update mode", () => {
    expect(delaySeconds("delayed_streaming_900")).toBe(900);
    expect(delaySeconds("delayed_streaming_600")).toBe(600);
    expect(delaySeconds("delayed_streaming_0")).toBe(0);
    expect(delaySeconds("delayed_900")).toBe(900);
    expect(delaySeconds("delayed_streaming")).toBeNull(); // delayed, but by how much is not said
    expect(delaySeconds("streaming")).toBeNull();
    expect(delaySeconds("endofday")).toBeNull();
    expect(delaySeconds("delayed_streaming_abc")).toBeNull();
    expect(delaySeconds("")).toBeNull();
    expect(delaySeconds(null)).toBeNull();
    expect(delaySeconds(undefined)).toBeNull();
  });

  it("market time: lp_time, the current-second rule, receipt time, delayed receipt time", () => {
    const now = 1_760_000_000_437;
    // lp_time in the current second: the local clock with its milliseconds
    expect(tickTimeMs(1_760_000_000, now)).toBe(now);
    expect(tickTimeMs(1_760_000_000, now, "delayed_streaming_900")).toBe(now);
    // lp_time of an earlier second: lp_time itself, whatever the mode
    expect(tickTimeMs(1_759_999_999, now)).toBe(1_759_999_999_000);
    expect(tickTimeMs(1_759_999_100, now, "delayed_streaming_900")).toBe(1_759_999_100_000);
    // lp_time ahead of our clock (skew): reported as the feed says
    expect(tickTimeMs(1_760_000_005, now)).toBe(1_760_000_005_000);
    // no lp_time: receipt time; in a delayed_streaming_N mode, receipt time − N s
    expect(tickTimeMs(null, now)).toBe(now);
    expect(tickTimeMs(null, now, "streaming")).toBe(now);
    expect(tickTimeMs(null, now, "delayed_streaming_900")).toBe(now - 900_000);
    expect(tickTimeMs(null, now, "delayed_streaming_60")).toBe(now - 60_000);
    expect(tickTimeMs(null, now, "delayed_streaming")).toBe(now); // N unknown
  });

  it("price events carry the mode in force, including one set in the same packet", () => {
    const q = new QuoteState(["X:Y1!"]);
    expect(q.applyQsd(["qs_x", { n: "X:Y1!", s: "ok", v: { lp: 5 } }])).toEqual([
      { type: "status", symbol: "X:Y1!", status: "ok", errmsg: null },
      { type: "price", symbol: "X:Y1!", price: 5, lpTime: null, lpTimeInPacket: false, updateMode: null },
    ]);
    expect(q.applyQsd(["qs_x", { n: "X:Y1!", v: { lp: 6, update_mode: "delayed_streaming_900" } }])).toEqual([
      { type: "update_mode", symbol: "X:Y1!", updateMode: "delayed_streaming_900" },
      { type: "price", symbol: "X:Y1!", price: 6, lpTime: null, lpTimeInPacket: false, updateMode: "delayed_streaming_900" },
    ]);
  });
});
