import { Hono } from "hono";
import { z } from "zod";
import { drizzle } from "drizzle-orm/d1";
import { and, eq, inArray, lte, ne } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import {
  backtestImports,
  backtestTrades,
  fills,
  notificationSummaries,
  notificationTargets,
  positions,
  recorders,
  signals,
  trades,
} from "../../db/schema";
import {
  bumpConfigEpochs,
  cloneRecorder,
  countFollowers,
  createRecorder,
  getRecorder,
  listRecorders,
  patchRecorder,
  recorderView,
  rotateToken,
  setEnabled,
} from "../../recorders/repository";
import { cloneRecorderSchema, createRecorderSchema, patchRecorderSchema } from "../../recorders/settings";
import { recorderActivity } from "../../queries/positions";
import { revokeLookups } from "../revoke-lookups";
import { gateStub } from "../../durable/stubs";
import { emptySummary, recorderSummaries } from "../../queries/recorder-summaries";
import { ApiError } from "../errors";
import { jsonBody, validate } from "../validate";

/** `?summary=true`: each recorder with its one-line summary (queries/recorder-summaries.ts). */
const listQuery = z.object({ summary: z.enum(["true", "false"]).optional() });

export const recorderRoutes = new Hono<{ Bindings: Env }>()
  .post("/", async (c) => {
    const input = validate(createRecorderSchema, await jsonBody(c.req.raw));
    const db = drizzle(c.env.DB);
    const recorder = await createRecorder(db, input, new Date().toISOString());
    await created(c.env, db, recorder);
    return c.json({ recorder }, 201);
  })
  .get("/", async (c) => {
    const { summary } = validate(listQuery, c.req.query());
    const db = drizzle(c.env.DB);
    const list = await listRecorders(db);
    if (summary !== "true") return c.json({ recorders: list });
    const summaries = await recorderSummaries(c.env, db);
    return c.json({ recorders: list.map((r) => ({ ...r, summary: summaries.get(r.id) ?? emptySummary() })) });
  })
  .get("/:id", async (c) => c.json({ recorder: recorderView(await mustGet(c.env, c.req.param("id"))) }))
  .patch("/:id", async (c) => {
    const patch = validate(patchRecorderSchema, await jsonBody(c.req.raw));
    const changed = await patchRecorder(drizzle(c.env.DB), c.req.param("id"), patch, new Date().toISOString());
    if (!changed) throw notFound();
    await revokeLookups(c.env, changed.bumped);
    return c.json({ recorder: changed.recorder });
  })
  .delete("/:id", async (c) => {
    const id = c.req.param("id");
    const before = await mustGet(c.env, id);
    const db = drizzle(c.env.DB);
    // A leader goes only once nobody follows it: its followers would silently stop recording otherwise.
    await refuseIfFollowed(db, id);
    // Disabled first, so no new signal gets past the token lookup while the symbols are asked; re-enabled when
    // the delete is refused. (A webhook already past the lookup lands in its symbol object and is seen there.)
    // (Cached lookups of it, and of its leader, are revoked with it: lookup-cache.ts.)
    if (before.enabled) await revokeLookups(c.env, await setEnabled(db, id, false));
    const refuse = async <E>(e: E) => {
      if (before.enabled) await revokeLookups(c.env, await setEnabled(db, id, true));
      return e;
    };
    // Ask the symbol objects, not D1: a position whose delivery to D1 is still pending exists all the same.
    const activity = await recorderActivity(c.env, db, id).catch(async (err: unknown) => {
      throw await refuse(err);
    });
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
      // The imported backtest goes with its recorder (reset keeps it: it is the reference, not the record).
      db.delete(backtestTrades).where(eq(backtestTrades.recorderId, id)),
      db.delete(backtestImports).where(eq(backtestImports.recorderId, id)),
      db.delete(notificationTargets).where(eq(notificationTargets.recorderId, id)),
      db.delete(notificationSummaries).where(eq(notificationSummaries.recorderId, id)),
    ]);
    return c.json({ ok: true, deleted: id });
  })
  .post("/:id/clone", async (c) => {
    const source = await mustGet(c.env, c.req.param("id"));
    const { name } = validate(cloneRecorderSchema, await jsonBody(c.req.raw));
    const db = drizzle(c.env.DB);
    const recorder = await cloneRecorder(db, source, name ?? `${source.name} (copy)`.slice(0, 120), new Date().toISOString());
    await created(c.env, db, recorder);
    return c.json({ recorder }, 201);
  })
  .post("/:id/reset", async (c) => {
    const id = c.req.param("id");
    await mustGet(c.env, id);
    const db = drizzle(c.env.DB);
    // Rows received from here on are not part of the reset (a signal may arrive meanwhile: the recorder stays
    // enabled, so no alert is turned away while it resets).
    const startedAt = new Date().toISOString();
    await assertIdle(c.env, db, id, "reset it");
    const deleted = await resetRecorder(db, id, startedAt);
    return c.json({ ok: true, reset: id, deleted });
  })
  .post("/:id/rotate-token", async (c) => {
    const rotated = await rotateToken(drizzle(c.env.DB), c.req.param("id"), new Date().toISOString());
    if (!rotated) throw notFound();
    await revokeLookups(c.env, rotated.bumped);
    return c.json({ recorder: rotated.recorder });
  });

/** A recorder was created: a follower's leader's lookup (which lists its followers) changed, and its gate learns
 * that it has no positions anywhere (one D1 read less at its first signal; if the gate cannot be told, that read
 * is made then). */
async function created(env: Env, db: DrizzleD1Database, recorder: { id: string; followsRecorderId: string | null }) {
  if (recorder.followsRecorderId) await revokeLookups(env, await bumpConfigEpochs(db, [recorder.followsRecorderId]));
  await gateStub(env, recorder.id)
    .newRecorder()
    .catch((err: unknown) => console.warn(`recorder ${recorder.id}: its gate was not told it is new: ${String(err)}`));
}

/** 409 `recorder_has_followers` while any recorder follows `id`. */
async function refuseIfFollowed(db: DrizzleD1Database, id: string) {
  const n = await countFollowers(db, id);
  if (n > 0) {
    throw new ApiError(409, "recorder_has_followers", `${n} recorder(s) follow this one: delete them or set their followsRecorderId to null first.`);
  }
}

/** 409 while the recorder has an open position or undelivered rows (asked of the symbol objects, as DELETE does). */
async function assertIdle(env: Env, db: DrizzleD1Database, id: string, what: string) {
  const activity = await recorderActivity(env, db, id);
  if (activity.openPositions > 0) {
    throw new ApiError(409, "recorder_has_open_positions", `The recorder has ${activity.openPositions} open position(s): close them (POST /api/positions/:id/close) before you ${what}.`);
  }
  if (activity.pendingDeliveries > 0) {
    throw new ApiError(409, "recorder_busy", "Some of this recorder's trades or signals are still being written; try again in a minute.");
  }
}

/**
 * CONTRACT "housekeeping": deletes the recorder's closed positions with their fills, its trades and its signal
 * log (rows received before `before`), in one D1 batch (all or nothing). Open positions' rows and fills are
 * never touched. The recorder itself, its settings, token and followers stay.
 */
async function resetRecorder(db: DrizzleD1Database, id: string, before: string) {
  const closed = db
    .select({ id: positions.id })
    .from(positions)
    .where(and(eq(positions.recorderId, id), eq(positions.status, "closed")));
  const [, tradeRes, positionRes, signalRes] = await db.batch([
    db.delete(fills).where(and(eq(fills.recorderId, id), inArray(fills.positionId, closed))),
    // Every trade is a closed round trip (a reopened position has a new id), so all of them go.
    db.delete(trades).where(eq(trades.recorderId, id)),
    db.delete(positions).where(and(eq(positions.recorderId, id), eq(positions.status, "closed"))),
    db.delete(signals).where(and(eq(signals.recorderId, id), lte(signals.receivedAt, before), ne(signals.status, "scheduled"))),
  ]);
  return { trades: changes(tradeRes), positions: changes(positionRes), signals: changes(signalRes) };
}

function changes(result: unknown): number {
  return (result as D1Result).meta?.changes ?? 0;
}

function notFound() {
  return new ApiError(404, "not_found", "No recorder with this id.");
}

export async function mustGet(env: Env, id: string) {
  const r = await getRecorder(drizzle(env.DB), id);
  if (!r) throw notFound();
  return r;
}
