// POST /webhook/:token — from an alert's body to the symbol Durable Object that records it.
// Everything here is validation and routing; the recording itself happens in the Durable Object. A signal
// refused here (bad JSON or fields, unknown instrument) is counted against the recorder's rate limit and logged
// durably by the recorder's gate object, so neither a flood of bad bodies nor a D1 outage gets around them.
import { resolveTicker } from "../engine/instruments";
import { sha256Hex } from "../lib/crypto";
import { ApiError, type ErrorBody } from "../lib/errors";
import { engineSettings, type RecorderRow } from "../recorders/repository";
import { findByTokenHash, NO_EVENTS } from "../recorders/webhook-lookup";
import type { EventKind } from "../notify/events";
import { lookupCache } from "./lookup-cache";
import { signalAgeSeconds } from "../signals/age";
import type { NormalizedSignal } from "../engine/types";
import { dayPnlByRecorder, otherDayNet } from "./day-net";
import type { DayPnlRow } from "../recorders/day-pnl";
import { parseWebhookBody } from "../signals/parse";
import { quantityStepProblems } from "../signals/quantity-step";
import type { SignalApplied, SignalReply } from "../durable/protocol";
import { gateStub, symbolStub } from "../durable/stubs";
import { rateLimitedError } from "../durable/recorder-gate";
import { logBody } from "./log-body";

/** CONTRACT "More than one recorder per alert": the leader's reply lists what each follower recorded. */
export interface FollowerResult {
  recorderId: string;
  result: string;
  reason?: string;
}

export type WebhookReply = SignalApplied & { followers?: FollowerResult[] };

export async function handleWebhook(env: Env, token: string, text: string, now = new Date()): Promise<WebhookReply> {
  if (token.length < 16 || token.length > 128) throw unknownToken();
  // Looked up by the token's hash, so neither the lookup's timing nor the cache keeps anything of the token itself.
  const hash = await sha256Hex(token);
  const cached = lookupCache.get(hash, now.getTime());
  if (cached) {
    const reply = await recordCached(env, cached.recorder, cached.notify, text, now);
    if (reply !== "look up again" && reply !== "never cached") return reply;
    if (reply === "never cached") lookupCache.bypass(hash, now.getTime());
    else lookupCache.delete(hash);
  }
  // The recorder, its followers and their day's P&L for daily limits in one round trip (a bar-close burst makes
  // every round trip count).
  const found = await findByTokenHash(env.DB, hash, now);
  if (!found) throw unknownToken();
  const { recorder, followers: rows, dayPnl, notify } = found;
  if (rows.length === 0) lookupCache.set(hash, { recorder, notify: notify.get(recorder.id) ?? NO_EVENTS }, now.getTime());
  const receivedAt = now.toISOString();

  const parsed = parseWebhookBody(text);
  const logged = logBody(text, parsed.body);
  if (!parsed.ok) return refuseEarly(env, recorder, receivedAt, logged, 400, parsed.error);
  const body = { signal: parsed.signal, logged, bodyHash: await sha256Hex(text), receivedAt, now, dayPnl: dayPnlByRecorder(dayPnl), notify };

  // Followers record the same signal with their own settings, side by side with the leader (each its own
  // dedupe, rate limit and refusals); a follower's refusal never changes the leader's answer.
  // (A follower cannot lead: its own webhook records for itself alone.)
  const [leader, ...others] = await Promise.allSettled([recordFor(env, recorder, body, false), ...rows.map((f) => recordFor(env, f, body, false))]);
  const results: FollowerResult[] = others.map((r, i) =>
    r.status === "fulfilled"
      ? { recorderId: rows[i].id, result: r.value.result, ...(r.value.reason ? { reason: r.value.reason } : {}) }
      : { recorderId: rows[i].id, result: "rejected", reason: r.reason instanceof ApiError ? r.reason.code : "internal_error" },
  );
  if (leader.status === "rejected") throw leader.reason;
  return rows.length > 0 ? { ...leader.value, followers: results } : leader.value;
}

/** The signal of a recorder found in the isolate's cache (lookup-cache.ts): recorded when its symbol object
 * vouches for the lookup; "look up again" (from D1) when the object could not vouch, or when the signal would be
 * refused before reaching it (a refusal is always made against a fresh lookup, so a stale entry can never log one
 * under a revoked token); "never cached" when the object can never vouch for this recorder's lookups. */
async function recordCached(env: Env, recorder: RecorderRow, wanted: readonly EventKind[], text: string, now: Date): Promise<WebhookReply | "look up again" | "never cached"> {
  const parsed = parseWebhookBody(text);
  if (!parsed.ok) return "look up again";
  const notify = new Map([[recorder.id, wanted]]);
  const body = { signal: parsed.signal, logged: logBody(text, parsed.body), bodyHash: await sha256Hex(text), receivedAt: now.toISOString(), now, dayPnl: NO_DAY_PNL, notify };
  try {
    return await recordFor(env, recorder, body, true);
  } catch (err) {
    if (err === LOOK_UP_AGAIN) return "look up again";
    if (err === NEVER_CACHED) return "never cached";
    throw err;
  }
}

const NO_DAY_PNL: ReadonlyMap<string, readonly DayPnlRow[]> = new Map();
/** Thrown by recordFor for a cached lookup that must be made again (never leaves this module). */
const LOOK_UP_AGAIN = new Error("look the recorder up again");
/** Thrown by recordFor for a cached lookup its symbol object can never vouch for (never leaves this module). */
const NEVER_CACHED = new Error("look the recorder up again, and do not cache it");

function unknownToken(): ApiError {
  return new ApiError(404, "unknown_token", "No enabled recorder has this webhook token.");
}

interface IncomingSignal {
  signal: NormalizedSignal;
  logged: { body: unknown; bodyTruncated: boolean };
  bodyHash: string;
  receivedAt: string;
  now: Date;
  /** The lookup's rows for the day nets, by recorder (day-net.ts). */
  dayPnl: ReadonlyMap<string, readonly DayPnlRow[]>;
  /** The events each recorder's notification targets want, read with the lookup (webhook-lookup.ts). */
  notify: ReadonlyMap<string, readonly EventKind[]>;
}

/** One recorder's checks (quantity step, age, ticker) and its symbol object's recording of the signal. `cached`:
 * the recorder comes from the isolate's cache: a refusal here, or the object's "stale", throws LOOK_UP_AGAIN. */
async function recordFor(env: Env, recorder: RecorderRow, incoming: IncomingSignal, cached: boolean): Promise<SignalApplied> {
  const { signal, logged, receivedAt, now } = incoming;
  const refuse = (status: 400 | 422, error: ErrorBody) => {
    if (cached) throw LOOK_UP_AGAIN;
    return refuseEarly(env, recorder, receivedAt, logged, status, error);
  };
  const stepProblems = quantityStepProblems(signal, recorder.quantityStep);
  if (stepProblems.length > 0) {
    return refuse(400, {
      code: "invalid_signal",
      message: `Invalid signal (${stepProblems.map((p) => p.field).join(", ")}): ${stepProblems.map((p) => `${p.field} ${p.problem}`).join("; ")}.`,
      details: stepProblems,
    });
  }
  const maxAge = recorder.maxSignalAgeSeconds ?? null;
  const age = maxAge === null ? null : signalAgeSeconds(signal, now.getTime());
  if (maxAge !== null && age !== null && age > maxAge) {
    return refuse(422, {
      code: "stale_signal",
      message: `The signal's time ${signal.time} is ${Math.round(age)} s old at receipt, more than the recorder's maxSignalAgeSeconds (${maxAge} s): not recorded.`,
    });
  }
  const ticker = signal.ticker ?? recorder.symbol ?? undefined;
  if (!ticker) {
    return refuse(400, {
      code: "invalid_signal",
      message: "The signal has no ticker and the recorder has no default symbol: add \"ticker\": \"{{ticker}}\".",
      details: [{ field: "ticker", problem: "required" }],
    });
  }
  const instrument = resolveTicker(ticker, { now, override: { tickSize: recorder.tickSize, tickValue: recorder.tickValue } });
  if (!instrument) {
    return refuse(422, {
      code: "unknown_instrument",
      message: `Unknown instrument "${ticker}": use a ticker of the instrument table (e.g. MNQ1!, CME_MINI:MNQ1!, MNQZ2025) with its own exchange, or set tickSize and tickValue on the recorder to record another symbol.`,
    });
  }

  const reply = (await symbolStub(env, instrument.feedSymbol).applySignal({
    recorder: {
      ...engineSettings(recorder),
      dedupeWindowSeconds: recorder.dedupeWindowSeconds,
      maxSignalsPerMinute: recorder.maxSignalsPerMinute,
      delayedFeed: recorder.delayedFeed,
    },
    instrument,
    signal,
    body: logged.body,
    bodyTruncated: logged.bodyTruncated,
    bodyHash: incoming.bodyHash,
    receivedAt,
    ...(cached ? {} : { otherDayNet: otherDayNet(incoming.dayPnl, recorder, instrument.feedSymbol, now) }),
    lookup: { epoch: recorder.configEpoch, cached, notify: incoming.notify.get(recorder.id) ?? NO_EVENTS },
  })) as SignalReply;
  if (reply.ok) return reply;
  if ("stale" in reply) {
    if (cached) throw reply.why === "symbols" ? NEVER_CACHED : LOOK_UP_AGAIN;
    // (A lookup just made from D1 is never stale: only a cached one is.)
    throw new ApiError(503, "internal_error", "The recorder changed while this signal was being recorded; send it again.");
  }
  throw new ApiError(reply.status, reply.error.code, reply.error.message, reply.error.details);
}

/** A refused signal counts against the recorder's rate limit and belongs in its signal log (its gate object
 * keeps it until D1 takes it). Over the limit the answer is 429 instead. */
async function refuseEarly(
  env: Env,
  recorder: RecorderRow,
  receivedAt: string,
  logged: { body: unknown; bodyTruncated: boolean },
  status: 400 | 422,
  error: ErrorBody,
): Promise<never> {
  const { admitted } = await gateStub(env, recorder.id).refuse(
    {
      id: crypto.randomUUID(),
      recorderId: recorder.id,
      receivedAt,
      status: "rejected",
      result: null,
      reason: null,
      error,
      body: logged.body,
      bodyTruncated: logged.bodyTruncated,
      appliesAt: null,
      symbol: null,
      positionId: null,
    },
    recorder.maxSignalsPerMinute,
  );
  if (!admitted) {
    const e = rateLimitedError(recorder.maxSignalsPerMinute);
    throw new ApiError(429, e.code, e.message);
  }
  throw new ApiError(status, error.code, error.message, error.details);
}
