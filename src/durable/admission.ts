// Admission of a signal at its symbol object, before the engine sees it: duplicates (CONTRACT "Duplicates") and
// the recorder's rate limit. A retried duplicate gets its first answer before the rate limit is counted, so a
// TradingView retry is never a 429. The limit itself is recorder-wide (all symbols, accepted and rejected
// signals alike): rate-lease.ts counts it, leased by the recorder's gate object (recorder-gate.ts).
import type { SignalApplied, SignalRequest } from "./protocol";

/** How long signal ids are remembered for duplicate detection. */
export const SEEN_RETENTION_MS = 30 * 24 * 3600_000;

/** The `seen` table: per recorder, the dedupe key of every applied (or scheduled) signal and its reply. */
export class SeenSignals {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS seen (
      recorder_id TEXT NOT NULL, key TEXT NOT NULL, at_ms INTEGER NOT NULL, reply TEXT NOT NULL,
      PRIMARY KEY (recorder_id, key))`);
  }

  get(recorderId: string, key: string): { atMs: number; reply: string } | undefined {
    const r = this.sql
      .exec<{ at_ms: number; reply: string }>("SELECT at_ms, reply FROM seen WHERE recorder_id = ? AND key = ?", recorderId, key)
      .toArray()[0];
    return r ? { atMs: r.at_ms, reply: r.reply } : undefined;
  }

  put(recorderId: string, key: string, atMs: number, reply: string): void {
    this.sql.exec(
      `INSERT INTO seen (recorder_id, key, at_ms, reply) VALUES (?, ?, ?, ?)
       ON CONFLICT(recorder_id, key) DO UPDATE SET at_ms = excluded.at_ms, reply = excluded.reply`,
      recorderId,
      key,
      atMs,
      reply,
    );
  }

  remove(recorderId: string, key: string): void {
    this.sql.exec("DELETE FROM seen WHERE recorder_id = ? AND key = ?", recorderId, key);
  }

  forgetBefore(atMs: number): void {
    this.sql.exec("DELETE FROM seen WHERE at_ms < ?", atMs);
  }
}

/** By id (for SEEN_RETENTION_MS); without an id, a byte-identical body within the recorder's window. */
export function dedupeKey(req: SignalRequest): string | null {
  if (req.signal.id) return `id:${req.signal.id}`;
  if (req.recorder.dedupeWindowSeconds > 0) return `body:${req.bodyHash}`;
  return null;
}

export class Duplicates {
  /** remember() and forget() calls so far, and the count at each recorder's latest one. */
  private writes = 0;
  private readonly lastWrite = new Map<string, number>();
  /** `writes` when lastWrite was last cleared (bounded: a symbol may see many recorders). */
  private clearedAt = 0;

  constructor(private readonly seen: SeenSignals) {}

  /** A mark to pass to changedSince(). */
  get stamp(): number {
    return this.writes;
  }

  /** Whether a signal of this recorder was remembered or forgotten since `stamp` (true when not known). Keys are per
   * recorder, and nothing else changes what find() answers for a signal it found new (only old entries are
   * deleted): while this is false, a second find() of the same signal would answer the same, so an await between
   * two checks costs no second read. */
  changedSince(recorderId: string, stamp: number): boolean {
    return this.clearedAt > stamp || (this.lastWrite.get(recorderId) ?? -1) > stamp;
  }

  private wrote(recorderId: string): void {
    this.writes++;
    if (this.lastWrite.size >= 10_000) {
      this.lastWrite.clear();
      this.clearedAt = this.writes;
    }
    this.lastWrite.set(recorderId, this.writes);
  }

  /** The first reply to this signal when it is a duplicate, else null. */
  find(req: SignalRequest, nowMs: number): SignalApplied | null {
    const key = dedupeKey(req);
    if (!key) return null;
    const seen = this.seen.get(req.recorder.id, key);
    if (!seen) return null;
    if (!req.signal.id && nowMs - seen.atMs > req.recorder.dedupeWindowSeconds * 1000) return null;
    return JSON.parse(seen.reply) as SignalApplied;
  }

  /** Remembers the reply (again when a scheduled signal is applied: a later duplicate gets the final answer).
   * `atMs` is the receipt time, so the body window counts from the first receipt. */
  remember(req: SignalRequest, atMs: number, reply: SignalApplied): void {
    const key = dedupeKey(req);
    if (key) {
      this.wrote(req.recorder.id);
      this.seen.put(req.recorder.id, key, atMs, JSON.stringify(reply));
    }
  }

  /** Forgets a signal (a scheduled one refused when it came due): a retry is judged afresh. */
  forget(req: SignalRequest): void {
    const key = dedupeKey(req);
    if (key) {
      this.wrote(req.recorder.id);
      this.seen.remove(req.recorder.id, key);
    }
  }

  forgetExpired(nowMs: number): void {
    this.seen.forgetBefore(nowMs - SEEN_RETENTION_MS);
  }
}
