// The notification queue in a Durable Object's own SQLite storage (symbol objects and recorder gates each have
// one): events waiting to be sent, written in the same synchronous step as the outbox marks the entry that caused
// them delivered (outbox.ts), so an accepted event survives a restart and is never lost between the two.
//
// - `notify_queue`: one row per event key; `done` lists the targets that already took it (a retry goes only to
//   the others, so a target that answered is never sent the event twice by us); `attempts` counts failed rounds,
//   `next_at` is when the next round may run (backoff, Retry-After).
// - `notify_sent`: keys finished (sent, nothing to send, or set aside) in the last KEEP_SENT_MS: an event seen
//   again (an outbox entry delivered twice, a summary asked twice) is not queued again.
// - `notify_dead`: events given up after MAX_ROUNDS, kept for inspection (count in /status via deadCount()).
// - `notify_meta`: small state of the senders (feed-watch.ts: whether "feed down" was announced).
//
// Costs: an event is 1 row written when queued, 1 updated per failed round, 1 deleted + 1 written (notify_sent)
// when finished; asking when the next is due reads nothing while the queue is known to be empty. Bounded: at most
// MAX_QUEUE waiting events (beyond: dropped with a log line).
import type { NotifyEvent } from "./events";

export const MAX_QUEUE = 5_000;
const KEEP_SENT_MS = 3 * 86_400_000;
const KEEP_DEAD_MS = 30 * 86_400_000;

export interface QueuedEvent {
  key: string;
  recorderId: string;
  event: NotifyEvent;
  attempts: number;
  done: string[];
}

export class NotifyQueueStore {
  /** The queue was seen empty and nothing was queued since (enqueue is its only writer of rows): nextDueMs and size
   * answer without a storage read. Every reply of a symbol object asks nextDueMs to arm its alarm, and the queue is
   * empty nearly always. One store per object's storage (two over the same table would not see each other's rows). */
  private emptyKnown = false;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS notify_queue (
        key TEXT PRIMARY KEY, recorder_id TEXT NOT NULL, event TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL, done TEXT NOT NULL DEFAULT '[]', last_error TEXT);
      CREATE INDEX IF NOT EXISTS notify_queue_next ON notify_queue (next_at);
      CREATE TABLE IF NOT EXISTS notify_sent (key TEXT PRIMARY KEY, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS notify_dead (key TEXT PRIMARY KEY, recorder_id TEXT NOT NULL, event TEXT NOT NULL, error TEXT NOT NULL, at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS notify_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    `);
  }

  /** Queues an event unless its key is waiting or was finished recently. Returns whether it was queued. */
  enqueue(e: NotifyEvent, nowMs: number): boolean {
    if (this.size() >= MAX_QUEUE) {
      console.warn(`notify: queue full (${MAX_QUEUE}), event ${e.kind} of recorder ${e.recorderId} dropped`);
      return false;
    }
    const c = this.sql.exec(
      `INSERT INTO notify_queue (key, recorder_id, event, next_at) SELECT ?, ?, ?, ?
       WHERE NOT EXISTS (SELECT 1 FROM notify_sent WHERE key = ?) ON CONFLICT(key) DO NOTHING`,
      e.key,
      e.recorderId,
      JSON.stringify(e),
      nowMs,
      e.key,
    );
    if (c.rowsWritten === 0) return false;
    this.emptyKnown = false;
    return true;
  }

  /** Events whose next round is due, oldest first. */
  due(nowMs: number, limit: number): QueuedEvent[] {
    return this.sql
      .exec<{ key: string; recorder_id: string; event: string; attempts: number; done: string }>(
        "SELECT key, recorder_id, event, attempts, done FROM notify_queue WHERE next_at <= ? ORDER BY next_at, key LIMIT ?",
        nowMs,
        limit,
      )
      .toArray()
      .map((r) => ({ key: r.key, recorderId: r.recorder_id, event: JSON.parse(r.event) as NotifyEvent, attempts: r.attempts, done: JSON.parse(r.done) as string[] }));
  }

  /** A target took the event. */
  targetDone(key: string, targetId: string): void {
    this.sql.exec("UPDATE notify_queue SET done = json_insert(done, '$[#]', ?) WHERE key = ?", targetId, key);
  }

  /** Every target took it (or none wants it): gone from the queue, remembered as finished. */
  finish(key: string, nowMs: number): void {
    this.sql.exec("DELETE FROM notify_queue WHERE key = ?", key);
    this.sql.exec("INSERT OR REPLACE INTO notify_sent (key, at) VALUES (?, ?)", key, nowMs);
  }

  /** A failed round: tried again at `nextAtMs`. */
  retry(key: string, error: string, nextAtMs: number): void {
    this.sql.exec("UPDATE notify_queue SET attempts = attempts + 1, last_error = ?, next_at = ? WHERE key = ?", error, nextAtMs, key);
  }

  /** Given up: set aside (and remembered as finished, so it is not queued again). */
  deadLetter(key: string, error: string, nowMs: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO notify_dead (key, recorder_id, event, error, at) SELECT key, recorder_id, event, ?, ? FROM notify_queue WHERE key = ?",
      error,
      nowMs,
      key,
    );
    this.finish(key, nowMs);
  }

  nextDueMs(): number | null {
    if (this.emptyKnown) return null;
    const m = this.sql.exec<{ m: number | null }>("SELECT MIN(next_at) AS m FROM notify_queue").one().m;
    this.emptyKnown = m === null;
    return m;
  }

  size(): number {
    if (this.emptyKnown) return 0;
    const n = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM notify_queue").one().n;
    this.emptyKnown = n === 0;
    return n;
  }

  deadCount(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM notify_dead").one().n;
  }

  /** Forgets finished keys and old dead letters (called now and then by the sender). */
  prune(nowMs: number): void {
    this.sql.exec("DELETE FROM notify_sent WHERE at < ?", nowMs - KEEP_SENT_MS);
    this.sql.exec("DELETE FROM notify_dead WHERE at < ?", nowMs - KEEP_DEAD_MS);
  }

  getMeta<T>(k: string): T | null {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM notify_meta WHERE k = ?", k).toArray()[0];
    return row ? (JSON.parse(row.v) as T) : null;
  }

  setMeta(k: string, v: unknown): void {
    this.sql.exec("INSERT OR REPLACE INTO notify_meta (k, v) VALUES (?, ?)", k, JSON.stringify(v));
  }
}
