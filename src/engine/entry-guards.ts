// The risk rules that stop or cut ENTRIES (CONTRACT "Exits and risk rules"): directionFilter, sessions, daily
// limits, cooldownSeconds and maxContracts. Exits always pass. A plan's entry part is the quantity it adds on the
// side it ends on (an open, an add, the new side of a reversal); a blocked reversal only closes.
// Checked in this order, the first that blocks names the reason: direction_filtered, outside_session,
// daily_limit, cooldown; then maxContracts cuts the entry to the cap (max_contracts when nothing is left).
// Cost: O(sessions) per signal (Intl lookups), nothing per tick.
import { sessionAt } from "./calendar";
import { cleanPrice } from "./money";
import { dailyLimitReached, dayNetAt, timezoneOf, type RecorderMemo } from "./rules";
import type { IgnoreReason, TargetPlan } from "./target";
import type { RecorderSettings } from "./types";

export interface GuardContext {
  recorder: RecorderSettings;
  atMs: number;
  memo: RecorderMemo | undefined;
  otherDayNet: number;
}

export interface GuardedPlan {
  plan: TargetPlan;
  /** Why the entry part was dropped (a blocked reversal still closes: the plan is then target 0). */
  reason?: IgnoreReason;
}

export function guardEntries(plan: TargetPlan, current: number, g: GuardContext): GuardedPlan {
  if ("ignored" in plan) return { plan };
  const target = plan.target;
  if (target === 0) return { plan };
  const side = Math.sign(target);
  const reversal = current !== 0 && side !== Math.sign(current);
  const entry = reversal ? Math.abs(target) : cleanPrice(Math.abs(target) - Math.abs(current));
  if (entry <= 0) return { plan }; // a reduction
  const blocked = blockedBy(side, g);
  if (blocked !== null) return reversal ? { plan: { target: 0 }, reason: blocked } : { plan: { ignored: blocked } };
  const max = g.recorder.maxContracts ?? null;
  if (max !== null && Math.abs(target) > max) {
    if (!reversal && Math.abs(current) >= max) return { plan: { ignored: "max_contracts" } };
    return { plan: { target: side * max } };
  }
  return { plan };
}

function blockedBy(side: number, g: GuardContext): IgnoreReason | null {
  const r = g.recorder;
  const filter = r.directionFilter ?? "both";
  if ((filter === "long" && side < 0) || (filter === "short" && side > 0)) return "direction_filtered";
  if ((r.sessions?.length ?? 0) > 0 && sessionAt(g.atMs, timezoneOf(r), r.sessions!) === null) return "outside_session";
  if ((r.dailyLossLimit != null || r.dailyProfitTarget != null) && dailyLimitReached(r, dayNetAt(g.memo, r, g.atMs, g.otherDayNet))) return "daily_limit";
  const cooldown = r.cooldownSeconds ?? 0;
  if (cooldown > 0 && g.memo?.lastEntryMs != null && g.atMs - g.memo.lastEntryMs < cooldown * 1000) return "cooldown";
  return null;
}
