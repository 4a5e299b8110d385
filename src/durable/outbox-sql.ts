// The outbox's statements (outbox.ts): a page of entries becomes ONE statement per table it writes (symbols,
// positions, fills, trades, signals), each inserting every row of that table from a single JSON parameter through
// `json_each(?)`, instead of one drizzle-built statement per row.
//
// Why (outbox.ts's header): the bar-close burst (issue #13) is CPU-bound under `wrangler dev`, and its profile showed
// the delivery building a drizzle statement per row and D1 running one per row (a close: 4). Here the SQL text is
// built once, at module load, and a page costs at most 5 statements whatever its size (one more per ~512 KB of a
// table's rows).
//
// Same rows as the drizzle statements they replace (test/durable/outbox-bulk.test.ts compares the two):
// - The columns, their order, the driver value of each (a JSON-mode column's JSON.stringify, a boolean's 0/1) and
//   the default of a value left out (`version`, `body_truncated`) come from the drizzle schema (src/db/schema.ts),
//   through drizzle's own column objects, so a column added there is written here too. Each row is a JSON array in
//   column order; `json_extract(value, '$[i]')` of a JSON string is the bare string, which is why a JSON-mode value
//   is put in already stringified (the TEXT drizzle would bind), never as a nested object. A value read back from
//   the JSON is the value bound before: a string's bytes (NUL and a lone surrogate included), a double from its
//   shortest text, a JSON integer in a REAL column stored as REAL (the test pins values, types and bytes).
// - The conflict clauses are drizzle's, written against `excluded` (a single-row upsert's bound values are its
//   `excluded` row): a position moves only to a higher `version`; a signal-log row only from "scheduled" to an
//   outcome; fills, trades and symbols are written once. json_each yields rows in array order and each row's upsert
//   sees the rows before it, so a page's rows, kept in seq order, end as the one-statement-per-row batch did.
// - `WHERE true`: SQLite's upsert parsing ambiguity (an `ON CONFLICT` right after `INSERT … SELECT … FROM t` would
//   be read as a join constraint).
// - No foreign keys or triggers (migrations/), so the order between tables is free; it stays the old one per entry:
//   symbol, position, its fills, its trade, signal.
// D1 limits: one bound parameter per statement (of 100), SQL text ~1 KB (of 100 KB), and a table's rows split into
// several statements when a JSON parameter would pass MAX_PARAM (a string may be 2 MB; UTF-16 length 512 K is at
// most 1.5 MB of UTF-8).
import { getTableColumns, getTableName, is, SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { fills, positions, signals, symbols, trades } from "../db/schema";
import type { OutboxOp } from "./outbox-op";

/** One statement of a D1 batch, as plain data (outbox.ts prepares and binds it in `send`). */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Largest JSON parameter (UTF-16 code units) before a table's rows go on in another statement. */
export const MAX_PARAM = 512 * 1024;

/** A table's bulk insert: its SQL (built once) and how a row becomes one element of the JSON parameter. */
class BulkInsert<T extends SQLiteTable> {
  readonly sql: string;
  private readonly columns: [key: string, column: SQLiteColumn][];

  constructor(table: T, conflict: string) {
    this.columns = Object.entries(getTableColumns(table) as Record<string, SQLiteColumn>);
    for (const [key, c] of this.columns) {
      // (drizzle writes an SQL default or a defaultFn's value, and skips a generated column; none is used by these
      // tables, nor handled here: fail at load rather than write other rows than drizzle would.)
      if (is(c.default, SQL) || c.defaultFn !== undefined || c.onUpdateFn !== undefined || c.generated !== undefined) {
        throw new Error(`outbox-sql: column ${getTableName(table)}.${key} is not a plain column this bulk insert can write`);
      }
    }
    const names = this.columns.map(([, c]) => `"${c.name}"`).join(", ");
    const values = this.columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(", ");
    this.sql = `insert into "${getTableName(table)}" (${names}) select ${values} from json_each(?) where true ${conflict}`;
  }

  /** The row as the JSON text of one array element: each column's driver value, as drizzle's insert binds it (a
   * value left out: the column's default, else null). */
  row(values: T["$inferInsert"]): string {
    const v = values as Record<string, unknown>;
    const out: unknown[] = [];
    for (const [key, c] of this.columns) {
      let x = v[key];
      if (x === undefined) x = c.default ?? null;
      out.push(x === null ? null : c.mapToDriverValue(x));
    }
    return JSON.stringify(out);
  }

  /** The statements inserting `rows` (from `row`), in order: one, or more when the parameter would pass MAX_PARAM. */
  statements(rows: readonly string[], out: Statement[]): void {
    let chunk: string[] = [];
    let length = 2;
    for (const r of rows) {
      if (chunk.length > 0 && length + r.length + 1 > MAX_PARAM) {
        out.push({ sql: this.sql, params: [`[${chunk.join(",")}]`] });
        chunk = [];
        length = 2;
      }
      chunk.push(r);
      length += r.length + 1;
    }
    if (chunk.length > 0) out.push({ sql: this.sql, params: [`[${chunk.join(",")}]`] });
  }
}

const SYMBOLS = new BulkInsert(symbols, "on conflict do nothing");
const POSITIONS = new BulkInsert(
  positions,
  `on conflict ("positions"."id") do update set "status" = excluded."status", "closed_at" = excluded."closed_at", ` +
    `"data" = excluded."data", "version" = excluded."version" where excluded.version > "positions"."version"`,
);
const FILLS = new BulkInsert(fills, "on conflict do nothing");
const TRADES = new BulkInsert(trades, "on conflict do nothing");
// A "scheduled" row is replaced by its outcome; an outcome is never replaced (so a late re-delivery of the scheduled
// version, or of the outcome itself, changes nothing).
const SIGNALS = new BulkInsert(
  signals,
  `on conflict ("signals"."id") do update set "status" = excluded.status, "result" = excluded.result, ` +
    `"reason" = excluded.reason, "error" = excluded.error, "position_id" = excluded.position_id, ` +
    `"applies_at" = coalesce(excluded.applies_at, "signals"."applies_at") ` +
    `where "signals"."status" = 'scheduled' and excluded.status <> 'scheduled'`,
);

/** The SQL of each table's bulk insert (for tests). */
export const BULK_SQL = { symbols: SYMBOLS.sql, positions: POSITIONS.sql, fills: FILLS.sql, trades: TRADES.sql, signals: SIGNALS.sql };

/**
 * The statements delivering a page of entries (in seq order; `seq` is a position's `version`): one per table with
 * rows (more past MAX_PARAM), in the order symbols, positions, fills, trades, signals. Throws for an op it cannot
 * write (the caller counts it against the entry). A one-entry page is the per-entry fallback.
 */
export function pageStatements(entries: readonly { readonly seq: number; readonly op: OutboxOp }[]): Statement[] {
  // Every entry's rows are sent, even a position version's fills already in the page (a later one changes nothing,
  // but a malformed one must still fail the page as its own statement did).
  const rows = { symbols: [] as string[], positions: [] as string[], fills: [] as string[], trades: [] as string[], signals: [] as string[] };

  const position = (seq: number, p: Extract<OutboxOp, { t: "position" }>["position"]) => {
    rows.positions.push(
      POSITIONS.row({
        id: p.id,
        recorderId: p.recorderId,
        symbol: p.symbol,
        feedSymbol: p.feedSymbol,
        status: p.status,
        openedAt: p.openedAt,
        closedAt: p.closedAt,
        data: p,
        version: seq,
      }),
    );
    p.fills.forEach((f, i) => {
      rows.fills.push(FILLS.row({ id: `${p.id}:${i}`, positionId: p.id, recorderId: p.recorderId, symbol: p.symbol, ...f }));
    });
  };

  for (const { seq, op } of entries) {
    switch (op.t) {
      case "symbol":
        rows.symbols.push(SYMBOLS.row({ feedSymbol: op.feedSymbol, root: op.root, firstSeenAt: op.at }));
        break;
      case "position":
        position(seq, op.position);
        break;
      case "closed":
        position(seq, op.position);
        rows.trades.push(TRADES.row(op.trade));
        break;
      case "trade":
        rows.trades.push(TRADES.row(op.trade));
        break;
      case "signal": {
        const r = op.row;
        rows.signals.push(
          SIGNALS.row({
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
          }),
        );
        break;
      }
      default:
        throw new Error(`outbox: unknown op ${JSON.stringify((op as { t?: unknown }).t)}`);
    }
  }

  const out: Statement[] = [];
  SYMBOLS.statements(rows.symbols, out);
  POSITIONS.statements(rows.positions, out);
  FILLS.statements(rows.fills, out);
  TRADES.statements(rows.trades, out);
  SIGNALS.statements(rows.signals, out);
  return out;
}
