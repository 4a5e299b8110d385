// /api/recorders/:id/notifications: a recorder's notification targets (src/notify/). Thin: validation here, the
// work in notify/targets.ts and notify/test-send.ts. No response ever holds a target's URL or bot token.
import { Hono } from "hono";
import { forgetTargetsEverywhere } from "../../notify/forget";
import type { EpochBump } from "../../recorders/repository";
import { revokeLookups } from "../revoke-lookups";
import { createTarget, createTargetSchema, deleteTarget, listTargets, patchTarget, patchTargetSchema } from "../../notify/targets";
import { sendTest } from "../../notify/test-send";
import { ApiError, errorBody } from "../errors";
import { jsonBody, validate } from "../validate";
import { mustGet } from "./recorders";

function targetNotFound() {
  return new ApiError(404, "not_found", "No notification target with this id for this recorder.");
}

/** After a change of a recorder's targets (its config epoch bumped with it, notify/targets.ts): leases that knew
 * which events it wanted end, and every cached copy of its targets is dropped. */
async function targetsChanged(env: Env, id: string, bumped: readonly EpochBump[]): Promise<void> {
  // (Independent, both best effort: neither waits for the other's unreachable object.)
  await Promise.all([revokeLookups(env, bumped), forgetTargetsEverywhere(env, id)]);
}

export const notificationRoutes = new Hono<{ Bindings: Env }>()
  .get("/:id/notifications", async (c) => {
    const id = c.req.param("id");
    await mustGet(c.env, id);
    return c.json({ targets: await listTargets(c.env, id) });
  })
  .post("/:id/notifications", async (c) => {
    const id = c.req.param("id");
    await mustGet(c.env, id);
    const input = validate(createTargetSchema, await jsonBody(c.req.raw));
    const { target, bumped } = await createTarget(c.env, id, input, new Date().toISOString());
    await targetsChanged(c.env, id, bumped);
    return c.json({ target }, 201);
  })
  .patch("/:id/notifications/:targetId", async (c) => {
    const id = c.req.param("id");
    await mustGet(c.env, id);
    const patch = validate(patchTargetSchema, await jsonBody(c.req.raw));
    const { target, bumped } = await patchTarget(c.env, id, c.req.param("targetId"), patch, new Date().toISOString());
    if (!target) throw targetNotFound();
    await targetsChanged(c.env, id, bumped);
    return c.json({ target });
  })
  .delete("/:id/notifications/:targetId", async (c) => {
    const id = c.req.param("id");
    await mustGet(c.env, id);
    const { deleted, bumped } = await deleteTarget(c.env, id, c.req.param("targetId"));
    if (!deleted) throw targetNotFound();
    await targetsChanged(c.env, id, bumped);
    return c.json({ ok: true, deleted: c.req.param("targetId") });
  })
  .post("/:id/notifications/:targetId/test", async (c) => {
    const id = c.req.param("id");
    await mustGet(c.env, id);
    const r = await sendTest(c.env, id, c.req.param("targetId"));
    if (!r.found) throw targetNotFound();
    if (r.ok) return c.json({ ok: true, status: r.status });
    const what = r.status === null ? r.error : `answered HTTP ${r.status}`;
    return c.json(errorBody({ code: "target_failed", message: `The target ${what}; check its URL (or bot token and chat id) and that it accepts posts.`, details: { status: r.status } }), 502);
  });
