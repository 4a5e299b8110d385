// Notification targets in D1 (table notification_targets): create, list, change, delete — and the sendable form
// (destination unsealed) the senders use. The sealed destination never leaves this file except as `Sendable`,
// which nothing serializes into a response or a log line.
//
// Limits: at most MAX_TARGETS per recorder; a label ≤ 60 characters; events a non-empty subset of EVENT_KINDS.
//
// Every change of a recorder's targets bumps its config epoch in the same D1 batch (returned as `bumped`, for
// revokeLookups): the webhook's lookup reads which events the targets want (recorders/webhook-lookup.ts), and a
// symbol object skips queueing the others only while its lease holds exactly the epoch they were read at
// (rate-lease.ts `notifyKinds`). The bump and the revoke end that at once.
import { and, asc, eq, exists, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { notificationTargets, recorders } from "../db/schema";
import { configEpochBump, type EpochBump } from "../recorders/repository";
import { ApiError } from "../lib/errors";
import { hasUsableSecret } from "../tradingview/crypto";
import { destinationInput, maskDestination, sealDestination, toDestination, unsealDestination, type Destination, type TargetKind } from "./destination";
import { EVENT_KINDS, type EventKind } from "./events";

export const MAX_TARGETS = 20;

const events = z
  .array(z.enum(EVENT_KINDS))
  .min(1)
  .max(EVENT_KINDS.length)
  .refine((a) => new Set(a).size === a.length, "lists an event twice");
const label = z.string().trim().max(60).regex(/^[^\p{Cc}]*$/u, "no control characters").nullable();

export const createTargetSchema = z.intersection(destinationInput, z.object({ events, enabled: z.boolean().optional(), label: label.optional() }));
export const patchTargetSchema = z
  .object({ events: events.optional(), enabled: z.boolean().optional(), label: label.optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, "nothing to change (events, enabled, label)");

/** What the API shows: never the destination itself. */
export interface TargetView {
  id: string;
  recorderId: string;
  kind: TargetKind;
  label: string | null;
  shown: string;
  events: EventKind[];
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A target ready to send to (only in memory). */
export interface Sendable {
  id: string;
  kind: TargetKind;
  events: EventKind[];
  enabled: boolean;
  dest: Destination;
}

type Row = typeof notificationTargets.$inferSelect;

function view(r: Row): TargetView {
  return {
    id: r.id,
    recorderId: r.recorderId,
    kind: r.kind,
    label: r.label,
    shown: r.shown,
    events: r.events as EventKind[],
    enabled: r.enabled,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

function key(env: Env): string {
  if (!hasUsableSecret(env.TV_SESSION_KEY)) {
    throw new ApiError(503, "not_configured", "TV_SESSION_KEY is not set (at least 16 characters): it encrypts notification targets' URLs and tokens.");
  }
  return env.TV_SESSION_KEY;
}

export async function listTargets(env: Env, recorderId: string): Promise<TargetView[]> {
  const rows = await drizzle(env.DB).select().from(notificationTargets).where(eq(notificationTargets.recorderId, recorderId)).orderBy(asc(notificationTargets.createdAt), asc(notificationTargets.id));
  return rows.map(view);
}

export async function createTarget(env: Env, recorderId: string, input: z.output<typeof createTargetSchema>, now: string): Promise<{ target: TargetView; bumped: EpochBump[] }> {
  const made = toDestination(input);
  if (!made.ok) throw new ApiError(400, "invalid_request", `Invalid ${made.field}: ${made.problem}.`, [{ field: made.field, problem: made.problem }]);
  const secret = key(env);
  const db = drizzle(env.DB);
  const count = (await db.select({ id: notificationTargets.id }).from(notificationTargets).where(eq(notificationTargets.recorderId, recorderId))).length;
  if (count >= MAX_TARGETS) throw new ApiError(409, "too_many_targets", `A recorder has at most ${MAX_TARGETS} notification targets: delete one first.`);
  const row: Row = {
    id: crypto.randomUUID(),
    recorderId,
    kind: made.dest.kind,
    label: input.label ?? null,
    secretEnc: await sealDestination(secret, made.dest),
    shown: maskDestination(made.dest),
    events: [...input.events],
    enabled: input.enabled ?? true,
    createdAt: now,
    updatedAt: now,
  };
  const [, bumped] = await db.batch([db.insert(notificationTargets).values(row), configEpochBump(db, recorderId)]);
  return { target: view(row), bumped };
}

export async function patchTarget(
  env: Env,
  recorderId: string,
  targetId: string,
  patch: z.output<typeof patchTargetSchema>,
  now: string,
): Promise<{ target: TargetView | null; bumped: EpochBump[] }> {
  const db = drizzle(env.DB);
  const [bumped, rows] = await db.batch([
    configEpochBump(db, recorderId, targetExists(db, recorderId, targetId)),
    db
      .update(notificationTargets)
      .set({ ...patch, updatedAt: now })
      .where(and(eq(notificationTargets.id, targetId), eq(notificationTargets.recorderId, recorderId)))
      .returning(),
  ]);
  return { target: rows[0] ? view(rows[0]) : null, bumped };
}

export async function deleteTarget(env: Env, recorderId: string, targetId: string): Promise<{ deleted: boolean; bumped: EpochBump[] }> {
  const db = drizzle(env.DB);
  const [bumped, rows] = await db.batch([
    configEpochBump(db, recorderId, targetExists(db, recorderId, targetId)),
    db
      .delete(notificationTargets)
      .where(and(eq(notificationTargets.id, targetId), eq(notificationTargets.recorderId, recorderId)))
      .returning({ id: notificationTargets.id }),
  ]);
  return { deleted: rows.length > 0, bumped };
}

/** (In the batch before the change: the epoch moves only when there is a target to change.) */
function targetExists(db: ReturnType<typeof drizzle>, recorderId: string, targetId: string) {
  return exists(db.select({ one: sql`1` }).from(notificationTargets).where(and(eq(notificationTargets.id, targetId), eq(notificationTargets.recorderId, recorderId))));
}

/** A recorder's targets with their destinations unsealed, and its name (for the message text). A target that no
 * longer unseals (TV_SESSION_KEY changed) is skipped with a log line naming its id only. */
export async function loadSendable(env: Env, recorderId: string, onlyId?: string): Promise<{ recorderName: string | null; targets: Sendable[] }> {
  const db = drizzle(env.DB);
  // One round trip for both (a symbol object asks this on each recorder's first event: in a bar-close burst, once
  // per recorder).
  const [names, rows] = await db.batch([
    db.select({ name: recorders.name }).from(recorders).where(eq(recorders.id, recorderId)),
    db
      .select()
      .from(notificationTargets)
      .where(onlyId ? and(eq(notificationTargets.recorderId, recorderId), eq(notificationTargets.id, onlyId)) : eq(notificationTargets.recorderId, recorderId)),
  ]);
  const rec = names[0];
  const targets: Sendable[] = [];
  if (rows.length > 0 && !hasUsableSecret(env.TV_SESSION_KEY)) {
    console.warn(`notify: TV_SESSION_KEY is not set; ${rows.length} target(s) of recorder ${recorderId} cannot be used`);
    return { recorderName: rec?.name ?? null, targets };
  }
  for (const r of rows) {
    try {
      targets.push({ id: r.id, kind: r.kind, events: r.events as EventKind[], enabled: r.enabled, dest: await unsealDestination(env.TV_SESSION_KEY, r.secretEnc) });
    } catch {
      console.warn(`notify: target ${r.id} no longer decrypts (TV_SESSION_KEY changed?): re-create it`);
    }
  }
  return { recorderName: rec?.name ?? null, targets };
}
