// The BookStore of src/durable/book-store.ts in memory, for driving the real durable book and its recovery
// (src/durable/durable-book.ts) in the randomized engine test without a Durable Object. JSON round trips make it
// as forgetful as SQLite: what was not written is gone after a restart.
import type { BookStore, Checkpoint, JournalRow, LastTick } from "../../src/durable/book-store";
import type { BookExtras } from "../../src/engine/book";
import type { PositionState } from "../../src/engine/types";

export class MemoryBookStore implements BookStore {
  private positions = new Map<string, { state: string; seq: number }>();
  private rows: JournalRow[] = [];
  private last: string | undefined;
  private extras: string | undefined;
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
    this.rows = this.rows.filter((r) => r.seq !== row.seq);
    this.rows.push({ ...row });
    this.rows.sort((a, b) => a.seq - b.seq);
  }
  journalSince(seq: number): JournalRow[] {
    return this.rows.filter((r) => r.seq > seq).map((r) => ({ ...r }));
  }
  compactJournal(): void {
    const seqs = [...this.positions.values()].map((p) => p.seq);
    const min = seqs.length ? Math.min(...seqs) : Infinity;
    this.rows = this.rows.filter((r) => r.seq > min);
  }
  getLast(): LastTick | undefined {
    return this.last === undefined ? undefined : (JSON.parse(this.last) as LastTick);
  }
  setLast(last: LastTick): void {
    this.last = JSON.stringify(last);
  }
  getExtras(): BookExtras | undefined {
    return this.extras === undefined ? undefined : (JSON.parse(this.extras) as BookExtras);
  }
  setExtras(extras: BookExtras): void {
    this.extras = JSON.stringify(extras);
    this.extrasWrites++;
  }
}
