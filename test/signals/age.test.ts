// A signal's own time (`time` / `timestamp`) as epoch ms, and its age at receipt (CONTRACT "Exits and risk rules"
// maxSignalAgeSeconds). Unreadable times are "no time", never an error.
import { describe, expect, it } from "vitest";
import { EPOCH_SECONDS_BELOW, parseTimeMs, signalAgeSeconds } from "../../src/signals/age";
import { ok } from "./helpers";

const at = Date.UTC(2025, 0, 2, 14, 30);

describe("parseTimeMs: ISO-8601", () => {
  it.each([
    ["2025-01-02T14:30:00Z", at],
    ["2025-01-02t14:30:00z", at],
    ["2025-01-02T14:30Z", at],
    ["2025-01-02 14:30:00Z", at],
    ["2025-01-02T14:30:00", at], // no offset: UTC
    ["2025-01-02T14:30:00.5Z", at + 500],
    ["2025-01-02T14:30:00.123456Z", at + 123],
    ["2025-01-02T14:30:00,25Z", at + 250],
    ["2025-01-02T09:30:00-05:00", at],
    ["2025-01-02T20:00:00+0530", at],
    ["2025-01-02T16:30:00+02", at],
    ["2025-01-02T14:30:00+00:00", at],
    [" 2025-01-02T14:30:00Z ", at],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
  ])("%j", (text, ms) => {
    expect(parseTimeMs(text)).toBe(ms);
  });

  it.each([
    "",
    "yesterday",
    "2025-01-02",
    "2025-1-2T14:30:00Z",
    "2025-13-02T14:30:00Z",
    "2025-02-30T14:30:00Z",
    "2023-02-29T00:00:00Z",
    "2025-01-02T24:00:00Z",
    "2025-01-02T14:60:00Z",
    "2025-01-02T14:30:60Z",
    "2025-01-02T14:30:00+25:00",
    "2025-01-02T14:30:00 EST",
    "Thu, 02 Jan 2025 14:30:00 GMT",
    "1969-12-31T23:59:59Z",
    "0075-01-02T14:30:00Z",
    "{{timenow}}",
  ])("%j is not a time", (text) => {
    expect(parseTimeMs(text)).toBeUndefined();
  });
});

describe("parseTimeMs: epoch numbers", () => {
  it("below 1e11 is seconds, at or above milliseconds", () => {
    expect(EPOCH_SECONDS_BELOW).toBe(1e11);
    expect(parseTimeMs("1735828200")).toBe(at);
    expect(parseTimeMs("1735828200.5")).toBe(at + 500);
    expect(parseTimeMs("1735828200000")).toBe(at);
    expect(parseTimeMs("99999999999")).toBe(99_999_999_999_000);
    expect(parseTimeMs("100000000000")).toBe(100_000_000_000);
    expect(parseTimeMs("1.7358282e9")).toBe(at);
    expect(parseTimeMs(" +1735828200 ")).toBe(at);
  });
  it.each(["0", "-1735828200", "1e400", "9e15", "NaN", "Infinity", "0x10", "1,735,828,200"])("%j is not a time", (text) => {
    expect(parseTimeMs(text)).toBeUndefined();
  });
});

describe("signalAgeSeconds", () => {
  it("seconds from the signal's time to now", () => {
    expect(signalAgeSeconds({ timeMs: at }, at + 90_500)).toBe(90.5);
    expect(signalAgeSeconds({ timeMs: at }, at)).toBe(0);
  });
  it("negative when the sender's clock is ahead", () => {
    expect(signalAgeSeconds({ timeMs: at + 2_000 }, at)).toBe(-2);
  });
  it("null without a usable time", () => {
    expect(signalAgeSeconds({}, at)).toBeNull();
    expect(signalAgeSeconds({ timeMs: Number.NaN }, at)).toBeNull();
    expect(signalAgeSeconds({ timeMs: at }, Number.NaN)).toBeNull();
  });
  it("on what the parser produces", () => {
    expect(signalAgeSeconds(ok({ action: "buy", time: "2025-01-02T14:30:00Z" }), at + 5_000)).toBe(5);
    expect(signalAgeSeconds(ok({ action: "buy", timestamp: "1735828200" }), at + 61_000)).toBe(61);
    expect(signalAgeSeconds(ok({ action: "buy", time: "bar 42" }), at)).toBeNull();
    expect(signalAgeSeconds(ok({ action: "buy" }), at)).toBeNull();
  });
});
