// The outbox: everything a symbol Durable Object owes D1, written to the DO's own storage in the same
// synchronous step as the state change that caused it, then delivered (now, and again from the alarm until D1
// takes it). Every statement is idempotent — rows are keyed by stable ids and a position only moves forward
// in `version` — so a batch that D1 applied but whose answer was lost is harmlessly delivered again: each
// trade, fill and signal arrives exactly once.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { BatchItem } from "drizzle-orm/batch";
import { fills, positions, signals, symbols, trades } from "../db/schema";
import type { Position, Trade } from "../engine/types";
import type { SymbolStore } from "./store";

export interface SignalLogRow {
  id: string;
  recorderId: string;
  receivedAt: string;
  status: "applied" | "duplicate" | "rejected";
  result: string | null;
  /** Why an applied signal was ignored (e.g. add_not_allowed). Absent in outbox entries written before v2. */
  reason?: string | null;
  error: unknown;
  body: unknown;
  symbol: string | null;
  positionId: string | null;
}

export type OutboxOp =
  | { t: "symbol"; feedSymbol: string; root: string; at: string }
  | { t: "position"; position: Position }
  | { t: "trade"; trade: Trade }
  | { t: "signal"; row: SignalLogRow };

/** How many outbox entries go to D1 in one batch. */
const BATCH = 40;

export class OutboxDelivery {
  /** Test hooks (set through runInDurableObject): the next N deliveries fail as if D1 were down, or fail
   * AFTER D1 applied them, as when D1's answer is lost on the way back. */
  failNext = 0;
  failAfterCommit = 0;
  private running: Promise<boolean> | null = null;

  constructor(
    private readonly store: SymbolStore,
    private readonly d1: D1Database,
  ) {}

  /** Delivers everything pending. Concurrent callers share one run. Resolves true when the outbox is empty. */
  flush(): Promise<boolean> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async run(): Promise<boolean> {
    const db = drizzle(this.d1);
    for (;;) {
      const batch = this.store.pending(BATCH);
      if (batch.length === 0) return true;
      try {
        if (this.failNext > 0) {
          this.failNext--;
          throw new Error("D1 unavailable (injected)");
        }
        const stmts = batch.flatMap(({ seq, op }) => statements(db, seq, op));
        await db.batch(stmts as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
        if (this.failAfterCommit > 0) {
          this.failAfterCommit--;
          throw new Error("D1 answer lost (injected)");
        }
        this.store.delivered(batch[batch.length - 1].seq);
      } catch (err) {
        this.store.failedAttempt(batch.map((b) => b.seq));
        console.warn(`outbox: D1 delivery failed, ${batch.length} entries kept for retry: ${String(err)}`);
        return false;
      }
    }
  }
}

function statements(db: ReturnType<typeof drizzle>, seq: number, op: OutboxOp): BatchItem<"sqlite">[] {
  switch (op.t) {
    case "symbol":
      return [db.insert(symbols).values({ feedSymbol: op.feedSymbol, root: op.root, firstSeenAt: op.at }).onConflictDoNothing()];
    case "position": {
      const p = op.position;
      const row = {
        id: p.id,
        recorderId: p.recorderId,
        symbol: p.symbol,
        feedSymbol: p.feedSymbol,
        status: p.status,
        openedAt: p.openedAt,
        closedAt: p.closedAt,
        data: p,
        version: seq,
      };
      const fillRows = p.fills.map((f, i) => ({
        id: `${p.id}:${i}`,
        positionId: p.id,
        recorderId: p.recorderId,
        symbol: p.symbol,
        ...f,
      }));
      const out: BatchItem<"sqlite">[] = [
        db
          .insert(positions)
          .values(row)
          .onConflictDoUpdate({
            target: positions.id,
            set: { status: row.status, closedAt: row.closedAt, data: row.data, version: row.version },
            setWhere: sql`excluded.version > ${positions.version}`,
          }),
      ];
      // D1 limits bound parameters per statement: insert fills in small chunks.
      for (let i = 0; i < fillRows.length; i += 8) {
        out.push(db.insert(fills).values(fillRows.slice(i, i + 8)).onConflictDoNothing());
      }
      return out;
    }
    case "trade":
      return [db.insert(trades).values(op.trade).onConflictDoNothing()];
    case "signal":
      return [db.insert(signals).values({ ...op.row, reason: op.row.reason ?? null }).onConflictDoNothing()];
  }
}
