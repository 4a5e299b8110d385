import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { pageTrades } from "../../queries/trades";
import { validate } from "../validate";

const isoish = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "must be an ISO-8601 time");

const query = z.object({
  recorderId: z.string().min(1).optional(),
  symbol: z.string().min(1).optional(),
  from: isoish.optional(),
  to: isoish.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().min(1).optional(),
});

export const tradeRoutes = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const q = validate(query, c.req.query());
  const norm = (s?: string) => (s ? new Date(s).toISOString() : undefined);
  return c.json(await pageTrades(drizzle(c.env.DB), { ...q, from: norm(q.from), to: norm(q.to) }, q.limit, q.cursor));
});
