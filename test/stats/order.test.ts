import { describe, expect, it } from "vitest";
import { asEntryTrades } from "../../src/stats/entry-trades";
import { compareTradeIds, sortByClose } from "../../src/stats/order";
import type { EntryTrade } from "../../src/engine/types";
import { trade } from "./helpers";

describe("close order", () => {
  it("keeps one trade's entries in index order when they close at the same instant (2 before 10)", () => {
    const closedAt = "2026-03-02T10:00:00.000Z";
    const chunk = (i: number): EntryTrade =>
      ({ entryAt: "2026-03-02T09:00:00.000Z", exitAt: closedAt, quantity: 1, entryPrice: 100 + i, exitPrice: 110, grossPnl: 10, commission: 0, pnl: 10, runup: 10, drawdown: 0, exitReason: "signal" });
    const t = { ...trade({ id: "T1", closedAt }), entryTrades: Array.from({ length: 12 }, (_, i) => chunk(i)) };
    const ids = sortByClose(asEntryTrades([t])).map((x) => x.id);
    expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => `T1:${i}`));
  });

  it("orders other ids by code unit, locale independent", () => {
    expect(["b", "B", "a:2", "a:10", "a", "ab:1"].sort(compareTradeIds)).toEqual(["B", "a", "a:2", "a:10", "ab:1", "b"]);
  });
});
