// Recorders in D1 (drizzle). The webhook token is returned only by create/rotate; at rest only its hash exists.
import { and, desc, eq } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { recorders } from "../db/schema";
import { newToken, sha256Hex } from "../lib/crypto";
import type { RecorderSettings } from "../engine/types";
import type { CreateRecorderInput, PatchRecorderInput } from "./settings";

export type RecorderRow = typeof recorders.$inferSelect;

/** The public view of a recorder: everything but the token hash. */
export function recorderView(row: RecorderRow) {
  const { tokenHash: _hidden, ...rest } = row;
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
  };
}

export async function createRecorder(db: DrizzleD1Database, input: CreateRecorderInput, now: string) {
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
    tokenHash: await sha256Hex(token),
    createdAt: now,
    updatedAt: now,
  };
  await db.insert(recorders).values(row);
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

export async function patchRecorder(db: DrizzleD1Database, id: string, patch: PatchRecorderInput, now: string) {
  const rows = await db
    .update(recorders)
    .set({ ...patch, updatedAt: now })
    .where(eq(recorders.id, id))
    .returning();
  return rows[0] ? recorderView(rows[0]) : undefined;
}

export async function rotateToken(db: DrizzleD1Database, id: string, now: string) {
  const token = newToken();
  const rows = await db
    .update(recorders)
    .set({ tokenHash: await sha256Hex(token), updatedAt: now })
    .where(eq(recorders.id, id))
    .returning();
  if (!rows[0]) return undefined;
  return { ...recorderView(rows[0]), webhookToken: token, webhookPath: webhookPath(token) };
}
