import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { closedPositions, findPositionSymbol, livePositions } from "../../queries/positions";
import type { ManualCloseReply } from "../../durable/protocol";
import { symbolStub } from "../../durable/stubs";
import { ApiError } from "../errors";
import { jsonBody, validate } from "../validate";

const listQuery = z.object({
  status: z.enum(["open", "closed"]).optional(),
  recorderId: z.string().min(1).optional(),
  symbol: z.string().min(1).optional(),
});

const closeBody = z.object({ price: z.coerce.number().finite().positive().optional() }).strict();

export const positionRoutes = new Hono<{ Bindings: Env }>()
  .get("/", async (c) => {
    const f = validate(listQuery, c.req.query());
    const db = drizzle(c.env.DB);
    const open = f.status === "closed" ? [] : await livePositions(c.env, f);
    const closed = f.status === "open" ? [] : await closedPositions(db, f);
    return c.json({ positions: [...open, ...closed] });
  })
  .post("/:id/close", async (c) => {
    const { price } = validate(closeBody, await jsonBody(c.req.raw));
    const feedSymbol = await findPositionSymbol(c.env, drizzle(c.env.DB), c.req.param("id"));
    if (!feedSymbol) throw new ApiError(404, "not_found", "No position with this id.");
    const reply = (await symbolStub(c.env, feedSymbol).closePosition(c.req.param("id"), price)) as ManualCloseReply;
    if (!reply.ok) throw new ApiError(reply.status, reply.error.code, reply.error.message);
    return c.json({ ok: true, position: reply.position, trade: reply.trade });
  });
