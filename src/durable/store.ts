// The symbol Durable Object's own SQLite storage: what makes a restart or a deploy lose nothing.
//
// Rows written per tick do not grow with the number of open positions:
// - `positions` holds each open position's full state as of its last checkpoint (a signal, a fill, an exit),
//   with the tick sequence number it was taken at;
// - `journal` holds only ticks that set a new low or high since the LATEST checkpoint of any position. That is
//   enough to recover every position's excursions exactly: the lowest price since any earlier checkpoint c is
//   either before the latest checkpoint (then it was journaled against the checkpoint current at its time) or
//   after it (then it is a new low since the latest checkpoint), and the earliest occurrence is the one journaled;
// - `meta.last` is one upserted row with the last price, its time, the tick sequence and the tick count.
// So a tick writes 1 row, 2 when it is a new extreme, plus the rows of any position it closes.
import type { PositionState } from "../engine/types";
import type { OutboxOp } from "./outbox";

export interface LastTick {
  seq: number;
  price: number | null;
  at: string | null;
  ticks: number;
}

export type JournalRow = {
  seq: number;
  price: number;
  at: string;
};

export class SymbolStore {
  /** Rows written by this store's statements since it was created (SqlStorageCursor.rowsWritten: what storage
   * bills). Read by `npm run bench`; no behaviour depends on it. */
  rowsWritten = 0;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS positions (
        id TEXT PRIMARY KEY, recorder_id TEXT NOT NULL, state TEXT NOT NULL, checkpoint_seq INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, price REAL NOT NULL, at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS seen (
        recorder_id TEXT NOT NULL, key TEXT NOT NULL, at_ms INTEGER NOT NULL, reply TEXT NOT NULL,
        PRIMARY KEY (recorder_id, key));
    `);
  }

  private write(query: string, ...bindings: unknown[]): void {
    this.rowsWritten += this.sql.exec(query, ...bindings).rowsWritten;
  }

  getMeta<T>(k: string): T | undefined {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0];
    return row ? (JSON.parse(row.v) as T) : undefined;
  }

  setMeta(k: string, v: unknown): void {
    this.write("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, JSON.stringify(v));
  }

  // --- positions -----------------------------------------------------------------------------------------

  loadPositions(): { state: PositionState; checkpointSeq: number }[] {
    return this.sql
      .exec<{ state: string; checkpoint_seq: number }>("SELECT state, checkpoint_seq FROM positions")
      .toArray()
      .map((r) => ({ state: JSON.parse(r.state) as PositionState, checkpointSeq: r.checkpoint_seq }));
  }

  checkpoint(id: string, recorderId: string, state: PositionState, seq: number): void {
    this.write(
      `INSERT INTO positions (id, recorder_id, state, checkpoint_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, checkpoint_seq = excluded.checkpoint_seq`,
      id,
      recorderId,
      JSON.stringify(state),
      seq,
    );
  }

  removePosition(id: string): void {
    this.write("DELETE FROM positions WHERE id = ?", id);
  }

  // --- ticks ---------------------------------------------------------------------------------------------

  journal(row: JournalRow): void {
    this.write("INSERT OR REPLACE INTO journal (seq, price, at) VALUES (?, ?, ?)", row.seq, row.price, row.at);
  }

  journalSince(seq: number): JournalRow[] {
    return this.sql.exec<JournalRow>("SELECT seq, price, at FROM journal WHERE seq > ? ORDER BY seq", seq).toArray();
  }

  /** Journal rows at or before the oldest open checkpoint can never be replayed again. */
  compactJournal(): void {
    const row = this.sql.exec<{ m: number | null }>("SELECT MIN(checkpoint_seq) AS m FROM positions").toArray()[0];
    if (row?.m == null) this.write("DELETE FROM journal");
    else this.write("DELETE FROM journal WHERE seq <= ?", row.m);
  }

  // --- outbox --------------------------------------------------------------------------------------------

  enqueue(op: OutboxOp): void {
    this.write("INSERT INTO outbox (op) VALUES (?)", JSON.stringify(op));
  }

  pending(limit: number): { seq: number; op: OutboxOp; attempts: number }[] {
    return this.sql
      .exec<{ seq: number; op: string; attempts: number }>("SELECT seq, op, attempts FROM outbox ORDER BY seq LIMIT ?", limit)
      .toArray()
      .map((r) => ({ seq: r.seq, op: JSON.parse(r.op) as OutboxOp, attempts: r.attempts }));
  }

  delivered(upToSeq: number): void {
    this.write("DELETE FROM outbox WHERE seq <= ?", upToSeq);
  }

  failedAttempt(seqs: number[]): void {
    for (const s of seqs) this.write("UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?", s);
  }

  outboxSize(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }

  // --- duplicates ----------------------------------------------------------------------------------------

  seen(recorderId: string, key: string): { atMs: number; reply: string } | undefined {
    const r = this.sql
      .exec<{ at_ms: number; reply: string }>("SELECT at_ms, reply FROM seen WHERE recorder_id = ? AND key = ?", recorderId, key)
      .toArray()[0];
    return r ? { atMs: r.at_ms, reply: r.reply } : undefined;
  }

  remember(recorderId: string, key: string, atMs: number, reply: string): void {
    this.write(
      `INSERT INTO seen (recorder_id, key, at_ms, reply) VALUES (?, ?, ?, ?)
       ON CONFLICT(recorder_id, key) DO UPDATE SET at_ms = excluded.at_ms, reply = excluded.reply`,
      recorderId,
      key,
      atMs,
      reply,
    );
  }

  forgetSeenBefore(atMs: number): void {
    this.write("DELETE FROM seen WHERE at_ms < ?", atMs);
  }
}
