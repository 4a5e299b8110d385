// CONTRACT "Backtest beside live": import a TradingView "List of trades" CSV for a recorder, drop it, and compare
// it with the live record. Thin: parsing, storage and matching live in src/backtest.
//   POST   /api/recorders/:id/backtest    raw CSV body (≤ 5 MiB) → {imported} (trades, not rows)
//   GET    /api/recorders/:id/backtest    → {backtest: {importedAt, trades, currency, layout} | null}
//   DELETE /api/recorders/:id/backtest    → {ok, deleted} (backtest trades removed)
//   GET    /api/recorders/:id/comparison?toleranceSeconds=300 → {summary, trades}
import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { compareTrades } from "../../backtest/compare";
import { parseListOfTrades } from "../../backtest/csv";
import { deleteBacktest, importInfo, loadBacktest, replaceBacktest } from "../../backtest/store";
import { findInstrument } from "../../engine/instruments";
import { allTrades } from "../../queries/trades";
import { asEntryTrades } from "../../stats/entry-trades";
import { readBodyLimited } from "../../webhook/read-body";
import { ApiError } from "../errors";
import { validate } from "../validate";
import { mustGet } from "./recorders";

/** 5 MiB: a List of trades row is ~150 bytes, two rows per trade, so ~15 000 trades fit (MAX_TRADES is the cap). */
export const BACKTEST_BODY_LIMIT = 5 * 1024 * 1024;

const comparisonQuery = z.object({
  // Digits only: "" or "1e3" or "-5" is a mistake to report, not a number to coerce.
  toleranceSeconds: z
    .string()
    .regex(/^\d{1,6}$/, "must be a whole number of seconds from 0 to 86400")
    .transform(Number)
    .pipe(z.number().int().min(0, "must be ≥ 0").max(86_400, "must be ≤ 86400 (one day)"))
    .default(300),
});

export const backtestRoutes = new Hono<{ Bindings: Env }>()
  .post("/:id/backtest", async (c) => {
    const recorder = await mustGet(c.env, c.req.param("id"));
    const text = await readCsvBody(c.req.raw);
    const parsed = parseListOfTrades(text, recorder.timezone);
    if (!parsed.ok) {
      throw new ApiError(400, "invalid_csv", `Line ${parsed.line}: ${parsed.message}.`, [{ line: parsed.line, problem: parsed.message }]);
    }
    if (!(await replaceBacktest(drizzle(c.env.DB), recorder.id, parsed, new Date().toISOString()))) {
      throw new ApiError(404, "not_found", "No recorder with this id.");
    }
    return c.json({ imported: parsed.trades.length });
  })
  .get("/:id/backtest", async (c) => {
    const recorder = await mustGet(c.env, c.req.param("id"));
    return c.json({ backtest: await importInfo(drizzle(c.env.DB), recorder.id) });
  })
  .delete("/:id/backtest", async (c) => {
    const recorder = await mustGet(c.env, c.req.param("id"));
    return c.json({ ok: true, deleted: await deleteBacktest(drizzle(c.env.DB), recorder.id) });
  })
  .get("/:id/comparison", async (c) => {
    const { toleranceSeconds } = validate(comparisonQuery, c.req.query());
    const recorder = await mustGet(c.env, c.req.param("id"));
    const db = drizzle(c.env.DB);
    const [backtest, live] = await Promise.all([loadBacktest(db, recorder.id), allTrades(db, recorder.id)]);
    const tickSize = (symbol: string) => recorder.tickSize ?? findInstrument(symbol)?.tickSize;
    return c.json(compareTrades(backtest, asEntryTrades(live), { toleranceSeconds, tickSize }));
  });

/** The raw body, ≤ BACKTEST_BODY_LIMIT bytes (413 with a message about CSVs, not about alert messages). */
async function readCsvBody(req: Request): Promise<string> {
  try {
    return await readBodyLimited(req, BACKTEST_BODY_LIMIT);
  } catch (e) {
    if (e instanceof ApiError && e.status === 413) {
      throw new ApiError(413, "payload_too_large", "The CSV is larger than 5 MiB; export a shorter period from the Strategy Tester.");
    }
    throw e;
  }
}
