// What a Durable Object owes D1, as outbox entries: the ops (one row each in the outbox table) and the signal-log
// row. Plain data, shared by the outbox's store (outbox-store.ts) and its delivery (outbox.ts).
import type { EntryTrade, Position, Trade } from "../engine/types";

/** A trade row as owed to D1: the CONTRACT Trade plus its per-entry chunks (column `entry_trades`, CONTRACT
 * `?pairing=entries`). Null or absent (entries written before the column): the round trip is its only entry. */
export type TradeDelivery = Trade & { entryTrades?: EntryTrade[] | null };

export interface SignalLogRow {
  id: string;
  recorderId: string;
  receivedAt: string;
  /** "scheduled": a delayed-feed signal waiting for market time `appliesAt`; the same id is delivered again with
   * its outcome ("applied" or "rejected"), which replaces it. */
  status: "applied" | "duplicate" | "rejected" | "scheduled";
  result: string | null;
  /** Why an applied signal was ignored (e.g. add_not_allowed). Absent in outbox entries written before v2. */
  reason?: string | null;
  error: unknown;
  /** At most the first 8 KiB of the body (see bodyTruncated). */
  body: unknown;
  /** The body was longer than 8 KiB. Absent in outbox entries written before the second round. */
  bodyTruncated?: boolean;
  /** A scheduled signal's market time. Absent in outbox entries written before the second round. */
  appliesAt?: string | null;
  symbol: string | null;
  positionId: string | null;
}

export type OutboxOp =
  | { t: "symbol"; feedSymbol: string; root: string; at: string }
  | { t: "position"; position: Position }
  | { t: "trade"; trade: TradeDelivery }
  // A close: the position's last version and its trade in ONE entry (one storage row instead of two on the tick
  // path's exits; D1 gets the same statements as from a "position" then a "trade" entry). Entries written before
  // it existed are the two separate ones, still delivered as such.
  | { t: "closed"; position: Position; trade: TradeDelivery }
  | { t: "signal"; row: SignalLogRow };
