// Recorders in D1 (drizzle). The webhook token is returned only by create/rotate/clone; at rest only its hash
// exists.
import { and, desc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { recorders } from "../db/schema";
import { newToken, sha256Hex } from "../lib/crypto";
import type { RecorderSettings } from "../engine/types";
import type { CreateRecorderInput, PatchRecorderInput } from "./settings";
import { assertMayFollow, followError, followProblem, followStillValid, hasNoFollowers, leaderIsFree } from "./followers";

export { countFollowers, findFollowers } from "./followers";

export type RecorderRow = typeof recorders.$inferSelect;

/** The public view of a recorder: everything but the token hash. */
export function recorderView(row: RecorderRow) {
  const { tokenHash: _hidden, configEpoch: _internal, ...rest } = row;
  return rest;
}

export function webhookPath(token: string): string {
  return `/webhook/${token}`;
}

/** The settings the engine needs, defaults already applied by the schema. */
export function engineSettings(row: RecorderRow): RecorderSettings {
  return {
    id: row.id,
    initialQuantity: row.initialQuantity,
    addQuantity: row.addQuantity,
    allowAdd: row.allowAdd,
    reverseOnOpposite: row.reverseOnOpposite,
    takeProfitTicks: row.takeProfitTicks,
    stopLossTicks: row.stopLossTicks,
    commissionPerContract: row.commissionPerContract,
    quantityStep: row.quantityStep,
    takeProfitLegs: row.takeProfitLegs ?? null,
    trailingStop: row.trailingStop ?? null,
    breakEven: row.breakEven ?? null,
    directionFilter: row.directionFilter,
    maxContracts: row.maxContracts,
    cooldownSeconds: row.cooldownSeconds,
    slippageTicks: row.slippageTicks,
    timezone: row.timezone,
    sessions: row.sessions ?? [],
    flattenAtSessionEnd: row.flattenAtSessionEnd,
    tradingDayStart: row.tradingDayStart,
    dailyLossLimit: row.dailyLossLimit,
    dailyProfitTarget: row.dailyProfitTarget,
    flattenOnDailyLimit: row.flattenOnDailyLimit,
    initialCapital: row.initialCapital,
  };
}

/** Creates a recorder. A `followsRecorderId` that breaks the follower rules is a 400 (followers.ts). */
export async function createRecorder(db: DrizzleD1Database, input: CreateRecorderInput, now: string) {
  if (input.followsRecorderId) await assertMayFollow(db, null, input.followsRecorderId);
  const token = newToken();
  const row: RecorderRow = {
    id: crypto.randomUUID(),
    name: input.name,
    symbol: input.symbol ?? null,
    enabled: input.enabled,
    initialQuantity: input.initialQuantity,
    addQuantity: input.addQuantity,
    allowAdd: input.allowAdd,
    reverseOnOpposite: input.reverseOnOpposite,
    takeProfitTicks: input.takeProfitTicks ?? null,
    stopLossTicks: input.stopLossTicks ?? null,
    commissionPerContract: input.commissionPerContract,
    tickSize: input.tickSize ?? null,
    tickValue: input.tickValue ?? null,
    dedupeWindowSeconds: input.dedupeWindowSeconds,
    quantityStep: input.quantityStep,
    maxSignalsPerMinute: input.maxSignalsPerMinute,
    signalLogRetentionDays: input.signalLogRetentionDays,
    delayedFeed: input.delayedFeed,
    takeProfitLegs: input.takeProfitLegs,
    trailingStop: input.trailingStop,
    breakEven: input.breakEven,
    directionFilter: input.directionFilter,
    maxContracts: input.maxContracts,
    cooldownSeconds: input.cooldownSeconds,
    maxSignalAgeSeconds: input.maxSignalAgeSeconds,
    slippageTicks: input.slippageTicks,
    timezone: input.timezone,
    sessions: input.sessions,
    flattenAtSessionEnd: input.flattenAtSessionEnd,
    tradingDayStart: input.tradingDayStart,
    dailyLossLimit: input.dailyLossLimit,
    dailyProfitTarget: input.dailyProfitTarget,
    flattenOnDailyLimit: input.flattenOnDailyLimit,
    initialCapital: input.initialCapital,
    followsRecorderId: input.followsRecorderId,
    tokenHash: await sha256Hex(token),
    createdAt: now,
    updatedAt: now,
    configEpoch: 0,
  };
  await db.insert(recorders).values(row);
  if (row.followsRecorderId && !(await followStillValid(db, row.id, row.followsRecorderId))) {
    // The leader changed (or went) between the check and the insert: undo, and say why.
    await db.delete(recorders).where(eq(recorders.id, row.id));
    throw followError((await followProblem(db, null, row.followsRecorderId)) ?? "that recorder just changed: try again");
  }
  return { ...recorderView(row), webhookToken: token, webhookPath: webhookPath(token) };
}

/**
 * A new recorder with every setting of `source` (a row spread, so a column added later is copied too), a new id,
 * a new token, `name`, and fresh timestamps. `enabled` is copied. `followsRecorderId` is copied only while it is
 * valid (its leader exists and follows nobody; a clone never has followers of its own, so it may follow); a
 * dangling or invalid link is dropped (null) rather than refusing the clone. The source's own followers stay
 * with the source.
 */
export async function cloneRecorder(db: DrizzleD1Database, source: RecorderRow, name: string, now: string) {
  const token = newToken();
  let follows = source.followsRecorderId;
  if (follows && (await followProblem(db, null, follows))) follows = null;
  const row: RecorderRow = {
    ...source,
    id: crypto.randomUUID(),
    name,
    followsRecorderId: follows,
    tokenHash: await sha256Hex(token),
    createdAt: now,
    updatedAt: now,
    configEpoch: 0,
  };
  await db.insert(recorders).values(row);
  if (row.followsRecorderId && !(await followStillValid(db, row.id, row.followsRecorderId))) {
    row.followsRecorderId = null;
    await db.update(recorders).set({ followsRecorderId: null }).where(eq(recorders.id, row.id));
  }
  return { ...recorderView(row), webhookToken: token, webhookPath: webhookPath(token) };
}

export async function listRecorders(db: DrizzleD1Database) {
  const rows = await db.select().from(recorders).orderBy(desc(recorders.createdAt));
  return rows.map(recorderView);
}

export async function getRecorder(db: DrizzleD1Database, id: string): Promise<RecorderRow | undefined> {
  return db.select().from(recorders).where(eq(recorders.id, id)).get();
}

export async function findByToken(db: DrizzleD1Database, token: string): Promise<RecorderRow | undefined> {
  // Looked up by the token's hash, so the lookup's timing says nothing about the token itself.
  const hash = await sha256Hex(token);
  return db
    .select()
    .from(recorders)
    .where(and(eq(recorders.tokenHash, hash), eq(recorders.enabled, true)))
    .get();
}

/** The webhook's lookup: webhook-lookup.ts (its SQL is built once per isolate). */
export { findWithFollowers, type WebhookLookup } from "./webhook-lookup";

/** A recorder's new config epoch after a change (schema.ts `configEpoch`): its gate is told (api/revoke-lookups.ts). */
export interface EpochBump {
  id: string;
  epoch: number;
}

/** The epoch bump in the statement that changes the recorder (so no lookup can read the change at the old epoch). */
const nextEpoch = sql<number>`${recorders.configEpoch} + 1`;

/** Applies a validated patch; undefined when there is no such recorder. Becoming a follower is checked (400) and
 * the update itself only lands while the rules still hold (leader free, no followers of its own). `bumped`: the
 * recorder's new config epoch, and its leaders' before and after (their lookups list their enabled followers). */
export async function patchRecorder(db: DrizzleD1Database, id: string, patch: PatchRecorderInput, now: string) {
  const leader = patch.followsRecorderId;
  const where: SQL[] = [eq(recorders.id, id)];
  const before = await getRecorder(db, id);
  if (!before) return undefined;
  if (leader) {
    await assertMayFollow(db, id, leader);
    where.push(leaderIsFree(leader), hasNoFollowers(id));
  }
  const rows = await db
    .update(recorders)
    .set({ ...patch, updatedAt: now, configEpoch: nextEpoch })
    .where(and(...where))
    .returning();
  if (!rows[0] && leader) {
    // Refused by the statement's own conditions: something changed since the check.
    if (!(await getRecorder(db, id))) return undefined;
    throw followError((await followProblem(db, id, leader)) ?? "that recorder just changed: try again");
  }
  const row = rows[0];
  if (!row) return undefined;
  const leaders = [...new Set([before.followsRecorderId, row.followsRecorderId])].filter((l): l is string => l !== null);
  const bumped = [{ id, epoch: row.configEpoch }, ...(await bumpConfigEpochs(db, leaders))];
  return { recorder: recorderView(row), bumped };
}

export async function rotateToken(db: DrizzleD1Database, id: string, now: string) {
  const token = newToken();
  const rows = await db
    .update(recorders)
    .set({ tokenHash: await sha256Hex(token), updatedAt: now, configEpoch: nextEpoch })
    .where(eq(recorders.id, id))
    .returning();
  if (!rows[0]) return undefined;
  return { recorder: { ...recorderView(rows[0]), webhookToken: token, webhookPath: webhookPath(token) }, bumped: [{ id, epoch: rows[0].configEpoch }] };
}

/** The statement bumping one recorder's config epoch, to run in a batch with the change it stands for (a
 * notification target's: notify/targets.ts), so the two land together or not at all. */
export function configEpochBump(db: DrizzleD1Database, id: string, onlyIf?: SQL) {
  return db
    .update(recorders)
    .set({ configEpoch: nextEpoch })
    .where(onlyIf ? and(eq(recorders.id, id), onlyIf) : eq(recorders.id, id))
    .returning({ id: recorders.id, epoch: recorders.configEpoch });
}

/** Bumps the config epoch of these recorders (those that still exist), in one statement. */
export async function bumpConfigEpochs(db: DrizzleD1Database, ids: readonly string[]): Promise<EpochBump[]> {
  if (ids.length === 0) return [];
  return db
    .update(recorders)
    .set({ configEpoch: nextEpoch })
    .where(inArray(recorders.id, [...ids]))
    .returning({ id: recorders.id, epoch: recorders.configEpoch });
}

/** Enables or disables a recorder (its epoch bumped with it), and bumps its leader's (whose lookup lists its
 * enabled followers). */
export async function setEnabled(db: DrizzleD1Database, id: string, enabled: boolean): Promise<EpochBump[]> {
  const rows = await db
    .update(recorders)
    .set({ enabled, configEpoch: nextEpoch })
    .where(eq(recorders.id, id))
    .returning({ id: recorders.id, epoch: recorders.configEpoch, leader: recorders.followsRecorderId });
  const row = rows[0];
  if (!row) return [];
  return [{ id: row.id, epoch: row.epoch }, ...(await bumpConfigEpochs(db, row.leader ? [row.leader] : []))];
}
