// What the notifications section says about each kind of target and each event: the words on the form, and where
// a trader gets a Discord / Slack webhook URL or a Telegram bot token and chat id (as README "Notifications").
import type { NotificationEvent, NotificationKind } from "../api";

export interface KindInfo {
  label: string;
  /** Which secret fields the kind needs: a URL, or a bot token + chat id. */
  secret: "url" | "telegram";
  placeholder?: string;
  help: string;
}

export const KINDS: Record<NotificationKind, KindInfo> = {
  discord: {
    label: "Discord",
    secret: "url",
    placeholder: "https://discord.com/api/webhooks/…",
    help: "In Discord: channel settings → Integrations → Webhooks → New Webhook → Copy Webhook URL, and paste it here.",
  },
  slack: {
    label: "Slack",
    secret: "url",
    placeholder: "https://hooks.slack.com/services/…",
    help: "Create an app with Incoming Webhooks at api.slack.com/apps, add a webhook for the channel, and paste its URL here.",
  },
  telegram: {
    label: "Telegram",
    secret: "telegram",
    help: "Create a bot with @BotFather: it gives the bot token (123456:ABC…). Add the bot to your chat or channel; the chat id is -100… for a group or channel, or @channelname.",
  },
  webhook: {
    label: "Webhook (JSON)",
    secret: "url",
    placeholder: "https://example.com/hooks/trades",
    help: "Any https:// URL (plain http only to 127.0.0.1 / localhost). It receives a JSON POST with the event's fields, a one-line `text`, and an `id` to drop a repeat.",
  },
};

export const KIND_ORDER: NotificationKind[] = ["discord", "slack", "telegram", "webhook"];

/** Every event, in the API's order (src/notify/events.ts EVENT_KINDS), with its words and when it is sent. */
export const EVENTS = [
  ["opened", "Opened", "A position opened: side, quantity, price, TP/SL"],
  ["closed", "Closed", "A round trip closed: net P&L, commission, MAE and MFE, exit reason"],
  ["rejected", "Rejected", "A signal was refused (at most 5 a minute)"],
  ["feed_down", "Feed down", "The price feed gave no live prices for a minute while a position was open"],
  ["feed_up", "Feed up", "The price feed came back"],
  ["daily_summary", "Daily summary", "End of the trading day: net P&L, trades, win rate (not sent for a day without trades)"],
] as const satisfies readonly (readonly [NotificationEvent, string, string])[];

// Compiles only while EVENTS lists every event the API knows (src/api/types.ts NotificationEvent): a new event
// would otherwise be missing from the form without anyone noticing.
type Unlisted = Exclude<NotificationEvent, (typeof EVENTS)[number][0]>;
export const EVERY_EVENT_LISTED: [Unlisted] extends [never] ? true : never = true;
