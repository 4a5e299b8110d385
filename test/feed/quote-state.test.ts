import { describe, expect, it } from "vitest";
import { QuoteState, isDelayedMode, tickTimeMs } from "../../src/feed/quote-state";

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
      { type: "price", symbol: "CME_MINI:MNQ1!", price: 25600.25, lpTime: 1760000000, lpTimeInPacket: true },
    ]);
    // delta without lp: fields merged, no price event
    ev = q.applyQsd(["qs_x", { n: "CME_MINI:MNQ1!", s: "ok", v: { bid: 25600.25, volume: 12 } }]);
    expect(ev).toEqual([]);
    const s = q.get("CME_MINI:MNQ1!")!;
    expect(s.lp).toBe(25600.25);
    expect(s.fields).toMatchObject({ bid: 25600.25, ask: 25600.5, volume: 12, lp_time: 1760000000 });
    // lp without lp_time keeps the merged lp_time
    ev = q.applyQsd(["qs_x", { n: "CME_MINI:MNQ1!", s: "ok", v: { lp: 25580.000000000004 } }]);
    expect(ev).toEqual([{ type: "price", symbol: "CME_MINI:MNQ1!", price: 25580.000000000004, lpTime: 1760000000, lpTimeInPacket: false }]);
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
});
