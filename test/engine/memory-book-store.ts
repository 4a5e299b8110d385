// The BookStore of src/durable/book-store.ts in memory, for driving the real durable book and its recovery
// (src/durable/durable-book.ts) in the randomized engine test without a Durable Object. JSON round trips make it
// as forgetful as SQLite: what was not written is gone after a restart.
import { extrasFromRows, type BookStore, type Checkpoint, type JournalRow, type LastTick } from "../../src/durable/book-store";
import type { PendingOrder } from "../../src/engine/pending";
import type { RecorderMemo } from "../../src/engine/rules";
import type { BookExtras } from "../../src/engine/book";
import type { PositionState } from "../../src/engine/types";

export class MemoryBookStore implements BookStore {
  private positions = new Map<string, { state: string; seq: number }>();
  private rows: JournalRow[] = [];
  private last: string | undefined;
  /** One row per recorder, in insertion order like the SQLite table's rowid. */
  private extras = new Map<string, string>();
  /** setExtras calls (the randomized test checks that plain ticks write none). */
  extrasWrites = 0;

  loadPositions(): Checkpoint[] {
    return [...this.positions.values()].map((p) => ({ state: JSON.parse(p.state) as PositionState, checkpointSeq: p.seq }));
  }
  checkpoint(state: PositionState, seq: number): void {
    this.positions.set(state.id, { state: JSON.stringify(state), seq });
  }
  removePosition(id: string): void {
    this.positions.delete(id);
  }
  journal(row: JournalRow): void {
    // Rows come in sequence order (O(1)); a rewrite of an existing seq replaces it, like INSERT OR REPLACE.
    const lastRow = this.rows[this.rows.length - 1];
    if (lastRow !== undefined && lastRow.seq >= row.seq) {
      this.rows = this.rows.filter((r) => r.seq !== row.seq);
      this.rows.push({ ...row });
      this.rows.sort((a, b) => a.seq - b.seq);
      return;
    }
    this.rows.push({ ...row });
  }
  journalSince(seq: number): JournalRow[] {
    return this.rows.filter((r) => r.seq > seq).map((r) => ({ ...r }));
  }
  compactJournal(): void {
    const seqs = [...this.positions.values()].map((p) => p.seq);
    const min = seqs.length ? Math.min(...seqs) : Infinity;
    this.rows = this.rows.filter((r) => r.seq > min);
  }
  highestSeq(): number {
    let m = this.rows.length > 0 ? this.rows[this.rows.length - 1].seq : 0;
    for (const p of this.positions.values()) if (p.seq > m) m = p.seq;
    return m;
  }
  getLast(): LastTick | undefined {
    return this.last === undefined ? undefined : (JSON.parse(this.last) as LastTick);
  }
  setLast(last: LastTick): void {
    this.last = JSON.stringify(last);
  }
  loadExtras(): BookExtras {
    return extrasFromRows([...this.extras].map(([recorderId, data]) => ({ recorderId, ...JSON.parse(data) })));
  }
  saveRecorderExtras(recorderId: string, x: { memo?: RecorderMemo; pending?: PendingOrder }): void {
    const stored = this.extras.get(recorderId);
    // Like SqlBookStore: a newly placed order moves its row last (row order = placement order).
    if (x.pending !== undefined && (stored === undefined || JSON.parse(stored).pending?.id !== x.pending.id)) this.extras.delete(recorderId);
    if (x.memo === undefined && x.pending === undefined) this.extras.delete(recorderId);
    else this.extras.set(recorderId, JSON.stringify(x));
    this.extrasWrites++;
  }
}
