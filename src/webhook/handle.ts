// POST /webhook/:token — from an alert's body to the symbol Durable Object that records it.
// Everything here is validation and routing; the recording itself happens in the Durable Object. A signal
// refused here (bad JSON or fields, unknown instrument) is counted against the recorder's rate limit and logged
// durably by the recorder's gate object, so neither a flood of bad bodies nor a D1 outage gets around them.
import { drizzle } from "drizzle-orm/d1";
import { resolveTicker } from "../engine/instruments";
import { sha256Hex } from "../lib/crypto";
import { ApiError, type ErrorBody } from "../lib/errors";
import { engineSettings, findByToken, type RecorderRow } from "../recorders/repository";
import { parseWebhookBody } from "../signals/parse";
import { quantityStepProblems } from "../signals/quantity-step";
import type { SignalApplied, SignalReply } from "../durable/protocol";
import { gateStub, symbolStub } from "../durable/stubs";
import { rateLimitedError } from "../durable/recorder-gate";
import { logBody } from "./log-body";

export async function handleWebhook(env: Env, token: string, text: string, now = new Date()): Promise<SignalApplied> {
  const db = drizzle(env.DB);
  const recorder = token.length >= 16 && token.length <= 128 ? await findByToken(db, token) : undefined;
  if (!recorder) throw new ApiError(404, "unknown_token", "No enabled recorder has this webhook token.");
  const receivedAt = now.toISOString();

  const parsed = parseWebhookBody(text);
  const logged = logBody(text, parsed.body);
  const refuse = (status: 400 | 422, error: ErrorBody) => refuseEarly(env, recorder, receivedAt, logged, status, error);
  if (!parsed.ok) return refuse(400, parsed.error);
  const signal = parsed.signal;
  const stepProblems = quantityStepProblems(signal, recorder.quantityStep);
  if (stepProblems.length > 0) {
    return refuse(400, {
      code: "invalid_signal",
      message: `Invalid signal (${stepProblems.map((p) => p.field).join(", ")}): ${stepProblems.map((p) => `${p.field} ${p.problem}`).join("; ")}.`,
      details: stepProblems,
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
    bodyHash: await sha256Hex(text),
    receivedAt,
  })) as SignalReply;
  if (!reply.ok) throw new ApiError(reply.status, reply.error.code, reply.error.message, reply.error.details);
  return reply;
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
