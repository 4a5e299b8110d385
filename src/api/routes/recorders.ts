import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { fills, positions, recorders, signals, trades } from "../../db/schema";
import {
  createRecorder,
  getRecorder,
  listRecorders,
  patchRecorder,
  recorderView,
  rotateToken,
} from "../../recorders/repository";
import { createRecorderSchema, patchRecorderSchema } from "../../recorders/settings";
import { recorderActivity } from "../../queries/positions";
import { ApiError } from "../errors";
import { jsonBody, validate } from "../validate";

export const recorderRoutes = new Hono<{ Bindings: Env }>()
  .post("/", async (c) => {
    const input = validate(createRecorderSchema, await jsonBody(c.req.raw));
    const recorder = await createRecorder(drizzle(c.env.DB), input, new Date().toISOString());
    return c.json({ recorder }, 201);
  })
  .get("/", async (c) => c.json({ recorders: await listRecorders(drizzle(c.env.DB)) }))
  .get("/:id", async (c) => c.json({ recorder: recorderView(await mustGet(c.env, c.req.param("id"))) }))
  .patch("/:id", async (c) => {
    const patch = validate(patchRecorderSchema, await jsonBody(c.req.raw));
    const recorder = await patchRecorder(drizzle(c.env.DB), c.req.param("id"), patch, new Date().toISOString());
    if (!recorder) throw notFound();
    return c.json({ recorder });
  })
  .delete("/:id", async (c) => {
    const id = c.req.param("id");
    const before = await mustGet(c.env, id);
    const db = drizzle(c.env.DB);
    // Disabled first, so no new signal gets past the token lookup while the symbols are asked; re-enabled when
    // the delete is refused. (A webhook already past the lookup lands in its symbol object and is seen there.)
    if (before.enabled) await db.update(recorders).set({ enabled: false }).where(eq(recorders.id, id));
    const refuse = async (e: ApiError) => {
      if (before.enabled) await db.update(recorders).set({ enabled: true }).where(eq(recorders.id, id));
      return e;
    };
    // Ask the symbol objects, not D1: a position whose delivery to D1 is still pending exists all the same.
    const activity = await recorderActivity(c.env, db, id);
    if (activity.openPositions > 0) {
      throw await refuse(new ApiError(409, "recorder_has_open_positions", `The recorder has ${activity.openPositions} open position(s): close them (POST /api/positions/:id/close) or disable the recorder instead.`));
    }
    if (activity.pendingDeliveries > 0) {
      throw await refuse(new ApiError(409, "recorder_busy", "Some of this recorder's trades are still being written; try again in a minute."));
    }
    await db.batch([
      db.delete(recorders).where(eq(recorders.id, id)),
      db.delete(trades).where(eq(trades.recorderId, id)),
      db.delete(fills).where(eq(fills.recorderId, id)),
      db.delete(positions).where(eq(positions.recorderId, id)),
      db.delete(signals).where(eq(signals.recorderId, id)),
    ]);
    return c.json({ ok: true, deleted: id });
  })
  .post("/:id/rotate-token", async (c) => {
    const recorder = await rotateToken(drizzle(c.env.DB), c.req.param("id"), new Date().toISOString());
    if (!recorder) throw notFound();
    return c.json({ recorder });
  });

function notFound() {
  return new ApiError(404, "not_found", "No recorder with this id.");
}

export async function mustGet(env: Env, id: string) {
  const r = await getRecorder(drizzle(env.DB), id);
  if (!r) throw notFound();
  return r;
}
