// GET /status: every symbol's feed, positions, scheduled signals and D1 delivery health (dead letters), plus
// `health` per symbol — live / delayed / stale / down, with how far behind and how long since the last tick
// (src/api/feed-health.ts) — and `now`, the Worker's clock, so a client ages those seconds from the same clock.
import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { symbols } from "../../db/schema";
import { directoryStub, symbolStub } from "../../durable/stubs";
import { feedHealth } from "../feed-health";
import type { StatusResponse } from "../types";

export const statusRoutes = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  // D1's registry, plus the directory (a symbol whose first signal is still waiting for D1 is listed too).
  const rows = await drizzle(c.env.DB).select({ feedSymbol: symbols.feedSymbol }).from(symbols);
  const names = [...new Set([...rows.map((r) => r.feedSymbol), ...(await directoryStub(c.env).active())])].sort();
  const list = await Promise.all(names.map((n) => symbolStub(c.env, n).status()));
  const now = Date.now();
  const body: StatusResponse = {
    ok: true,
    now: new Date(now).toISOString(),
    symbols: list.map((s, i) => ({ ...s, feedSymbol: s.feedSymbol || names[i], health: feedHealth(s.feed, now) })),
  };
  return c.json(body);
});
