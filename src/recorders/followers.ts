// CONTRACT "More than one recorder per alert": `followsRecorderId` rules, checked against D1.
// One level only: a leader is never a follower, so a signal fans out to its leader's followers and no further.
//   - the leader must exist and must not be the recorder itself;
//   - the leader must not follow another recorder (a follower of a follower is refused);
//   - a recorder that has followers cannot become a follower.
// Refusals are the admin API's validation error (400 `invalid_request`, details [{field: "followsRecorderId",
// problem}]). The checks here give the reason; the writes in repository.ts repeat them inside the statement (or
// re-check right after it), so two concurrent edits can never build a chain between them.
import { and, asc, count, eq, isNull, sql } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { recorders } from "../db/schema";
import { ApiError } from "../lib/errors";

export type RecorderRowLike = typeof recorders.$inferSelect;

/** Why `recorderId` (null: a recorder about to be created) may not follow `leaderId`; null when it may. */
export async function followProblem(db: DrizzleD1Database, recorderId: string | null, leaderId: string): Promise<string | null> {
  if (recorderId !== null && leaderId === recorderId) return "a recorder cannot follow itself";
  const leader = await db
    .select({ id: recorders.id, followsRecorderId: recorders.followsRecorderId })
    .from(recorders)
    .where(eq(recorders.id, leaderId))
    .get();
  if (!leader) return "no recorder has this id";
  if (leader.followsRecorderId !== null) {
    return "that recorder follows another recorder itself: a follower of a follower is refused (follow its leader instead)";
  }
  if (recorderId !== null) {
    const n = await countFollowers(db, recorderId);
    if (n > 0) return `this recorder has ${n} follower(s): a recorder that is followed cannot follow another`;
  }
  return null;
}

export function followError(problem: string): ApiError {
  return new ApiError(400, "invalid_request", `Invalid followsRecorderId: ${problem}.`, [{ field: "followsRecorderId", problem }]);
}

/** Throws the 400 when `recorderId` may not follow `leaderId`. */
export async function assertMayFollow(db: DrizzleD1Database, recorderId: string | null, leaderId: string): Promise<void> {
  const problem = await followProblem(db, recorderId, leaderId);
  if (problem) throw followError(problem);
}

/** How many recorders (enabled or not) follow `leaderId`. */
export async function countFollowers(db: DrizzleD1Database, leaderId: string): Promise<number> {
  const row = await db.select({ n: count() }).from(recorders).where(eq(recorders.followsRecorderId, leaderId)).get();
  return row?.n ?? 0;
}

/** The enabled recorders that follow `leaderId`, oldest first (ties by id): the webhook records the leader's
 * signal for each of them, with its own settings. A follower that (through a race) has followers of its own
 * is not fanned out further by anything: only a leader's direct followers are returned. */
export async function findFollowers(db: DrizzleD1Database, leaderId: string): Promise<RecorderRowLike[]> {
  return db
    .select()
    .from(recorders)
    .where(and(eq(recorders.followsRecorderId, leaderId), eq(recorders.enabled, true)))
    .orderBy(asc(recorders.createdAt), asc(recorders.id));
}

/** SQL condition: `leaderId` exists and follows nobody (usable inside an UPDATE of `recorders`). */
export function leaderIsFree(leaderId: string) {
  return sql`exists (select 1 from recorders as l where l.id = ${leaderId} and l.follows_recorder_id is null)`;
}

/** SQL condition: nobody follows `recorderId`. */
export function hasNoFollowers(recorderId: string) {
  return sql`not exists (select 1 from recorders as f where f.follows_recorder_id = ${recorderId})`;
}

/** After a write that made `recorderId` follow `leaderId`: is the pair still valid (the leader exists and follows
 * nobody, nobody follows the recorder)? D1 runs statements one at a time, so of two racing writes the later one
 * sees the other's effect here. */
export async function followStillValid(db: DrizzleD1Database, recorderId: string, leaderId: string): Promise<boolean> {
  const leader = await db
    .select({ id: recorders.id })
    .from(recorders)
    .where(and(eq(recorders.id, leaderId), isNull(recorders.followsRecorderId)))
    .get();
  if (!leader) return false;
  return (await countFollowers(db, recorderId)) === 0;
}
