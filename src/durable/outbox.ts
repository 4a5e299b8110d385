// The outbox: everything a Durable Object owes D1, written to the DO's own storage (outbox-store.ts) in the same
// synchronous step as the state change that caused it, then delivered (now, and again from the alarm until D1
// takes it). Every statement is idempotent — rows are keyed by stable ids, a position only moves forward in
// `version`, a signal-log row only moves from "scheduled" to its outcome — so a batch that D1 applied but whose
// answer was lost is harmlessly delivered again: each trade, fill and signal arrives exactly once.
//
// Faults (CONTRACT "Bad input and faults"):
// - Entries go to D1 in batches (the fast path). When a batch fails, its entries are delivered one at a time, in
//   seq order.
// - An entry that fails while D1 is demonstrably reachable (a `SELECT 1` probe succeeds right after) counts a
//   permanent-looking failure; at the MAX_ATTEMPTS-th (across flushes) it is set aside in `dead_letters` and
//   everything after it still lands. Until then its entity is held back for this flush: later entries of the
//   same entity wait (in order per entity), entries of other entities go on.
// - When D1 is unreachable (the probe fails too), or the error is one D1 documents as transient, nothing is
//   counted or set aside: the flush stops and resolves false (the caller's alarm retries).
//
// After delivery: `onDelivered` (optional) is called with the entries D1 just took, in the same synchronous step as
// they are marked delivered, so whatever it writes to the object's storage (the notification queue, src/notify/)
// commits together with that mark: never lost, never written for an entry D1 did not take. It must not await.
//
// Injecting faults in tests: pass a wrapped D1Database (its `batch`/`prepare` may throw, or throw after the real
// call for "applied, answer lost"), or subclass OutboxDelivery and override `send`/`probe`.
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { BatchItem } from "drizzle-orm/batch";
import { fills, positions, signals, symbols, trades } from "../db/schema";
import type { OutboxOp } from "./outbox-op";
import type { OutboxStore, PendingEntry } from "./outbox-store";

export type { OutboxOp, SignalLogRow } from "./outbox-op";

export type Statement = BatchItem<"sqlite">;

/** How many outbox entries go to D1 in one batch. */
const BATCH = 40;
/** Permanent-looking failures (D1 reachable, the entry refused) before an entry is set aside. */
export const MAX_ATTEMPTS = 3;
/** Errors D1 documents as transient (retry later): never counted against an entry. */
const TRANSIENT = /Network connection lost|storage caused object to be reset|reset because its code was updated|overloaded|transient/i;

export class OutboxDelivery {
  private running: Promise<boolean> | null = null;
  private readonly db: ReturnType<typeof drizzle>;

  constructor(
    protected readonly store: OutboxStore,
    protected readonly d1: D1Database,
    private readonly onDelivered?: (entries: readonly PendingEntry[]) => void,
  ) {
    this.db = drizzle(d1);
  }

  /** Delivers everything pending. Concurrent callers share one run. Resolves true when the outbox is empty, false
   * when something is left for a retry (D1 unreachable, or an entry held back before it is set aside). */
  flush(): Promise<boolean> {
    if (this.running) return this.running;
    let finished = false;
    // `release` runs in the same synchronous step as the run's last look at the outbox, so an entry enqueued
    // after that look always starts a new run instead of joining a finished one.
    // (Only the run that owns `running` calls release, right before it returns; it may do so synchronously.)
    const p = this.run(() => {
      finished = true;
      this.running = null;
    });
    if (!finished) this.running = p;
    return p;
  }

  /** Sends one group of statements to D1, atomically. Override (or wrap the D1Database) to inject faults. */
  protected async send(statements: Statement[]): Promise<void> {
    if (statements.length === 0) return;
    await this.db.batch(statements as [Statement, ...Statement[]]);
  }

  /** Is D1 answering at all? */
  protected async probe(): Promise<boolean> {
    try {
      await this.d1.prepare("SELECT 1").first();
      return true;
    } catch {
      return false;
    }
  }

  /** The delivered hook; a fault in it is logged and never stops the delivery of the record itself. */
  private afterDelivered(entries: readonly PendingEntry[]): void {
    if (!this.onDelivered) return;
    try {
      this.onDelivered(entries);
    } catch (err) {
      console.warn(`outbox: after-delivery hook failed: ${errorText(err)}`);
    }
  }

  private async run(release: () => void): Promise<boolean> {
    try {
      /** Entities with an entry kept for retry in this flush: their later entries wait too. */
      const held = new Set<string>();
      let after = 0;
      for (;;) {
        const page = this.store.pending(BATCH, after);
        if (page.length === 0) {
          release();
          return held.size === 0;
        }
        after = page[page.length - 1].seq;
        const ready = page.filter((e) => !held.has(e.entity));
        if (ready.length === 0) continue;

        // Fast path: the whole page in one batch, unless an entry in it already failed (it would fail it again).
        if (!ready.some((e) => e.attempts > 0)) {
          let sent = false;
          try {
            await this.send(ready.flatMap((e) => statements(this.db, e.seq, e.op)));
            sent = true;
          } catch {
            // Fall back to one entry at a time, below.
          }
          if (sent) {
            this.store.delivered(ready.map((e) => e.seq));
            this.afterDelivered(ready);
            continue;
          }
        }

        for (const e of ready) {
          if (held.has(e.entity)) continue;
          // (An entry whose statements cannot even be built fails here too, and is set aside like a refused one.)
          let failure: { err: unknown } | null = null;
          try {
            await this.send(statements(this.db, e.seq, e.op));
          } catch (err) {
            failure = { err };
          }
          if (!failure) {
            this.store.delivered([e.seq]);
            this.afterDelivered([e]);
            continue;
          }
          const message = errorText(failure.err);
          if (TRANSIENT.test(message) || !(await this.probe())) {
            console.warn(`outbox: D1 unavailable, ${this.store.size()} entries kept for retry: ${message}`);
            release();
            return false;
          }
          if (e.attempts + 1 >= MAX_ATTEMPTS) {
            this.store.deadLetter(e.seq, message);
            console.warn(`outbox: D1 refused entry ${e.seq} ${MAX_ATTEMPTS} times, set aside (dead letter): ${message}; ${describeOp(e)}`);
          } else {
            this.store.failed(e.seq, message);
            held.add(e.entity);
          }
        }
      }
    } catch (err) {
      // Storage or statement building failed: nothing was lost, the alarm tries again.
      release();
      console.warn(`outbox: delivery stopped: ${errorText(err)}`);
      return false;
    }
  }
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message + (err.cause instanceof Error && !err.message.includes(err.cause.message) ? `: ${err.cause.message}` : "") : String(err);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** The entry for a log line: truncated, and without a signal's body (an alert body may carry a broker token). */
function describeOp(e: PendingEntry): string {
  const op = e.op.t === "signal" ? { ...e.op, row: { ...e.op.row, body: "(omitted)" } } : e.op;
  const json = JSON.stringify(op);
  return `${e.entity} ${json.length > 300 ? `${json.slice(0, 300)}…` : json}`;
}

function statements(db: ReturnType<typeof drizzle>, seq: number, op: OutboxOp): Statement[] {
  switch (op.t) {
    case "symbol":
      return [db.insert(symbols).values({ feedSymbol: op.feedSymbol, root: op.root, firstSeenAt: op.at }).onConflictDoNothing()];
    case "closed":
      return [...statements(db, seq, { t: "position", position: op.position }), ...statements(db, seq, { t: "trade", trade: op.trade })];
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
      const out: Statement[] = [
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
    case "signal": {
      const r = op.row;
      const row = {
        id: r.id,
        recorderId: r.recorderId,
        receivedAt: r.receivedAt,
        status: r.status,
        result: r.result,
        reason: r.reason ?? null,
        error: r.error ?? null,
        body: r.body ?? null,
        bodyTruncated: r.bodyTruncated ?? false,
        appliesAt: r.appliesAt ?? null,
        symbol: r.symbol,
        positionId: r.positionId,
      };
      // A "scheduled" row is replaced by its outcome; an outcome is never replaced (so a late re-delivery of the
      // scheduled version, or of the outcome itself, changes nothing).
      return [
        db
          .insert(signals)
          .values(row)
          .onConflictDoUpdate({
            target: signals.id,
            set: {
              status: sql`excluded.status`,
              result: sql`excluded.result`,
              reason: sql`excluded.reason`,
              error: sql`excluded.error`,
              positionId: sql`excluded.position_id`,
              appliesAt: sql`coalesce(excluded.applies_at, ${signals.appliesAt})`,
            },
            setWhere: sql`${signals.status} = 'scheduled' and excluded.status <> 'scheduled'`,
          }),
      ];
    }
  }
}
