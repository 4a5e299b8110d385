// The JSON the admin API answers with, as ONE module that the Worker and the dashboard both compile against
// (dashboard/tsconfig.json includes it), so a renamed or retyped field breaks `npm run typecheck` on both sides
// instead of a badge silently never showing (the positions screen once read `p.delayed` while the API sent
// `delayedData`). No Cloudflare imports here or in anything it imports: the dashboard's compiler sees all of it.
//
// The engine's contract types (Position, Fill, Trade, …) are re-exported as they are: they ARE the JSON. Types
// that live next to Cloudflare code (RecordedPosition in src/durable/protocol.ts, RecorderSummary in
// src/queries/recorder-summaries.ts, FeedView, SymbolStatus) are restated here, and src/api/types-conformance.ts
// (compiled with the Worker only) checks that the Worker's own types still fit these.
import type {
  BreakEvenSpec,
  ExitReason,
  Fill,
  FillReason,
  Position,
  PriceSource,
  SessionSpec,
  Side,
  TakeProfitLeg,
  Trade,
  TrailingStopSpec,
  Weekday,
} from "../engine/types";
import type { RatioPeriod, Stats } from "../stats/metrics";
import type { EquityPoint } from "../stats/equity";
import type { BacktestImportInfo, BacktestLayout, BacktestTrade } from "../backtest/types";
import type { Comparison, ComparisonRow, ComparisonSummary } from "../backtest/compare";

export type { BreakEvenSpec, ExitReason, Fill, FillReason, Position, PriceSource, RatioPeriod, SessionSpec, Side, Stats, TakeProfitLeg, Trade, TrailingStopSpec, Weekday };

/** The dashboard's names for two setting shapes (the engine calls them …Spec). */
export type TrailingStop = TrailingStopSpec;
export type BreakEven = BreakEvenSpec;
export type TradingSession = SessionSpec;
export type DirectionFilter = "both" | "long" | "short";
export type DelayedFeedMode = "align" | "immediate";

// ---- errors ------------------------------------------------------------------------------------------------

/** One entry of a 400's `details`. */
export interface FieldProblem {
  field: string;
  problem: string;
}

/** `{ok: false, error}`: every refusal of the webhook and the admin API. */
export interface ApiErrorBody {
  ok: false;
  error: { code: string; message: string; details?: unknown };
}

// ---- recorders -------------------------------------------------------------------------------------------

/** A recorder as `GET /api/recorders[/:id]` lists it (never its token). Every setting has its default applied
 * by the API (see RECORDER_DEFAULTS in src/api/recorder-defaults.ts). */
export interface Recorder {
  id: string;
  name: string;
  symbol: string | null;
  enabled: boolean;
  initialQuantity: number;
  addQuantity: number;
  allowAdd: boolean;
  reverseOnOpposite: boolean;
  takeProfitTicks: number | null;
  stopLossTicks: number | null;
  commissionPerContract: number;
  tickSize: number | null;
  tickValue: number | null;
  dedupeWindowSeconds: number;
  quantityStep: number;
  maxSignalsPerMinute: number;
  signalLogRetentionDays: number;
  delayedFeed: DelayedFeedMode;
  takeProfitLegs: TakeProfitLeg[] | null;
  trailingStop: TrailingStopSpec | null;
  breakEven: BreakEvenSpec | null;
  directionFilter: DirectionFilter;
  maxContracts: number | null;
  cooldownSeconds: number;
  maxSignalAgeSeconds: number | null;
  slippageTicks: number;
  timezone: string;
  sessions: SessionSpec[];
  flattenAtSessionEnd: boolean;
  tradingDayStart: string;
  dailyLossLimit: number | null;
  dailyProfitTarget: number | null;
  flattenOnDailyLimit: boolean;
  initialCapital: number | null;
  followsRecorderId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Only with `?summary=true`. */
  summary?: RecorderSummary;
}

/** The settings a client may send (POST: `name` required; PATCH: any subset). */
export type RecorderSettingsInput = Partial<Omit<Recorder, "id" | "createdAt" | "updatedAt" | "summary">>;

/** A recorder as create / rotate / clone answer: the only time its webhook token is shown. */
export interface RecorderWithToken extends Recorder {
  webhookToken: string;
  /** `/webhook/<token>`: append it to the Worker's public origin. */
  webhookPath: string;
}

/** One line of `GET /api/recorders?summary=true` (src/queries/recorder-summaries.ts). */
export interface RecorderSummary {
  netProfit: number;
  totalClosedTrades: number;
  openPositions: number;
  /** Largest fall of closed-trade equity from its peak, positive (the report's maxDrawdown). */
  maxDrawdown: number;
  /** receivedAt of the recorder's latest signal (any outcome), null when it never sent one. */
  lastSignalAt: string | null;
}

export interface RecordersResponse {
  recorders: Recorder[];
}
export interface RecorderResponse {
  recorder: Recorder;
}
export interface RecorderWithTokenResponse {
  recorder: RecorderWithToken;
}
export interface ResetResponse {
  ok: true;
  reset: string;
  deleted: { positions: number; trades: number; signals: number };
}

// ---- positions and trades ----------------------------------------------------------------------------------

/** A position as `/api/positions` and the webhook reply send it: the contract's fields plus `delayedData` (opened
 * while the symbol's feed said its quotes were delayed) and `aligned` (false when a scheduled signal had to be
 * applied without a tick of its time). Closed positions read from D1 carry the same two flags. */
export type ApiPosition = Position & { delayedData: boolean; aligned: boolean };

export interface PositionsResponse {
  positions: ApiPosition[];
}
export interface ClosePositionResponse {
  ok: true;
  position: ApiPosition;
  trade: Trade;
}

/** `GET /api/trades`: newest first; pass `nextCursor` back as `cursor` for the next page (null: no more). */
export interface TradesResponse {
  trades: Trade[];
  nextCursor: string | null;
}

/** The filters `GET /api/trades` and `GET /api/trades.csv` share (times ISO-8601; `symbol` a root such as MNQ). */
export interface TradeFilters {
  recorderId?: string;
  symbol?: string;
  from?: string;
  to?: string;
}

// ---- signals ---------------------------------------------------------------------------------------------

export type SignalStatus = "applied" | "duplicate" | "rejected" | "scheduled";

/** One row of the signal log (`GET /api/signals`). */
export interface SignalLog {
  id: string;
  recorderId: string;
  receivedAt: string;
  status: SignalStatus;
  result?: string;
  reason?: string;
  error?: { code: string; message: string; details?: unknown };
  /** A scheduled signal (delayed feed, `delayedFeed: "align"`): the market time it applies at. */
  appliesAt?: string;
  symbol: string | null;
  positionId: string | null;
  /** The body as parsed JSON, or its text when it was not JSON (its first 8 KiB, see bodyTruncated). */
  body: unknown;
  bodyTruncated?: true;
}

export interface SignalsResponse {
  signals: SignalLog[];
}

// ---- /status ---------------------------------------------------------------------------------------------

/** idle | connecting | connected | streaming | backoff | refused | stopped (src/feed/quote-client.ts). */
export type FeedState = "idle" | "connecting" | "connected" | "streaming" | "backoff" | "refused" | "stopped";

/** One symbol's TradingView feed as its Durable Object reports it. */
export interface FeedView {
  state: string;
  /** Market time of the last tick (a delayed feed's is N s behind the clock). */
  lastTickAt: string | null;
  lastPrice: number | null;
  updateMode: string | null;
  reconnects: number;
  /** update_mode says delayed (e.g. "delayed_streaming_900"). */
  delayed: boolean;
  /** Receipt time − market time of the last tick, seconds (about 900 on delayed CME data; null: no tick). */
  marketLagSeconds: number | null;
  error: string | null;
}

/** What a trader needs to know about a symbol's prices, in one word:
 * - `live`: connected, real-time data, a tick received within STALE_AFTER_SECONDS;
 * - `delayed`: connected and ticking, but the data is delayed (`delaySeconds` behind);
 * - `stale`: connected, but no tick received for STALE_AFTER_SECONDS or more (a frozen last price);
 * - `down`: not connected (idle, connecting, backing off, refused, stopped): the last price is old.
 * Computed by src/api/feed-health.ts from the feed's view and the clock. */
export type FeedHealthState = "live" | "delayed" | "stale" | "down";

export interface FeedHealth {
  state: FeedHealthState;
  /** How far the data is behind the market (delayed data), seconds; null when real-time or unknown. */
  delaySeconds: number | null;
  /** Wall-clock time the last tick was received (lastTickAt + marketLagSeconds); null when not known since the
   * symbol object (re)started. */
  lastTickReceivedAt: string | null;
  /** Seconds since that receipt, at the time /status answered; null when unknown. */
  secondsSinceTick: number | null;
  /** Why it is not live, in words (the feed's error, "no tick for 45 s", …); null when live. */
  reason: string | null;
}

export interface SymbolStatus {
  feedSymbol: string;
  openPositions: number;
  feed: FeedView;
  ticksProcessed: number;
  scheduledSignals: number;
  deadLetters: number;
  lastDeadLetterError: string | null;
  pendingDeliveries: number;
  /** Added by the /status route (src/api/feed-health.ts). */
  health: FeedHealth;
}

export interface StatusResponse {
  ok: true;
  /** The Worker's clock when it answered (a client ages `secondsSinceTick` from here, whatever its own clock). */
  now: string;
  symbols: SymbolStatus[];
}

// ---- live updates: GET /api/live (a WebSocket) ----------------------------------------------------------------
//
// The client offers two subprotocols: LIVE_SUBPROTOCOL and `auth.<base64url(ADMIN_TOKEN), no padding>` (a browser
// cannot set headers on a WebSocket); the server answers with LIVE_SUBPROTOCOL only. It then sends one
// `snapshot`, and a `symbol` message whenever a symbol's open positions change: at once when the set changes
// (open, close, reversal, add, partial exit), at most once a second per symbol for price-only changes. The text
// `ping` is answered `pong`; anything else the client sends is ignored.

/** The subprotocol of GET /api/live. */
export const LIVE_SUBPROTOCOL = "recorder-live";
/** Prefix of the subprotocol that carries the admin token: `auth.` + base64url(UTF-8 token) without `=`. */
export const LIVE_AUTH_PREFIX = "auth.";

/** A symbol's feed for the "Data" badge: the feed as /status reports it (FeedView), and `health` as of the
 * message's `at`. No message comes when a feed goes quiet, so a client recomputes the health as time passes with
 * `feedHealth(feed, serverNow)` (src/api/feed-health.ts, pure), serverNow = its clock corrected by the skew seen
 * between a message's `at` and its arrival. */
export interface LiveFeed extends FeedView {
  feedSymbol: string;
  health: FeedHealth;
}

/** Right after connecting: every open position of every symbol with open positions (what GET
 * /api/positions?status=open lists, newest first) and each such symbol's feed. Replaces everything. */
export interface LiveSnapshotMessage {
  type: "snapshot";
  positions: ApiPosition[];
  feeds: LiveFeed[];
  /** The server's clock when the state was read (ISO). */
  at: string;
}

/** A symbol's open positions changed: they replace every position of that feed symbol (`[]`: its last one
 * closed). */
export interface LiveSymbolMessage {
  type: "symbol";
  feedSymbol: string;
  positions: ApiPosition[];
  feed: LiveFeed;
  /** When the symbol's object read this state (ISO). */
  at: string;
}

export type LiveMessage = LiveSnapshotMessage | LiveSymbolMessage;

// ---- reports ---------------------------------------------------------------------------------------------

/** `GET /api/recorders/:id/stats`: `stats` is the Strategy Tester's "All" column, `bySide` its Long and Short
 * columns (each the same summary over that side's trades only; src/stats/by-side.ts). */
export interface StatsResponse {
  stats: Stats;
  bySide: { long: Stats; short: Stats };
}

/** One point of `GET /api/recorders/:id/equity`: src/stats/equity.ts's own (pure, so shared as it is). */
export type { EquityPoint };

export interface EquityResponse {
  points: EquityPoint[];
}

// ---- backtest beside live (src/backtest/, pure: shared as they are) ---------------------------------------

export type { BacktestImportInfo, BacktestLayout, BacktestTrade, Comparison, ComparisonRow, ComparisonSummary };

export interface BacktestImportResponse {
  backtest: BacktestImportInfo | null;
}

// ---- notifications (src/notify/) ---------------------------------------------------------------------------

/** Where a target posts (src/notify/destination.ts TargetKind). */
export type NotificationKind = "discord" | "slack" | "telegram" | "webhook";

/** What a target may be told about (src/notify/events.ts EVENT_KINDS, same order). */
export type NotificationEvent = "opened" | "closed" | "rejected" | "feed_down" | "feed_up" | "daily_summary";

/** A target as the API lists it (src/notify/targets.ts TargetView): never its URL or bot token, only `shown`,
 * a masked form such as `discord.com/api/…1234` or `telegram bot …wxyz → chat …789`. */
export interface NotificationTarget {
  id: string;
  recorderId: string;
  kind: NotificationKind;
  label: string | null;
  shown: string;
  events: NotificationEvent[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

interface NotificationTargetOptions {
  /** Non-empty, no event twice. */
  events: NotificationEvent[];
  enabled?: boolean;
  /** ≤ 60 characters; null: none. */
  label?: string | null;
}

/** `POST /api/recorders/:id/notifications`: a URL for discord / slack / webhook, a bot token and chat id for
 * telegram. The secret part is stored encrypted and never answered back. */
export type NotificationTargetInput =
  | (NotificationTargetOptions & { kind: "discord" | "slack" | "webhook"; url: string })
  | (NotificationTargetOptions & { kind: "telegram"; botToken: string; chatId: string });

/** `PATCH /api/recorders/:id/notifications/:targetId`: any non-empty subset (the destination cannot change). */
export interface NotificationTargetPatch {
  events?: NotificationEvent[];
  enabled?: boolean;
  label?: string | null;
}

export interface NotificationTargetsResponse {
  targets: NotificationTarget[];
}
export interface NotificationTargetResponse {
  target: NotificationTarget;
}
export interface NotificationDeleteResponse {
  ok: true;
  deleted: string;
}
/** `POST …/:targetId/test` when the target answered 2xx (a failure is `502 target_failed`, details `{status}`). */
export interface NotificationTestResponse {
  ok: true;
  status: number;
}

// ---- TradingView session ---------------------------------------------------------------------------------

export interface TvSessionState {
  configured: boolean;
  state: "anonymous" | "active" | "error";
  storedAt: string | null;
  tokenExpiresAt: string | null;
  error: string | null;
  errorAt: string | null;
}

export interface TvSessionResponse {
  ok: true;
  session: TvSessionState;
}

// ---- webhook reply (the "Send test signal" button shows it) -------------------------------------------------

export interface WebhookReply {
  ok: true;
  signalId: string;
  recorderId: string;
  symbol: string;
  result: "opened" | "added" | "reduced" | "closed" | "reversed" | "ignored" | "pending" | "scheduled";
  reason?: string;
  duplicate?: true;
  appliesAt?: string;
  position: ApiPosition | null;
  trade?: Trade;
  followers?: { recorderId: string; result: string; reason?: string }[];
}
