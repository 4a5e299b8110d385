import { Hono } from "hono";
import { and, desc, eq, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { signals } from "../../db/schema";
import { validate } from "../validate";

const query = z.object({
  recorderId: z.string().min(1).optional(),
  status: z.enum(["applied", "duplicate", "rejected", "scheduled"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const signalRoutes = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  const q = validate(query, c.req.query());
  const where: SQL[] = [];
  if (q.recorderId) where.push(eq(signals.recorderId, q.recorderId));
  if (q.status) where.push(eq(signals.status, q.status));
  const rows = await drizzle(c.env.DB)
    .select()
    .from(signals)
    .where(and(...where))
    .orderBy(desc(signals.receivedAt), desc(signals.id))
    .limit(q.limit);
  return c.json({
    signals: rows.map((r) => ({
      id: r.id,
      recorderId: r.recorderId,
      receivedAt: r.receivedAt,
      status: r.status,
      ...(r.result ? { result: r.result } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.appliesAt ? { appliesAt: r.appliesAt } : {}),
      symbol: r.symbol,
      positionId: r.positionId,
      body: r.body,
      ...(r.bodyTruncated ? { bodyTruncated: true } : {}),
    })),
  });
});
