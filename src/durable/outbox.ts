// The outbox: everything a Durable Object owes D1, written to the DO's own storage (outbox-store.ts) in the same
// synchronous step as the state change that caused it, then delivered (now, and again from the alarm until D1
// takes it). Every statement is idempotent — rows are keyed by stable ids, a position only moves forward in
// `version`, a signal-log row only moves from "scheduled" to its outcome — so a batch that D1 applied but whose
// answer was lost is harmlessly delivered again: each trade, fill and signal arrives exactly once.
//
// Cost: a page of up to BATCH entries is ONE D1 batch of one statement per table it writes (at most 5: symbols,
// positions, fills, trades, signals; one more per further ~512 KB of a table's rows; outbox-sql.ts), each inserting
// all of that table's rows from a single JSON parameter, its SQL text built once at module load. Why: the bar-close
// burst (issue #13) is CPU-bound under `wrangler dev` (Worker, objects and local D1 on one thread), and its profile
// showed this delivery building a drizzle statement per row and D1 running one per row (a close cost 4, a 40-entry
// page up to ~160).
//
// Faults (CONTRACT "Bad input and faults"):
// - Entries go to D1 in batches (the fast path). When a batch fails, its entries are delivered one at a time, in
//   seq order (each as a one-entry page: the same statements, so the same rows).
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
// call for "applied, answer lost"), or subclass OutboxDelivery and override `send` (it gets the statements as plain
// SQL and parameters) or `probe`.
import { pageStatements, type Statement } from "./outbox-sql";
import type { OutboxStore, PendingEntry } from "./outbox-store";

export type { OutboxOp, SignalLogRow } from "./outbox-op";
export type { Statement } from "./outbox-sql";

/** How many outbox entries go to D1 in one batch. */
const BATCH = 40;
/** Permanent-looking failures (D1 reachable, the entry refused) before an entry is set aside. */
export const MAX_ATTEMPTS = 3;
/** Errors D1 documents as transient (retry later): never counted against an entry. */
const TRANSIENT = /Network connection lost|storage caused object to be reset|reset because its code was updated|overloaded|transient/i;

export class OutboxDelivery {
  private running: Promise<boolean> | null = null;

  constructor(
    protected readonly store: OutboxStore,
    protected readonly d1: D1Database,
    private readonly onDelivered?: (entries: readonly PendingEntry[]) => void,
  ) {}

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
    await this.d1.batch(statements.map((s) => this.d1.prepare(s.sql).bind(...s.params)));
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
            await this.send(pageStatements(ready));
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
            await this.send(pageStatements([e]));
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
