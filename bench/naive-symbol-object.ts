// The BASELINE symbol Durable Object for `npm run bench`: what the original system did, minus its SQLite
// connection per position: the naive book (visits every open position per tick) and, after each tick, one row
// written for every open position whose stored values changed (last price, worst/best excursion), plus the
// same `last` meta row as the real object. Never deployed: bench/worker.ts is its only user.
import { DurableObject } from "cloudflare:workers";
import { NaiveSymbolBook } from "./naive-book";
import type { PositionState } from "../src/engine/types";
import { MNQ, primed, SCENARIOS, times, type Scenario } from "./scenario";

export class NaiveSymbolObject extends DurableObject<Env> {
  private book = new NaiveSymbolBook({ newId: () => crypto.randomUUID() });
  private sql: SqlStorage;
  private written = new Map<string, string>();
  private seq = 0;
  rowsWritten = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS positions (
        id TEXT PRIMARY KEY, state TEXT NOT NULL, last_price_ticks REAL, worst REAL, worst_price REAL, worst_at TEXT,
        best REAL, best_price REAL, best_at TEXT);
    `);
  }

  private write(query: string, ...bindings: unknown[]): void {
    this.rowsWritten += this.sql.exec(query, ...bindings).rowsWritten;
  }

  async seed(n: number, scenario: Scenario = "flat"): Promise<number> {
    for (const s of SCENARIOS[scenario].signals(n)) {
      const out = this.book.applySignal({ ...s, instrument: MNQ });
      for (const st of out.changed) this.write("INSERT OR REPLACE INTO positions (id, state) VALUES (?, ?)", st.id, JSON.stringify(st));
    }
    // The trail scenario's priming tick (tick 0 of its walk, not measured; see TRAIL_WINDOW).
    if (primed(scenario)) this.onPrice(SCENARIOS[scenario].prices(1)[0], times(1, Date.UTC(2030, 0, 3))[0]);
    return this.book.size;
  }

  /** Runs `count` ticks of the bench walk from `offset`; returns rows written and open positions. */
  async ticks(offset: number, count: number, scenario: Scenario = "flat"): Promise<{ rowsWritten: number; open: number }> {
    const prices = SCENARIOS[scenario].prices(offset + count);
    const at = times(count, Date.UTC(2030, 0, 3) + offset * 100);
    const before = this.rowsWritten;
    for (let i = 0; i < count; i++) this.onPrice(prices[offset + i], at[i]);
    return { rowsWritten: this.rowsWritten - before, open: this.book.size };
  }

  private onPrice(price: number, at: string): void {
    this.seq++;
    this.write("INSERT INTO meta (k, v) VALUES ('last', ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", JSON.stringify({ seq: this.seq, price, at }));
    const { exits, changed } = this.book.applyTick(price, at);
    for (const e of exits) this.write("DELETE FROM positions WHERE id = ?", e.position.id);
    for (const st of changed ?? []) this.write("UPDATE positions SET state = ? WHERE id = ?", JSON.stringify(st), st.id); // a leg filled
    for (const s of this.book.liveStates()) this.persistIfChanged(s);
  }

  private persistIfChanged(s: PositionState): void {
    const key = `${s.lastPriceTicks}|${s.worstTickPnl}|${s.bestTickPnl}`;
    if (this.written.get(s.id) === key) return;
    this.written.set(s.id, key);
    this.write(
      "UPDATE positions SET last_price_ticks = ?, worst = ?, worst_price = ?, worst_at = ?, best = ?, best_price = ?, best_at = ? WHERE id = ?",
      s.lastPriceTicks, s.worstTickPnl, s.worstPriceTicks, s.worstAt, s.bestTickPnl, s.bestPriceTicks, s.bestAt, s.id,
    );
  }
}
