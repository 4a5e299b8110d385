// Compile-time only (the Worker's tsconfig; the dashboard never imports it): the types the Worker really answers
// with must still fit the shared ones in ./types.ts, so the dashboard cannot type-check against a shape the API
// stopped sending. A mismatch is a `npm run typecheck` error on the line naming it. No runtime code.
import type { LiveFeedView, RecordedPosition, SymbolLive, FeedView as WorkerFeedView, SymbolStatus as WorkerSymbolStatus } from "../durable/protocol";
import type { RecorderSummary as WorkerRecorderSummary } from "../queries/recorder-summaries";
import type { SessionState } from "../tradingview/session";
import type { recorderView } from "../recorders/repository";
import type { ApiPosition, FeedView, LiveFeed, LiveSymbolMessage, Recorder, RecorderSummary, SymbolStatus, TvSessionState } from "./types";

/** Compiles only when A and B are mutually assignable. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

export type Checks = [
  Assert<Same<RecordedPosition, ApiPosition>>,
  Assert<Same<WorkerRecorderSummary, RecorderSummary>>,
  Assert<Same<WorkerFeedView, FeedView>>,
  Assert<Same<Omit<SymbolStatus, "health">, WorkerSymbolStatus>>,
  Assert<Same<SessionState, TvSessionState>>,
  // GET /api/live: what the symbol objects hand the hub is the `symbol` message, less its type and seq.
  Assert<Same<LiveFeedView, LiveFeed>>,
  Assert<Same<Omit<SymbolLive, "seq">, Omit<LiveSymbolMessage, "type">>>,
  // The API's recorder (D1 row without the token hash) is the shared Recorder, field for field.
  Assert<Same<ReturnType<typeof recorderView>, Omit<Recorder, "summary">>>,
];
