// The typed RPC surface between the Worker and the Durable Objects (symbol objects, recorder gates, directory,
// the live hub).
import type { InstrumentSpec, NormalizedSignal, Position, RecorderSettings, SignalResult, Trade } from "../engine/types";
import type { ErrorBody } from "../lib/errors";
import type { StaleWhy } from "./rate-lease";
import type { FeedHealth } from "../api/types";

/** The recorder settings a symbol object needs besides the engine's. */
export interface RecorderPolicy extends RecorderSettings {
  dedupeWindowSeconds: number;
  maxSignalsPerMinute: number;
  /** CONTRACT "Delayed data, aligned". */
  delayedFeed: "align" | "immediate";
}

export interface SignalRequest {
  recorder: RecorderPolicy;
  instrument: InstrumentSpec;
  signal: NormalizedSignal;
  /** The body as the signal log keeps it (at most its first 8 KiB, see bodyTruncated). */
  body: unknown;
  bodyTruncated: boolean;
  /** SHA-256 of the raw body text: a byte-identical body within the dedupe window is a duplicate. */
  bodyHash: string;
  /** Receipt time (wall clock, ISO). */
  receivedAt: string;
  /** The recorder's closed net P&L of the current trading day on other symbols (D1), for its daily limits. Absent
   * from a signal of a cached lookup: 0 when the recorder's lease says this is its only symbol (else the lookup
   * is made again, from D1). */
  otherDayNet?: number;
  /** Where the Worker found the recorder: its config epoch (schema.ts `configEpoch`), and whether from an
   * isolate's cache (src/webhook/lookup-cache.ts; honoured only where the lease vouches for it, rate-lease.ts) or
   * from D1 just now. `notify`: the events its enabled notification targets wanted at that epoch (read with the
   * recorder, webhook-lookup.ts); the object queues no other event of the recorder while its lease here holds
   * exactly that epoch (rate-lease.ts `notifyKinds`). Absent: not known (every event is queued, as before). */
  lookup?: { epoch: number; cached: boolean; notify?: readonly string[] };
}

/** A position as the symbol object hands it out: the contract's fields, plus `delayedData` (opened while the
 * feed's update_mode said the quotes were delayed) and `aligned` (false when a scheduled signal had to be applied
 * without a tick of its time: its excursions may miss part of the path). */
export type RecordedPosition = Position & { delayedData: boolean; aligned: boolean };

export type SymbolSignalResult = SignalResult | "scheduled";

export interface SignalApplied {
  ok: true;
  signalId: string;
  recorderId: string;
  symbol: string;
  result: SymbolSignalResult;
  reason?: string;
  duplicate?: true;
  /** result "scheduled": the market time the signal applies at (its receive time). */
  appliesAt?: string;
  position: RecordedPosition | null;
  trade?: Trade;
}

export interface SignalRefused {
  ok: false;
  status: 400 | 422 | 429;
  error: ErrorBody;
}

/** A signal of a cached lookup that this object cannot vouch for: nothing was recorded or counted; the Worker
 * looks the recorder up again (from D1) and sends it again. */
export interface SignalStale {
  ok: false;
  stale: true;
  /** rate-lease.ts StaleWhy: "symbols" stays so for this recorder (the Worker then stops caching its lookup). */
  why: StaleWhy;
}

export type SignalReply = SignalApplied | SignalRefused | SignalStale;

export interface FeedView {
  /** idle | connecting | connected | streaming | backoff | refused | stopped */
  state: string;
  /** Market time of the last tick. */
  lastTickAt: string | null;
  lastPrice: number | null;
  updateMode: string | null;
  reconnects: number;
  /** update_mode says delayed (e.g. "delayed_streaming_900"): no real-time data for this login. */
  delayed: boolean;
  /** How far the feed's market time is behind the wall clock at the last tick, in seconds (null: no tick). */
  marketLagSeconds: number | null;
  /** The last problem (a refused token, a symbol error, why it is reconnecting); null when healthy. */
  error: string | null;
}

export interface SymbolStatus {
  feedSymbol: string;
  openPositions: number;
  feed: FeedView;
  ticksProcessed: number;
  /** Signals waiting for the delayed feed's market time to reach them. */
  scheduledSignals: number;
  /** Outbox statements D1 refused for good, set aside (CONTRACT "Bad input and faults"). */
  deadLetters: number;
  lastDeadLetterError: string | null;
  /** D1 deliveries not made yet. */
  pendingDeliveries: number;
}

export type ManualCloseReply =
  | { ok: true; position: RecordedPosition; trade: Trade }
  | { ok: false; status: 404 | 422; error: ErrorBody };

/** A symbol's feed as live updates carry it (src/api/types.ts LiveFeed): its FeedView, so a dashboard can age
 * `health` itself with feedHealth (src/api/feed-health.ts) while no update comes, and `health` as of `at`. */
export type LiveFeedView = FeedView & { feedSymbol: string; health: FeedHealth };

/** One symbol's live state, from its symbol object to the LiveHub (watch() and publish()); the hub sends it to the
 * dashboards as a `symbol` message (src/api/types.ts LiveSymbolMessage) without `seq`. */
export interface SymbolLive {
  feedSymbol: string;
  /** Its open positions, newest first (as GET /api/positions?status=open lists them). */
  positions: RecordedPosition[];
  feed: LiveFeedView;
  /** When the object read this state (ISO). */
  at: string;
  /** Increasing per symbol object: the hub never sends an older state after a newer one. */
  seq: number;
}
