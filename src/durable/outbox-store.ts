// The outbox's tables in a Durable Object's own SQLite storage (any DO class that owes D1 rows uses it; the
// delivery is outbox.ts).
//
// - `outbox`: what is still owed to D1, in `seq` order. Each row carries the recorder it belongs to (so deleting a
//   recorder waits only for its own rows) and its entity key (what "in order per entity" is about: a position and
//   its trade share the position's key, a signal-log row its id, a symbol registration its feed symbol).
//   `attempts` counts the delivery failures that looked permanent (D1 was reachable and still refused the entry).
// - `dead_letters`: entries D1 refused for good, set aside so that everything after them still lands.
//
// - `outbox_mark`: the highest `seq` ever handed out, kept only once the row holding it is gone (see below).
//
// Why `seq` is assigned here and not by AUTOINCREMENT: `seq` is also the version D1 keeps of a position (an
// update lands only if its version is newer), so it must never go back, not even once the outbox is empty. SQLite's
// AUTOINCREMENT guarantees that by rewriting its `sqlite_sequence` row on every insert: 2 rows per entry. Here an
// insert is 1 row; the high-water mark is written only by a delete that removes the highest row (at most once per
// delivery batch), and on load `seq` resumes above every row, dead letter, mark and (for storage created by an
// older version, whose table still has AUTOINCREMENT) `sqlite_sequence`.
//
// Every write happens in one synchronous step (no await), so the DO commits it atomically.
import { assertFinite } from "./finite";
import type { OutboxOp } from "./outbox-op";

export interface PendingEntry {
  seq: number;
  op: OutboxOp;
  /** Permanent-looking failures so far. */
  attempts: number;
  /** The entity key (see entityOf). */
  entity: string;
}

export interface DeadLetterSummary {
  count: number;
  lastError: string | null;
  lastAt: string | null;
}

/** The recorder an entry belongs to (null for a symbol registration, shared by all recorders). */
export function recorderOf(op: OutboxOp): string | null {
  switch (op.t) {
    case "symbol":
      return null;
    case "position":
      return op.position.recorderId;
    case "trade":
    case "closed":
      return op.trade.recorderId;
    case "signal":
      return op.row.recorderId;
  }
}

/** Entries of one entity are delivered in `seq` order: a position's versions and its trade (keyed by position id),
 * a signal-log row's scheduled and final versions (keyed by signal id), a symbol registration (feed symbol). */
export function entityOf(op: OutboxOp): string {
  switch (op.t) {
    case "symbol":
      return `symbol:${op.feedSymbol}`;
    case "position":
      return `position:${op.position.id}`;
    case "trade":
    case "closed":
      return `position:${op.trade.positionId}`;
    case "signal":
      return `signal:${op.row.id}`;
  }
}

export class OutboxStore {
  /** Rows written by this store's statements since it was created (SqlStorageCursor.rowsWritten: what storage
   * bills). Read by `npm run bench`; no behaviour depends on it. */
  rowsWritten = 0;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY, op TEXT NOT NULL, recorder_id TEXT, entity TEXT,
        attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT);
      CREATE TABLE IF NOT EXISTS dead_letters (
        seq INTEGER PRIMARY KEY, op TEXT NOT NULL, recorder_id TEXT, entity TEXT, error TEXT NOT NULL, at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox_mark (k INTEGER PRIMARY KEY CHECK (k = 0), seq INTEGER NOT NULL);
    `);
    this.migrate();
    this.lastSeq = this.highWater();
  }

  /** The highest `seq` handed out so far (see the header). */
  private lastSeq: number;

  private highWater(): number {
    const max = (query: string) => this.sql.exec<{ m: number | null }>(query).one().m ?? 0;
    const legacy = this.sql
      .exec<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
      .one().n;
    return Math.max(
      max("SELECT MAX(seq) AS m FROM outbox"),
      max("SELECT MAX(seq) AS m FROM dead_letters"),
      max("SELECT MAX(seq) AS m FROM outbox_mark"),
      legacy > 0 ? max("SELECT MAX(seq) AS m FROM sqlite_sequence WHERE name = 'outbox'") : 0,
    );
  }

  /** An outbox created by an older version (seq, op, attempts) gains the new columns, filled in from `op`. Its
   * `attempts` counted every failure, outages included: they are reset, as they do not mean "refused for good". */
  private migrate(): void {
    const columns = new Set(
      this.sql
        .exec<{ name: string }>("PRAGMA table_info(outbox)")
        .toArray()
        .map((c) => c.name),
    );
    const missing = ["recorder_id", "entity", "last_error"].filter((c) => !columns.has(c));
    if (missing.length > 0) {
      for (const c of missing) this.write(`ALTER TABLE outbox ADD COLUMN ${c} TEXT`);
      this.write("UPDATE outbox SET attempts = 0");
    }
    this.backfill();
  }

  /** Rows written without their keys (by an older version still running its code on this storage). */
  private backfill(): void {
    const rows = this.sql.exec<{ seq: number; op: string }>("SELECT seq, op FROM outbox WHERE entity IS NULL").toArray();
    for (const r of rows) {
      const op = JSON.parse(r.op) as OutboxOp;
      this.write("UPDATE outbox SET recorder_id = ?, entity = ? WHERE seq = ?", recorderOf(op), entityOf(op), r.seq);
    }
  }

  private write(query: string, ...bindings: unknown[]): void {
    this.rowsWritten += this.sql.exec(query, ...bindings).rowsWritten;
  }

  enqueue(op: OutboxOp): void {
    // Positions and trades must be finite (the record); a signal's body is the sender's text, kept as is (JSON
    // writes a parsed 1e400 as null).
    if (op.t === "position" || op.t === "closed") assertFinite(op.position, `position ${op.position.id}`);
    if (op.t === "trade" || op.t === "closed") assertFinite(op.trade, `trade ${op.trade.id}`);
    const seq = this.lastSeq + 1;
    this.write("INSERT INTO outbox (seq, op, recorder_id, entity) VALUES (?, ?, ?, ?)", seq, JSON.stringify(op), recorderOf(op), entityOf(op));
    this.lastSeq = seq;
  }

  /** Up to `limit` entries with seq > afterSeq, in seq order. */
  pending(limit: number, afterSeq = 0): PendingEntry[] {
    return this.sql
      .exec<{ seq: number; op: string; attempts: number; entity: string | null }>(
        "SELECT seq, op, attempts, entity FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
        afterSeq,
        limit,
      )
      .toArray()
      .map((r) => {
        const op = JSON.parse(r.op) as OutboxOp;
        return { seq: r.seq, op, attempts: r.attempts, entity: r.entity ?? entityOf(op) };
      });
  }

  delivered(seqs: number[]): void {
    if (seqs.length === 0) return;
    this.write("DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each(?))", JSON.stringify(seqs));
    this.keepMark(seqs.reduce((a, b) => (b > a ? b : a)));
  }

  /** After a delete: when `seq` was above every row left, it may have been the highest ever handed out, so it is
   * kept as the mark (a write only then; never lowers the mark). */
  private keepMark(seq: number): void {
    this.write(
      `INSERT INTO outbox_mark (k, seq) SELECT 0, ? WHERE ? > COALESCE((SELECT MAX(seq) FROM outbox), 0)
       ON CONFLICT(k) DO UPDATE SET seq = MAX(seq, excluded.seq)`,
      seq,
      seq,
    );
  }

  /** A permanent-looking failure: D1 was reachable and refused this entry. */
  failed(seq: number, error: string): void {
    this.write("UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?", error, seq);
  }

  /** Sets the entry aside for good: everything after it is delivered without it. */
  deadLetter(seq: number, error: string, at: string = new Date().toISOString()): void {
    this.write(
      `INSERT OR REPLACE INTO dead_letters (seq, op, recorder_id, entity, error, at)
       SELECT seq, op, recorder_id, entity, ?, ? FROM outbox WHERE seq = ?`,
      error,
      at,
      seq,
    );
    this.write("DELETE FROM outbox WHERE seq = ?", seq);
    this.keepMark(seq);
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  /** Undelivered entries of one recorder (dead letters excluded: they will never be delivered). */
  pendingForRecorder(recorderId: string): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox WHERE recorder_id = ?", recorderId).one().n;
  }

  deadLetters(): DeadLetterSummary {
    const { n } = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM dead_letters").one();
    if (n === 0) return { count: 0, lastError: null, lastAt: null };
    const last = this.sql
      .exec<{ error: string; at: string }>("SELECT error, at FROM dead_letters ORDER BY at DESC, seq DESC LIMIT 1")
      .one();
    return { count: n, lastError: last.error, lastAt: last.at };
  }
}
