import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { symbols } from "../../db/schema";

export const statusRoutes = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const rows = await drizzle(c.env.DB).select({ feedSymbol: symbols.feedSymbol }).from(symbols);
  const list = await Promise.all(rows.map((r) => c.env.SYMBOLS.getByName(r.feedSymbol).status()));
  return c.json({ ok: true, symbols: list.map((s, i) => ({ ...s, feedSymbol: s.feedSymbol || rows[i].feedSymbol })) });
});
