// How an event looks at each kind of target: one line of text for chat apps (Discord, Slack, Telegram), the event
// itself as JSON for a plain webhook. Pure functions (unit-tested in test/notify/format.test.ts).
//
// Safety: text that comes from outside (a recorder's name, a refusal message quoting the alert) can never ping
// anyone or inject markup: Discord gets `allowed_mentions: {parse: []}`, Slack's control characters (& < >) are
// escaped, Telegram gets plain text (no parse_mode). Every message is cut to the target's own limit.
import type { EventContext, NotifyEvent } from "./events";
import type { Destination } from "./destination";

export interface OutgoingRequest {
  url: string;
  body: string;
}

const LIMITS = { discord: 2000, slack: 3000, telegram: 4096 } as const;

function money(v: number): string {
  const sign = v > 0 ? "+" : v < 0 ? "−" : "";
  return `${sign}$${Math.abs(v).toFixed(2)}`;
}

function num(v: number): string {
  // Prices as the record keeps them (already on the tick); no float noise such as 0.30000000000000004.
  return String(Number(v.toPrecision(12)));
}

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** One line (or a few) describing the event, the same for every chat app. */
export function renderText(e: NotifyEvent, ctx: EventContext): string {
  const who = `— ${ctx.recorderName}`;
  switch (e.kind) {
    case "opened": {
      const levels = [e.takeProfitPrice !== null ? `TP ${num(e.takeProfitPrice)}` : null, e.stopLossPrice !== null ? `SL ${num(e.stopLossPrice)}` : null].filter(Boolean);
      return `🟢 Opened ${e.side.toUpperCase()} ${num(e.quantity)} ${e.symbol} @ ${num(e.price)}${levels.length ? ` (${levels.join(", ")})` : ""} ${who}`;
    }
    case "closed":
      return (
        `${e.pnl >= 0 ? "✅" : "🔻"} Closed ${e.side.toUpperCase()} ${num(e.quantity)} ${e.symbol} ${num(e.entryPrice)} → ${num(e.exitPrice)}: ` +
        `P&L ${money(e.pnl)} (commission ${money(e.commission).replace("+", "")}) · MAE ${money(e.mae)} · MFE ${money(e.mfe)} · exit: ${e.exitReason} ${who}`
      );
    case "rejected":
      return `⚠️ Signal rejected${e.symbol ? ` for ${e.symbol}` : ""} (${e.code}): ${e.message}${e.suppressedBefore ? ` (and ${e.suppressedBefore} earlier refusal(s) not notified)` : ""} ${who}`;
    case "feed_down":
      return `📡 Price feed DOWN for ${e.feedSymbol} with a position open: ${e.detail} ${who}`;
    case "feed_up":
      return `📡 Price feed back UP for ${e.feedSymbol}: ${e.detail} ${who}`;
    case "daily_summary":
      return (
        `📊 Daily summary, trading day ${day(e.dayStart)} → ${day(e.dayEnd)}: net P&L ${money(e.netPnl)}, ${e.trades} trade(s), ` +
        `${e.winners} win / ${e.losers} loss${e.winRate !== null ? `, win rate ${e.winRate.toFixed(1)}%` : ""} ${who}`
      );
    case "test":
      return `🔔 Test notification from the trade recorder ${who}: this target works.`;
  }
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The plain-webhook body: the event as JSON, with the recorder's name and a version to switch on. */
export function webhookPayload(e: NotifyEvent, ctx: EventContext): Record<string, unknown> {
  const { key, ...rest } = e;
  return { source: "edge-trade-recorder", version: 1, id: key, recorderName: ctx.recorderName, ...rest, text: renderText(e, ctx) };
}

/** The HTTP request that delivers `e` to a destination (always a JSON POST). */
export function buildRequest(dest: Destination, e: NotifyEvent, ctx: EventContext): OutgoingRequest {
  const text = renderText(e, ctx);
  switch (dest.kind) {
    case "discord":
      return { url: dest.url, body: JSON.stringify({ content: cut(text, LIMITS.discord), allowed_mentions: { parse: [] } }) };
    case "slack":
      return { url: dest.url, body: JSON.stringify({ text: cut(slackEscape(text), LIMITS.slack) }) };
    case "telegram":
      return {
        url: `https://api.telegram.org/bot${dest.botToken}/sendMessage`,
        body: JSON.stringify({ chat_id: dest.chatId, text: cut(text, LIMITS.telegram), disable_web_page_preview: true }),
      };
    case "webhook":
      return { url: dest.url, body: JSON.stringify(webhookPayload(e, ctx)) };
  }
}
