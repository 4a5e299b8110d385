// Notification formatting and the plain parts of notify/: message text per target kind, the request each kind
// gets, the masked form of a destination, which outbox entries are events, and the trading day a summary covers.
import { describe, expect, it } from "vitest";
import type { Position, Trade } from "../../src/engine/types";
import { maskDestination, urlProblem } from "../../src/notify/destination";
import { eventOf, type NotifyEvent } from "../../src/notify/events";
import { lastEndedDay, summaryEvent } from "../../src/notify/daily-summary";
import { buildRequest, renderText } from "../../src/notify/format";

const ctx = { recorderName: "MNQ <!channel> @everyone & co" };

const closed: NotifyEvent = {
  kind: "closed",
  key: "closed:t1",
  recorderId: "r1",
  at: "2026-12-02T15:00:00.000Z",
  tradeId: "t1",
  positionId: "p1",
  symbol: "MNQ",
  side: "short",
  quantity: 3,
  entryPrice: 25600.25,
  exitPrice: 25610,
  pnl: -60.72,
  commission: 2.22,
  mae: -75.5,
  mfe: 12,
  exitReason: "stop_loss",
  openedAt: "2026-12-02T14:00:00.000Z",
};

describe("text", () => {
  it("a close: side, size, prices, signed P&L, commission, MAE/MFE and the exit reason", () => {
    expect(renderText(closed, { recorderName: "bot" })).toBe(
      "🔻 Closed SHORT 3 MNQ 25600.25 → 25610: P&L −$60.72 (commission $2.22) · MAE −$75.50 · MFE +$12.00 · exit: stop_loss — bot",
    );
  });

  it("an open with its levels, and without", () => {
    const opened: NotifyEvent = { kind: "opened", key: "opened:p", recorderId: "r", at: "x", positionId: "p", symbol: "ZN", side: "long", quantity: 1, price: 110.015625, takeProfitPrice: 111, stopLossPrice: null };
    expect(renderText(opened, { recorderName: "b" })).toBe("🟢 Opened LONG 1 ZN @ 110.015625 (TP 111) — b");
    expect(renderText({ ...opened, takeProfitPrice: null }, { recorderName: "b" })).toBe("🟢 Opened LONG 1 ZN @ 110.015625 — b");
  });

  it("a daily summary with and without a win rate", () => {
    const e = summaryEvent("r", { startMs: Date.parse("2026-12-01T23:00:00Z"), endMs: Date.parse("2026-12-02T23:00:00Z") }, { netPnl: 120.504, trades: 4, winners: 3, losers: 1 }, 0);
    expect(e).toMatchObject({ netPnl: 120.5, winRate: 75, key: "daily_summary:r:2026-12-01T23:00:00.000Z" });
    expect(renderText(e, { recorderName: "b" })).toBe("📊 Daily summary, trading day 2026-12-01 → 2026-12-02: net P&L +$120.50, 4 trade(s), 3 win / 1 loss, win rate 75.0% — b");
  });
});

describe("requests per kind", () => {
  it("discord: {content} that can ping nobody", () => {
    const r = buildRequest({ kind: "discord", url: "https://discord.com/api/webhooks/1/abc" }, closed, ctx);
    expect(r.url).toBe("https://discord.com/api/webhooks/1/abc");
    const body = JSON.parse(r.body);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toContain("@everyone"); // shown, but allowed_mentions stops the ping
  });

  it("slack: {text} with its control characters escaped", () => {
    const body = JSON.parse(buildRequest({ kind: "slack", url: "https://hooks.slack.com/services/x" }, closed, ctx).body);
    expect(Object.keys(body)).toEqual(["text"]);
    expect(body.text).toContain("&lt;!channel&gt;");
    expect(body.text).toContain("&amp; co");
    expect(body.text).not.toContain("<!channel>");
  });

  it("telegram: the Bot API's sendMessage, plain text", () => {
    const r = buildRequest({ kind: "telegram", botToken: "123:abc", chatId: "-100200" }, closed, ctx);
    expect(r.url).toBe("https://api.telegram.org/bot123:abc/sendMessage");
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ chat_id: "-100200", disable_web_page_preview: true });
    expect(body.parse_mode).toBeUndefined();
    expect(body.text).toContain("P&L −$60.72");
  });

  it("webhook: the event as JSON with its id, the recorder's name and the text", () => {
    const body = JSON.parse(buildRequest({ kind: "webhook", url: "https://example.com/h" }, closed, ctx).body);
    expect(body).toMatchObject({ source: "edge-trade-recorder", version: 1, id: "closed:t1", kind: "closed", pnl: -60.72, mae: -75.5, mfe: 12, recorderName: ctx.recorderName });
    expect(body.key).toBeUndefined();
    expect(typeof body.text).toBe("string");
  });

  it("a long message is cut to the app's limit", () => {
    const long: NotifyEvent = { kind: "rejected", key: "k", recorderId: "r", at: "x", signalId: "s", symbol: null, code: "c", message: "m".repeat(300) };
    const name = { recorderName: "n".repeat(5000) };
    expect(JSON.parse(buildRequest({ kind: "discord", url: "https://discord.com/x" }, long, name).body).content.length).toBe(2000);
    expect(JSON.parse(buildRequest({ kind: "telegram", botToken: "1:a", chatId: "1" }, long, name).body).text.length).toBe(4096);
  });
});

describe("destinations", () => {
  it("https only, http only on this machine, and Discord/Slack on their own hosts", () => {
    expect(urlProblem("https://example.com/hook", "webhook")).toBeNull();
    expect(urlProblem("http://127.0.0.1:8080/x", "webhook")).toBeNull();
    expect(urlProblem("http://localhost/x", "slack")).toBeNull();
    expect(urlProblem("http://example.com/x", "webhook")).toMatch(/https/);
    expect(urlProblem("ftp://example.com/x", "webhook")).toMatch(/https/);
    expect(urlProblem("https://discord.com/api/webhooks/1/a", "discord")).toBeNull();
    expect(urlProblem("https://ptb.discord.com/api/webhooks/1/a", "discord")).toBeNull();
    expect(urlProblem("https://discord.com.evil.example/api/webhooks/1/a", "discord")).toMatch(/not a discord/);
    expect(urlProblem("https://hooks.slack.com/services/T/B/x", "slack")).toBeNull();
    expect(urlProblem("https://example.com/services/T/B/x", "slack")).toMatch(/not a slack/);
    expect(urlProblem("https://a:b@example.com/x", "webhook")).toMatch(/user name/);
  });

  it("masked: host, first path segment, last 4 characters", () => {
    expect(maskDestination({ kind: "discord", url: "https://discord.com/api/webhooks/123456/abcdefWXYZ" })).toBe("discord.com/api/…WXYZ");
    expect(maskDestination({ kind: "slack", url: "https://hooks.slack.com/services/T0/B0/secret1234/" })).toBe("hooks.slack.com/services/…1234");
    expect(maskDestination({ kind: "telegram", botToken: "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA9876", chatId: "@mychannel" })).toBe("telegram bot …9876 → chat @mychannel");
  });
});

describe("events from delivered outbox entries", () => {
  const position = (over: Partial<Position>): Position =>
    ({
      id: "p1",
      recorderId: "r1",
      symbol: "MNQ",
      feedSymbol: "CME_MINI:MNQ1!",
      side: "long",
      status: "open",
      quantity: 2,
      openedAt: "2026-12-02T14:00:00.000Z",
      takeProfitPrice: null,
      stopLossPrice: 25500,
      fills: [{ at: "2026-12-02T14:00:00.000Z", side: "buy", quantity: 2, price: 25600, reason: "open" }],
      ...over,
    }) as Position;

  it("a position's opening version is 'opened'; later versions are not", () => {
    expect(eventOf({ t: "position", position: position({}) })).toMatchObject({ kind: "opened", key: "opened:p1", quantity: 2, price: 25600, stopLossPrice: 25500 });
    const added = position({ fills: [...position({}).fills, { at: "x", side: "buy", quantity: 1, price: 25610, reason: "add" }] });
    expect(eventOf({ t: "position", position: added })).toBeNull();
    expect(eventOf({ t: "position", position: position({ status: "closed" }) })).toBeNull();
  });

  it("a trade is 'closed' with its P&L and excursions", () => {
    const trade = { id: "t1", positionId: "p1", recorderId: "r1", symbol: "MNQ", side: "long", quantity: 2, entryPrice: 1, exitPrice: 2, grossPnl: 4, commission: 1, pnl: 3, maxFavorable: 5, maxAdverse: -2, openedAt: "a", closedAt: "b", exitReason: "take_profit" } as Trade;
    expect(eventOf({ t: "trade", trade })).toMatchObject({ kind: "closed", key: "closed:t1", pnl: 3, mae: -2, mfe: 5, exitReason: "take_profit", at: "b" });
  });

  it("a rejected signal-log row is 'rejected'; applied, duplicate and scheduled rows are not", () => {
    const row = { id: "s1", recorderId: "r1", receivedAt: "t", status: "rejected" as const, result: null, error: { code: "no_price", message: "x".repeat(1000) }, body: { secret: "never" }, symbol: "MNQ", positionId: null };
    const e = eventOf({ t: "signal", row });
    expect(e).toMatchObject({ kind: "rejected", key: "rejected:s1", code: "no_price" });
    expect((e as { message: string }).message.length).toBeLessThanOrEqual(301);
    expect(JSON.stringify(e)).not.toContain("never"); // the alert body is not part of the event
    for (const status of ["applied", "duplicate", "scheduled"] as const) expect(eventOf({ t: "signal", row: { ...row, status } })).toBeNull();
    expect(eventOf({ t: "symbol", feedSymbol: "X", root: "X", at: "t" })).toBeNull();
  });
});

describe("the trading day a summary covers", () => {
  it("the day that ended last, in the recorder's zone and day start", () => {
    // 18:30 in New York on Dec 2: the day Dec 1 18:00 → Dec 2 18:00 (EST, UTC−5) just ended.
    expect(lastEndedDay(Date.parse("2026-12-02T23:30:00Z"), "America/New_York", "18:00")).toEqual({ startMs: Date.parse("2026-12-01T23:00:00Z"), endMs: Date.parse("2026-12-02T23:00:00Z") });
    // 17:59: that day has not ended yet; the one before has.
    expect(lastEndedDay(Date.parse("2026-12-02T22:59:00Z"), "America/New_York", "18:00")).toEqual({ startMs: Date.parse("2026-11-30T23:00:00Z"), endMs: Date.parse("2026-12-01T23:00:00Z") });
    expect(lastEndedDay(Date.parse("2026-12-02T00:01:00Z"), "UTC", "00:00")).toEqual({ startMs: Date.parse("2026-12-01T00:00:00Z"), endMs: Date.parse("2026-12-02T00:00:00Z") });
  });
});
