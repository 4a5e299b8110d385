// Scheduled signals (CONTRACT "Delayed data, aligned"): with a delayed feed and `delayedFeed: "align"`, a signal
// is accepted at once but applied when the feed's market time reaches its receive time, so a real-time alert
// price and the 15-minute-late ticks describe the same moment. They wait here, in the object's storage: a
// restart or a deploy loses none, and each is deleted in the same synchronous step that applies it (or refuses
// it), so none is applied twice.
//
// Costs: the earliest receive time, the earliest deadline and the count per recorder are kept in memory (read
// once at start, kept by add and remove, the only writers), so a tick with nothing due and a signal that need not
// wait do no storage read — every signal asks whether its recorder has signals waiting, and every reply arms the
// alarm for the earliest deadline; applying reads the due rows in receive order (seq).
import type { SignalRequest } from "./protocol";

export interface ScheduledSignal {
  seq: number;
  /** The signal-log id given when it was accepted (its log row moves from "scheduled" to its outcome). */
  signalId: string;
  receivedMs: number;
  /** Applied without a matching tick once the wall clock passes this (N + 120 s after receipt). */
  deadlineMs: number;
  req: SignalRequest;
}

export class ScheduledSignals {
  /** Earliest receivedMs among the waiting signals (Infinity: none). */
  private nextDueMs = Infinity;
  /** Earliest deadlineMs among the waiting signals (Infinity: none). */
  private nextDeadline = Infinity;
  /** Waiting signals per recorder (recorders with none are absent), and in all. */
  private readonly waiting = new Map<string, number>();
  private total = 0;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS scheduled (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, signal_id TEXT NOT NULL, recorder_id TEXT NOT NULL,
      received_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL, req TEXT NOT NULL)`);
    for (const r of sql.exec<{ recorder_id: string; n: number }>("SELECT recorder_id, COUNT(*) AS n FROM scheduled GROUP BY recorder_id")) {
      this.waiting.set(r.recorder_id, r.n);
      this.total += r.n;
    }
    this.refreshNext();
  }

  add(signalId: string, req: SignalRequest, deadlineMs: number): void {
    const receivedMs = Date.parse(req.receivedAt);
    // Never before an earlier signal of the same recorder: deadlines keep receive order even when the delay the
    // feed reports changed in between (a new login, a mode without N).
    const before = this.sql
      .exec<{ m: number | null }>("SELECT MAX(deadline_ms) AS m FROM scheduled WHERE recorder_id = ?", req.recorder.id)
      .one().m;
    if (before !== null && before > deadlineMs) deadlineMs = before;
    this.sql.exec(
      "INSERT INTO scheduled (signal_id, recorder_id, received_ms, deadline_ms, req) VALUES (?, ?, ?, ?, ?)",
      signalId,
      req.recorder.id,
      receivedMs,
      deadlineMs,
      JSON.stringify(req),
    );
    if (receivedMs < this.nextDueMs) this.nextDueMs = receivedMs;
    if (deadlineMs < this.nextDeadline) this.nextDeadline = deadlineMs;
    this.waiting.set(req.recorder.id, (this.waiting.get(req.recorder.id) ?? 0) + 1);
    this.total++;
  }

  /** Whether a tick at market time `atMs` has signals to apply first (O(1)). */
  anyDue(atMs: number): boolean {
    return this.nextDueMs <= atMs;
  }

  /** Signals whose receive time the market has reached, in receive order. */
  dueBy(marketMs: number): ScheduledSignal[] {
    if (!this.anyDue(marketMs)) return [];
    return this.rows("WHERE received_ms <= ? ORDER BY seq", marketMs);
  }

  /** Signals past their deadline on the wall clock, in receive order. */
  expired(nowMs: number): ScheduledSignal[] {
    return this.rows("WHERE deadline_ms <= ? ORDER BY seq", nowMs);
  }

  remove(seq: number): void {
    for (const r of this.sql.exec<{ recorder_id: string }>("DELETE FROM scheduled WHERE seq = ? RETURNING recorder_id", seq)) {
      const n = (this.waiting.get(r.recorder_id) ?? 1) - 1;
      if (n > 0) this.waiting.set(r.recorder_id, n);
      else this.waiting.delete(r.recorder_id);
      this.total--;
    }
    this.refreshNext();
  }

  /** Waiting signals, of one recorder or in all (O(1), no storage read). */
  count(recorderId?: string): number {
    return recorderId === undefined ? this.total : (this.waiting.get(recorderId) ?? 0);
  }

  /** The earliest wall-clock deadline (to arm the alarm), or null (O(1), no storage read). */
  nextDeadlineMs(): number | null {
    return this.nextDeadline === Infinity ? null : this.nextDeadline;
  }

  /** The waiting signals of a recorder (for the open positions screen). */
  pendingFor(recorderId?: string): ScheduledSignal[] {
    return recorderId === undefined ? this.rows("ORDER BY seq") : this.rows("WHERE recorder_id = ? ORDER BY seq", recorderId);
  }

  private rows(where: string, ...bindings: unknown[]): ScheduledSignal[] {
    return this.sql
      .exec<{ seq: number; signal_id: string; received_ms: number; deadline_ms: number; req: string }>(
        `SELECT seq, signal_id, received_ms, deadline_ms, req FROM scheduled ${where}`,
        ...bindings,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, signalId: r.signal_id, receivedMs: r.received_ms, deadlineMs: r.deadline_ms, req: JSON.parse(r.req) as SignalRequest }));
  }

  private refreshNext(): void {
    const m = this.sql.exec<{ r: number | null; d: number | null }>("SELECT MIN(received_ms) AS r, MIN(deadline_ms) AS d FROM scheduled").one();
    this.nextDueMs = m.r ?? Infinity;
    this.nextDeadline = m.d ?? Infinity;
  }
}
