// GET /api/trades: closed trades, newest first, paged; GET /api/trades.csv: the same filters as one Strategy
// Tester "List of trades" CSV (src/stats/trades-csv.ts), so the trades screen's download is exactly the list the
// trader filtered (recorder, symbol, dates) — also across recorders, which the per-recorder
// /api/recorders/:id/trades.csv cannot do.
import { Hono } from "hono";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import { z } from "zod";
import type { Trade } from "../../engine/types";
import { findInstrument } from "../../engine/instruments";
import { pageTrades, type TradeFilter } from "../../queries/trades";
import { listRecorders } from "../../recorders/repository";
import { tradesCsv } from "../../stats";
import { ApiError } from "../errors";
import { validate } from "../validate";

const isoish = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time");

const filters = {
  recorderId: z.string().min(1).optional(),
  symbol: z.string().min(1).optional(),
  from: isoish.optional(),
  to: isoish.optional(),
};

const query = z.object({
  ...filters,
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).optional(),
});

const csvQuery = z.object(filters);

/** Most trades one CSV holds: a larger export is refused (narrow the dates) rather than cut short silently. */
export const CSV_MAX_TRADES = 50_000;

function normalized(q: TradeFilter): TradeFilter {
  const norm = (s?: string) => (s ? new Date(s).toISOString() : undefined);
  return { ...q, from: norm(q.from), to: norm(q.to) };
}

export const tradeRoutes = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const q = validate(query, c.req.query());
  return c.json(await pageTrades(drizzle(c.env.DB), normalized(q), q.limit, q.cursor));
});

/** Mounted at /api/trades.csv (src/api/app.ts). */
export const tradesCsvRoutes = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const f = normalized(validate(csvQuery, c.req.query()));
  const db = drizzle(c.env.DB);
  const [trades, recorders] = await Promise.all([allMatching(db, f), listRecorders(db)]);
  const byId = new Map(recorders.map((r) => [r.id, r]));
  if (f.recorderId && !byId.has(f.recorderId)) throw new ApiError(404, "not_found", "No recorder with this id.");
  // A recorder's tick override wins over the table, as everywhere else; the point value sizes "Position size (value)".
  const pointValue = new Map<string, number | undefined>();
  for (const t of trades) {
    const key = `${t.recorderId}|${t.symbol}`;
    if (pointValue.has(key)) continue;
    const r = byId.get(t.recorderId);
    const spec = findInstrument(t.symbol);
    const tickSize = r?.tickSize ?? spec?.tickSize;
    const tickValue = r?.tickValue ?? spec?.tickValue;
    pointValue.set(key, tickSize && tickValue ? tickValue / tickSize : undefined);
  }
  // The cumulative percent is relative to ONE account's capital: only for a single recorder.
  const one = f.recorderId ? byId.get(f.recorderId) : undefined;
  // The trades of several recorders may share a symbol with different overrides: look up per trade.
  const rows = trades.map((t) => ({ ...t, symbol: `${t.recorderId}|${t.symbol}` }));
  const csv = tradesCsv(rows, { pointValue: (key) => pointValue.get(key), initialCapital: one?.initialCapital ?? null });
  const name = `${(one?.name ?? "all_recorders").replace(/[^A-Za-z0-9_-]+/g, "_").slice(0, 60) || "recorder"}${f.symbol ? `_${f.symbol.replace(/[^A-Za-z0-9]+/g, "")}` : ""}_trades.csv`;
  return c.body(csv, 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${name}"`,
  });
});

/** Every trade matching the filters, through the same paging as GET /api/trades (newest first, 1 000 a page). */
async function allMatching(db: DrizzleD1Database, f: TradeFilter): Promise<Trade[]> {
  const out: Trade[] = [];
  let cursor: string | undefined;
  do {
    const page = await pageTrades(db, f, 1000, cursor);
    out.push(...page.trades);
    cursor = page.nextCursor ?? undefined;
    if (out.length > CSV_MAX_TRADES) {
      throw new ApiError(422, "too_many_trades", `More than ${CSV_MAX_TRADES} trades match these filters: narrow the dates (from / to) to download them in parts.`);
    }
  } while (cursor);
  return out;
}
