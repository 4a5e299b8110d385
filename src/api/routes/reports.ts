// A recorder's performance report: Strategy Tester stats, the equity series for charts, the "List of trades" CSV.
// All three are computed in src/stats from the recorder's closed trades; open P&L comes live from the symbols.
// The recorder's initialCapital (optional) is the base of every percent figure and of Sharpe/Sortino; rows written
// before the setting existed have no value, which src/stats treats as "not configured" (those figures are null).
import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { findInstrument } from "../../engine/instruments";
import { livePositions } from "../../queries/positions";
import { allTrades } from "../../queries/trades";
import { computeStats, equitySeries, tradesCsv } from "../../stats";
import { mustGet } from "./recorders";

/** The recorder's initial capital, null when not set (also on rows that predate the column). */
function capitalOf(recorder: { initialCapital?: number | null }): number | null {
  return recorder.initialCapital ?? null;
}

export const reportRoutes = new Hono<{ Bindings: Env }>()
  .get("/:id/stats", async (c) => {
    const id = c.req.param("id");
    const recorder = await mustGet(c.env, id);
    const db = drizzle(c.env.DB);
    const [trades, open] = await Promise.all([allTrades(db, id), livePositions(c.env, { recorderId: id })]);
    const openPnl = open.reduce((s, p) => s + p.unrealizedPnl, 0);
    return c.json({ stats: computeStats(trades, { openPnl, initialCapital: capitalOf(recorder) }) });
  })
  .get("/:id/equity", async (c) => {
    const id = c.req.param("id");
    const recorder = await mustGet(c.env, id);
    const trades = await allTrades(drizzle(c.env.DB), id);
    return c.json({ points: equitySeries(trades, { includeStart: true, initialCapital: capitalOf(recorder) }) });
  })
  .get("/:id/trades.csv", async (c) => {
    const id = c.req.param("id");
    const recorder = await mustGet(c.env, id);
    const trades = await allTrades(drizzle(c.env.DB), id);
    const pointValue = (symbol: string) => {
      const spec = findInstrument(symbol);
      const tickSize = recorder.tickSize ?? spec?.tickSize;
      const tickValue = recorder.tickValue ?? spec?.tickValue;
      return tickSize && tickValue ? tickValue / tickSize : undefined;
    };
    const safeName = recorder.name.replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 60) || "recorder";
    return c.body(tradesCsv(trades, { pointValue, initialCapital: capitalOf(recorder) }), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${safeName}_trades.csv"`,
    });
  });
