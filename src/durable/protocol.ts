// The typed RPC surface between the Worker and a symbol's Durable Object.
import type { InstrumentSpec, NormalizedSignal, Position, RecorderSettings, SignalResult, Trade } from "../engine/types";
import type { ErrorBody } from "../api/errors";

export interface SignalRequest {
  recorder: RecorderSettings & { dedupeWindowSeconds: number };
  instrument: InstrumentSpec;
  signal: NormalizedSignal;
  /** The parsed body, kept in the signal log. */
  body: unknown;
  /** SHA-256 of the raw body text: a byte-identical body within the dedupe window is a duplicate. */
  bodyHash: string;
  receivedAt: string;
}

/** A position as the symbol object hands it out: the contract's fields, plus `delayedData: true` when it was
 * opened while the feed's update_mode said the quotes were delayed (its excursions come from delayed prices). */
export type RecordedPosition = Position & { delayedData?: boolean };

export interface SignalApplied {
  ok: true;
  signalId: string;
  recorderId: string;
  symbol: string;
  result: SignalResult;
  reason?: string;
  duplicate?: true;
  position: RecordedPosition | null;
  trade?: Trade;
}

export interface SignalRefused {
  ok: false;
  status: 422 | 429;
  error: ErrorBody;
}

export type SignalReply = SignalApplied | SignalRefused;

export interface FeedView {
  /** idle | connecting | connected | streaming | backoff | refused | stopped */
  state: string;
  lastTickAt: string | null;
  lastPrice: number | null;
  updateMode: string | null;
  reconnects: number;
  /** update_mode says delayed (e.g. "delayed_streaming_900"): no real-time data for this login. */
  delayed?: boolean;
  /** The last problem (a refused token, a symbol error, why it is reconnecting); null when healthy. */
  error?: string | null;
}

export interface SymbolStatus {
  feedSymbol: string;
  openPositions: number;
  feed: FeedView;
  ticksProcessed: number;
}

export type ManualCloseReply =
  | { ok: true; position: RecordedPosition; trade: Trade }
  | { ok: false; status: 404 | 422; error: ErrorBody };
