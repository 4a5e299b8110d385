// D1 schema (drizzle-orm). D1 holds what is queried across symbols: recorders, the positions/fills/trades the
// symbol Durable Objects deliver through their outboxes, the signal log and the symbol registry. Live values of
// open positions are NOT here: they change every tick and are read from the symbol's Durable Object.
// Migrations are generated from this file: `npm run db:generate` (drizzle-kit) -> migrations/NNNN_*.sql.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { BreakEvenSpec, EntryTrade, SessionSpec, TakeProfitLeg, TrailingStopSpec } from "../engine/types";

export const recorders = sqliteTable(
  "recorders",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    /** Default ticker for signals that carry none. */
    symbol: text("symbol"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    initialQuantity: real("initial_quantity").notNull().default(1),
    addQuantity: real("add_quantity").notNull().default(1),
    allowAdd: integer("allow_add", { mode: "boolean" }).notNull().default(true),
    reverseOnOpposite: integer("reverse_on_opposite", { mode: "boolean" }).notNull().default(true),
    takeProfitTicks: real("take_profit_ticks"),
    stopLossTicks: real("stop_loss_ticks"),
    commissionPerContract: real("commission_per_contract").notNull().default(0),
    tickSize: real("tick_size"),
    tickValue: real("tick_value"),
    dedupeWindowSeconds: integer("dedupe_window_seconds").notNull().default(10),
    /** Smallest quantity increment a signal may use (1 = whole contracts; 0.001 allows fractions). */
    quantityStep: real("quantity_step").notNull().default(1),
    /** Signals a minute this recorder may send (accepted and rejected alike) before 429 rate_limited. */
    maxSignalsPerMinute: integer("max_signals_per_minute").notNull().default(60),
    /** Signal-log rows older than this many days are dropped. */
    signalLogRetentionDays: integer("signal_log_retention_days").notNull().default(90),
    /** "align" (default): with a delayed feed, signals are applied when the feed's market time reaches them. */
    delayedFeed: text("delayed_feed", { enum: ["align", "immediate"] }).notNull().default("align"),
    // --- Exits and risk rules (CONTRACT second round). JSON columns hold the setting as the API shows it. ---
    takeProfitLegs: text("take_profit_legs", { mode: "json" }).$type<TakeProfitLeg[] | null>(),
    trailingStop: text("trailing_stop", { mode: "json" }).$type<TrailingStopSpec | null>(),
    breakEven: text("break_even", { mode: "json" }).$type<BreakEvenSpec | null>(),
    directionFilter: text("direction_filter", { enum: ["both", "long", "short"] }).notNull().default("both"),
    maxContracts: real("max_contracts"),
    cooldownSeconds: integer("cooldown_seconds").notNull().default(0),
    /** Signals whose `time` is older than this at receipt are refused 422 stale_signal (null: no check). */
    maxSignalAgeSeconds: integer("max_signal_age_seconds"),
    slippageTicks: real("slippage_ticks").notNull().default(0),
    timezone: text("timezone").notNull().default("America/New_York"),
    sessions: text("sessions", { mode: "json" }).$type<SessionSpec[]>().notNull().default(sql`'[]'`),
    flattenAtSessionEnd: integer("flatten_at_session_end", { mode: "boolean" }).notNull().default(false),
    tradingDayStart: text("trading_day_start").notNull().default("18:00"),
    dailyLossLimit: real("daily_loss_limit"),
    dailyProfitTarget: real("daily_profit_target"),
    flattenOnDailyLimit: integer("flatten_on_daily_limit", { mode: "boolean" }).notNull().default(false),
    initialCapital: real("initial_capital"),
    /** CONTRACT "More than one recorder per alert": records every signal that reaches this recorder's webhook. */
    followsRecorderId: text("follows_recorder_id"),
    /** SHA-256 (hex) of the webhook token; the token itself is never stored. */
    tokenHash: text("token_hash").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    /** Bumped by every change of what a webhook's lookup returns for this recorder (its settings, token,
     * enabled, its followers, its notification targets): an isolate's cached lookup is honoured only at the epoch
     * the recorder's gate knows (src/webhook/lookup-cache.ts). Never shown by the API. */
    configEpoch: integer("config_epoch").notNull().default(0),
  },
  (t) => [uniqueIndex("recorders_token_hash").on(t.tokenHash), index("recorders_follows").on(t.followsRecorderId)],
);

export const positions = sqliteTable(
  "positions",
  {
    id: text("id").primaryKey(),
    recorderId: text("recorder_id").notNull(),
    symbol: text("symbol").notNull(),
    feedSymbol: text("feed_symbol").notNull(),
    status: text("status", { enum: ["open", "closed"] }).notNull(),
    openedAt: text("opened_at").notNull(),
    closedAt: text("closed_at"),
    /** The whole contract Position as JSON, as of its last signal/fill/exit. */
    data: text("data", { mode: "json" }).notNull(),
    version: integer("version").notNull().default(0),
  },
  (t) => [
    index("positions_status_symbol").on(t.status, t.feedSymbol),
    index("positions_recorder").on(t.recorderId, t.status),
  ],
);

export const fills = sqliteTable(
  "fills",
  {
    /** `${positionId}:${index}`: stable, so a re-delivered outbox entry is a no-op. */
    id: text("id").primaryKey(),
    positionId: text("position_id").notNull(),
    recorderId: text("recorder_id").notNull(),
    symbol: text("symbol").notNull(),
    at: text("at").notNull(),
    side: text("side", { enum: ["buy", "sell"] }).notNull(),
    quantity: real("quantity").notNull(),
    price: real("price").notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [index("fills_position").on(t.positionId)],
);

export const trades = sqliteTable(
  "trades",
  {
    id: text("id").primaryKey(),
    positionId: text("position_id").notNull(),
    recorderId: text("recorder_id").notNull(),
    symbol: text("symbol").notNull(),
    side: text("side", { enum: ["long", "short"] }).notNull(),
    quantity: real("quantity").notNull(),
    entryPrice: real("entry_price").notNull(),
    exitPrice: real("exit_price").notNull(),
    grossPnl: real("gross_pnl").notNull(),
    commission: real("commission").notNull(),
    pnl: real("pnl").notNull(),
    maxFavorable: real("max_favorable").notNull(),
    maxAdverse: real("max_adverse").notNull(),
    openedAt: text("opened_at").notNull(),
    closedAt: text("closed_at").notNull(),
    exitReason: text("exit_reason").notNull(),
    /**
     * The same position as the Strategy Tester lists it (CONTRACT `?pairing=entries`): one element per entry fill,
     * exits matched first-in-first-out, a partial exit splitting the entry it closes, each with its own run-up and
     * drawdown. Null on trades recorded before it existed (read as one entry: the round trip itself).
     */
    entryTrades: text("entry_trades", { mode: "json" }).$type<EntryTrade[] | null>(),
  },
  (t) => [
    uniqueIndex("trades_position").on(t.positionId),
    index("trades_recorder_closed").on(t.recorderId, t.closedAt),
    index("trades_closed").on(t.closedAt),
  ],
);

export const signals = sqliteTable(
  "signals",
  {
    id: text("id").primaryKey(),
    recorderId: text("recorder_id").notNull(),
    receivedAt: text("received_at").notNull(),
    status: text("status", { enum: ["applied", "duplicate", "rejected", "scheduled"] }).notNull(),
    result: text("result"),
    /** Why an applied signal was ignored (`add_not_allowed`, `no_open_position`, …). */
    reason: text("reason"),
    /** `{code, message, details?}` for a rejection. */
    error: text("error", { mode: "json" }),
    /** The parsed body (or the raw text when it was not JSON), at most its first 8 KiB (see bodyTruncated). */
    body: text("body", { mode: "json" }),
    /** The body was longer than 8 KiB: `body` holds the first 8 KiB of its text. */
    bodyTruncated: integer("body_truncated", { mode: "boolean" }).notNull().default(false),
    /** A scheduled signal (delayed feed, `delayedFeed: "align"`): the market time it applies at. */
    appliesAt: text("applies_at"),
    symbol: text("symbol"),
    positionId: text("position_id"),
  },
  (t) => [index("signals_recorder_received").on(t.recorderId, t.receivedAt), index("signals_received").on(t.receivedAt)],
);

/** Every feed symbol that ever received a signal: how /status finds the symbol Durable Objects. */
export const symbols = sqliteTable("symbols", {
  feedSymbol: text("feed_symbol").primaryKey(),
  root: text("root").notNull(),
  firstSeenAt: text("first_seen_at").notNull(),
});

/** Small operator settings, e.g. the encrypted TradingView session (`tv_session`). */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: text("updated_at").notNull(),
});

/**
 * A recorder's imported TradingView "List of trades" (CONTRACT "Backtest beside live"): one row per Strategy Tester
 * trade (TradingView numbers one trade per entry). An import replaces the previous one in one batch.
 */
export const backtestTrades = sqliteTable(
  "backtest_trades",
  {
    recorderId: text("recorder_id").notNull(),
    /** TradingView's `Trade #`. */
    tradeNo: integer("trade_no").notNull(),
    side: text("side", { enum: ["long", "short"] }).notNull(),
    entryAt: text("entry_at").notNull(),
    entryPrice: real("entry_price").notNull(),
    entrySignal: text("entry_signal"),
    /** Null while the trade is open in the backtest (exit row Date/Time "Open"). */
    exitAt: text("exit_at"),
    exitPrice: real("exit_price"),
    exitSignal: text("exit_signal"),
    quantity: real("quantity").notNull(),
    pnl: real("pnl"),
    runup: real("runup"),
    drawdown: real("drawdown"),
  },
  (t) => [primaryKey({ columns: [t.recorderId, t.tradeNo] })],
);

/** One row per recorder with an import: when, how many trades, the CSV's currency and layout. */
export const backtestImports = sqliteTable("backtest_imports", {
  recorderId: text("recorder_id").primaryKey(),
  importedAt: text("imported_at").notNull(),
  trades: integer("trades").notNull(),
  currency: text("currency").notNull(),
  layout: text("layout", { enum: ["new", "old"] }).notNull(),
});

/**
 * Notification targets (src/notify/): where a recorder's events go. The destination (a Discord/Slack/webhook URL,
 * or a Telegram bot token + chat id) is sealed in `secretEnc` with TV_SESSION_KEY (purpose "notify_target") and
 * never returned: the API shows `shown`, a masked form computed when the target is saved.
 */
export const notificationTargets = sqliteTable(
  "notification_targets",
  {
    id: text("id").primaryKey(),
    recorderId: text("recorder_id").notNull(),
    kind: text("kind", { enum: ["discord", "slack", "telegram", "webhook"] }).notNull(),
    /** A name the user gave it (optional). */
    label: text("label"),
    secretEnc: text("secret_enc").notNull(),
    shown: text("shown").notNull(),
    /** The events it wants: opened | closed | rejected | feed_down | feed_up | daily_summary. */
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("notification_targets_recorder").on(t.recorderId)],
);

/** One row per recorder and trading day whose daily summary was handed to the recorder's notification queue: the
 * cron's idempotence (a day is summarized once, whatever how often the cron runs). */
export const notificationSummaries = sqliteTable(
  "notification_summaries",
  {
    recorderId: text("recorder_id").notNull(),
    /** The trading day's start, ISO. */
    tradingDay: text("trading_day").notNull(),
    sentAt: text("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.recorderId, t.tradingDay] })],
);
