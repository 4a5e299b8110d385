// A recorder's performance report: Strategy Tester stats (All, and Long / Short in `bySide`), the equity series for
// charts, the "List of trades" CSV.
// All three are computed in src/stats from the recorder's closed trades; open P&L comes live from the symbols.
// The recorder's initialCapital (optional) is the base of every percent figure and of Sharpe/Sortino; rows written
// before the setting existed have no value, which src/stats treats as "not configured" (those figures are null).
// `?pairing=round_trips` (default) counts one trade per round trip (CONTRACT "Trade"); `?pairing=entries` one per
// entry fill, exits matched first-in-first-out, each with its own run-up and drawdown (CONTRACT "Backtest beside
// live"; src/stats/entry-trades.ts); maxContractsHeld stays the positions' own. Anything else is 400
// invalid_request naming `pairing`.
import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import type { Trade } from "../../engine/types";
import { findInstrument } from "../../engine/instruments";
import { DEFAULT_TIMEZONE } from "../../engine/rules";
import { livePositions } from "../../queries/positions";
import { allTrades } from "../../queries/trades";
import { asEntryTrades, equitySeries, statsBySide, tradesCsv, type TradeRow } from "../../stats";
import { validate } from "../validate";
import { mustGet } from "./recorders";

const reportQuery = z.object({
  pairing: z.enum(["round_trips", "entries"]).default("round_trips"),
});

/** The trades a report counts, as `?pairing` asks (validated before any read). */
function pairingOf(query: Record<string, string>): { entries: boolean; paired: (rows: TradeRow[]) => Trade[] } {
  const { pairing } = validate(reportQuery, query);
  return pairing === "entries" ? { entries: true, paired: asEntryTrades } : { entries: false, paired: (rows) => rows };
}

/** The recorder's initial capital, null when not set (also on rows that predate the column). */
function capitalOf(recorder: { initialCapital?: number | null }): number | null {
  return recorder.initialCapital ?? null;
}

export const reportRoutes = new Hono<{ Bindings: Env }>()
  .get("/:id/stats", async (c) => {
    const { entries, paired } = pairingOf(c.req.query());
    const id = c.req.param("id");
    const recorder = await mustGet(c.env, id);
    const db = drizzle(c.env.DB);
    const [rows, open] = await Promise.all([allTrades(db, id), livePositions(c.env, { recorderId: id })]);
    const openPnl = { long: 0, short: 0 };
    const openTrades = { long: 0, short: 0 };
    for (const p of open) {
      openPnl[p.side] += p.unrealizedPnl;
      openTrades[p.side]++;
    }
    // The Strategy Tester's All / Long / Short columns: `stats` is All, `bySide` the two others.
    const { all: stats, long, short } = statsBySide(paired(rows), { openPnl, openTrades, initialCapital: capitalOf(recorder) });
    // Contracts held are the positions' (maxQuantity), however their trades are listed (as in the Strategy Tester).
    if (entries) {
      const held = (side?: Trade["side"]) => rows.reduce((m, t) => (side === undefined || t.side === side ? Math.max(m, t.quantity) : m), 0);
      stats.maxContractsHeld = held();
      long.maxContractsHeld = held("long");
      short.maxContractsHeld = held("short");
    }
    return c.json({ stats, bySide: { long, short } });
  })
  .get("/:id/equity", async (c) => {
    const { paired } = pairingOf(c.req.query());
    const id = c.req.param("id");
    const recorder = await mustGet(c.env, id);
    const trades = paired(await allTrades(drizzle(c.env.DB), id));
    return c.json({ points: equitySeries(trades, { includeStart: true, initialCapital: capitalOf(recorder) }) });
  })
  .get("/:id/trades.csv", async (c) => {
    const { paired } = pairingOf(c.req.query());
    const id = c.req.param("id");
    const recorder = await mustGet(c.env, id);
    const trades = paired(await allTrades(drizzle(c.env.DB), id));
    const pointValue = (symbol: string) => {
      const spec = findInstrument(symbol);
      const tickSize = recorder.tickSize ?? spec?.tickSize;
      const tickValue = recorder.tickValue ?? spec?.tickValue;
      return tickSize && tickValue ? tickValue / tickSize : undefined;
    };
    const safeName = recorder.name.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 60) || "recorder";
    return c.body(tradesCsv(trades, { pointValue, initialCapital: capitalOf(recorder), timeZone: recorder.timezone ?? DEFAULT_TIMEZONE }), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${safeName}_trades.csv"`,
    });
  });
