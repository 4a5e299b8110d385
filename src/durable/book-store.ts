// What the durable book needs from storage (book-store.ts) and its SQLite implementation over a Durable Object's
// own storage. Rows written per tick do not grow with the number of open positions:
// - `positions` holds each open position's full state as of its last checkpoint (a signal, a fill, an exit),
//   with the tick sequence number it was taken at;
// - `journal` holds only ticks that set a new low or high since the LATEST checkpoint of any position (see
//   durable-book.ts for why that recovers every position's excursions exactly);
// - `meta.last` is one upserted row with the last price, its market time, the tick sequence and the tick count,
//   written at most once a second (durable-book.ts says when more often, and what a restart may find stale in it).
// Every number written is checked finite first (assertFinite): a non-finite value is a bug upstream and must
// never become a row that a restart would load.
import type { BookExtras } from "../engine/book";
import { stateJson } from "../engine/position";
import type { PendingOrder } from "../engine/pending";
import type { RecorderMemo } from "../engine/rules";
import type { PositionState } from "../engine/types";
import { assertFinite } from "./finite";

export interface LastTick {
  seq: number;
  price: number | null;
  /** Market time of the last tick. */
  at: string | null;
  ticks: number;
  /** When the last tick was late (stamped before a live position's open), the last tick that was not: the last
   * price of the positions that did not see the late one(s). */
  normal?: JournalRow;
}

export type JournalRow = {
  seq: number;
  price: number;
  at: string;
};

export interface Checkpoint {
  state: PositionState;
  checkpointSeq: number;
}

/** The small storage surface the durable book runs on (SQLite in the object; memory in tests). */
export interface BookStore {
  loadPositions(): Checkpoint[];
  checkpoint(state: PositionState, seq: number): void;
  removePosition(id: string): void;
  journal(row: JournalRow): void;
  journalSince(seq: number): JournalRow[];
  /** Drops journal rows no open checkpoint can need again. */
  compactJournal(): void;
  /** The highest tick sequence number a journal row or a checkpoint holds (0: none): meta.last may be behind it. */
  highestSeq(): number;
  getLast(): LastTick | undefined;
  setLast(last: LastTick): void;
  /** The book's recorder memos and pending orders (SymbolBook.extras()), one row per recorder: written for the
   * recorders a signal or an exit changed, never per plain tick. */
  loadExtras(): BookExtras;
  saveRecorderExtras(recorderId: string, x: { memo?: RecorderMemo; pending?: PendingOrder }): void;
}

/** Saves every recorder's extras (a bulk load, e.g. the bench's seeding). */
export function saveAllExtras(store: BookStore, extras: BookExtras): void {
  const ids = new Set([...Object.keys(extras.memos), ...extras.pending.map((p) => p.recorderId)]);
  for (const id of ids) store.saveRecorderExtras(id, { memo: extras.memos[id], pending: extras.pending.find((p) => p.recorderId === id) });
}

/** Rows of (recorder, memo, pending) back into the book's extras, in row order: a row is re-inserted (moved last)
 * whenever its recorder places a new pending order, so row order is placement order (ties fill in it). */
export function extrasFromRows(rows: Iterable<{ memo?: RecorderMemo; pending?: PendingOrder; recorderId: string }>): BookExtras {
  const extras: BookExtras = { memos: {}, pending: [] };
  for (const r of rows) {
    if (r.memo) extras.memos[r.recorderId] = r.memo;
    if (r.pending) extras.pending.push(r.pending);
  }
  return extras;
}

/** Key/value rows of small state (instrument spec, feed mode, flags). */
export class MetaStore {
  constructor(private readonly sql: SqlStorage, private readonly count: (n: number) => void) {
    sql.exec("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
  }

  get<T>(k: string): T | undefined {
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = ?", k).toArray()[0];
    return row ? (JSON.parse(row.v) as T) : undefined;
  }

  set(k: string, v: unknown): void {
    assertFinite(v, `meta ${k}`);
    this.count(this.sql.exec("INSERT INTO meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, JSON.stringify(v)).rowsWritten);
  }
}

export class SqlBookStore implements BookStore {
  /** Rows written since creation (SqlStorageCursor.rowsWritten: what storage bills). Read by `npm run bench`. */
  rowsWritten = 0;
  readonly meta: MetaStore;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(`
      CREATE TABLE IF NOT EXISTS positions (
        id TEXT PRIMARY KEY, recorder_id TEXT NOT NULL, state TEXT NOT NULL, checkpoint_seq INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY, price REAL NOT NULL, at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS recorder_extras (recorder_id TEXT PRIMARY KEY, data TEXT NOT NULL);
    `);
    this.meta = new MetaStore(sql, (n) => (this.rowsWritten += n));
  }

  private write(query: string, ...bindings: unknown[]): void {
    this.rowsWritten += this.sql.exec(query, ...bindings).rowsWritten;
  }

  loadPositions(): Checkpoint[] {
    return this.sql
      .exec<{ state: string; checkpoint_seq: number }>("SELECT state, checkpoint_seq FROM positions")
      .toArray()
      .map((r) => ({ state: JSON.parse(r.state) as PositionState, checkpointSeq: r.checkpoint_seq }));
  }

  checkpoint(state: PositionState, seq: number): void {
    assertFinite(state, `position ${state.id}`);
    this.write(
      `INSERT INTO positions (id, recorder_id, state, checkpoint_seq) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, checkpoint_seq = excluded.checkpoint_seq`,
      state.id,
      state.recorderId,
      stateJson(state),
      seq,
    );
  }

  removePosition(id: string): void {
    this.write("DELETE FROM positions WHERE id = ?", id);
  }

  journal(row: JournalRow): void {
    assertFinite(row.price, "journal price");
    this.write("INSERT OR REPLACE INTO journal (seq, price, at) VALUES (?, ?, ?)", row.seq, row.price, row.at);
  }

  journalSince(seq: number): JournalRow[] {
    return this.sql.exec<JournalRow>("SELECT seq, price, at FROM journal WHERE seq > ? ORDER BY seq", seq).toArray();
  }

  compactJournal(): void {
    const row = this.sql.exec<{ m: number | null }>("SELECT MIN(checkpoint_seq) AS m FROM positions").toArray()[0];
    if (row?.m == null) this.write("DELETE FROM journal");
    else this.write("DELETE FROM journal WHERE seq <= ?", row.m);
  }

  highestSeq(): number {
    const row = this.sql
      .exec<{ m: number | null }>("SELECT MAX(m) AS m FROM (SELECT MAX(seq) AS m FROM journal UNION ALL SELECT MAX(checkpoint_seq) FROM positions)")
      .toArray()[0];
    return row?.m ?? 0;
  }

  getLast(): LastTick | undefined {
    return this.meta.get<LastTick>("last");
  }

  setLast(last: LastTick): void {
    this.meta.set("last", last);
  }

  loadExtras(): BookExtras {
    const rows = this.sql.exec<{ recorder_id: string; data: string }>("SELECT recorder_id, data FROM recorder_extras ORDER BY rowid").toArray();
    return extrasFromRows(rows.map((r) => ({ recorderId: r.recorder_id, ...(JSON.parse(r.data) as { memo?: RecorderMemo; pending?: PendingOrder }) })));
  }

  saveRecorderExtras(recorderId: string, x: { memo?: RecorderMemo; pending?: PendingOrder }): void {
    if (x.memo === undefined && x.pending === undefined) {
      this.write("DELETE FROM recorder_extras WHERE recorder_id = ?", recorderId);
      return;
    }
    assertFinite(x, `extras of ${recorderId}`);
    if (x.pending !== undefined) {
      const row = this.sql.exec<{ data: string }>("SELECT data FROM recorder_extras WHERE recorder_id = ?", recorderId).toArray()[0];
      const stored = row ? (JSON.parse(row.data) as { pending?: PendingOrder }).pending?.id : undefined;
      // A newly placed order moves its row last (see extrasFromRows).
      if (stored !== x.pending.id) this.write("DELETE FROM recorder_extras WHERE recorder_id = ?", recorderId);
    }
    this.write(
      "INSERT INTO recorder_extras (recorder_id, data) VALUES (?, ?) ON CONFLICT(recorder_id) DO UPDATE SET data = excluded.data",
      recorderId,
      JSON.stringify(x),
    );
  }
}
