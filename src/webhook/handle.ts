// POST /webhook/:token — from an alert's body to the symbol Durable Object that records it.
// Everything here is validation and routing; the recording itself happens in the Durable Object.
import { drizzle } from "drizzle-orm/d1";
import { ApiError } from "../api/errors";
import { signals } from "../db/schema";
import { resolveTicker } from "../engine/instruments";
import { sha256Hex } from "../lib/crypto";
import { engineSettings, findByToken, type RecorderRow } from "../recorders/repository";
import { parseWebhookBody } from "../signals/parse";
import type { SignalApplied, SignalReply } from "../durable/protocol";

export async function handleWebhook(env: Env, token: string, text: string, now = new Date()): Promise<SignalApplied> {
  const db = drizzle(env.DB);
  const recorder = token.length >= 16 && token.length <= 128 ? await findByToken(db, token) : undefined;
  if (!recorder) throw new ApiError(404, "unknown_token", "No enabled recorder has this webhook token.");
  const receivedAt = now.toISOString();

  const parsed = parseWebhookBody(text);
  if (!parsed.ok) {
    const status = 400;
    await logRejected(env, recorder, receivedAt, parsed.body ?? text, parsed.error);
    throw new ApiError(status, parsed.error.code, parsed.error.message, parsed.error.details);
  }
  const signal = parsed.signal;
  const ticker = signal.ticker ?? recorder.symbol ?? undefined;
  if (!ticker) {
    const error = {
      code: "invalid_signal",
      message: "The signal has no ticker and the recorder has no default symbol: add \"ticker\": \"{{ticker}}\".",
      details: [{ field: "ticker", problem: "required" }],
    };
    await logRejected(env, recorder, receivedAt, parsed.body, error);
    throw new ApiError(400, error.code, error.message, error.details);
  }
  const instrument = resolveTicker(ticker, { now, override: { tickSize: recorder.tickSize, tickValue: recorder.tickValue } });
  if (!instrument) {
    const error = {
      code: "unknown_instrument",
      message: `Unknown instrument "${ticker}": set tickSize and tickValue on the recorder to record it.`,
    };
    await logRejected(env, recorder, receivedAt, parsed.body, error);
    throw new ApiError(422, error.code, error.message);
  }

  const stub = env.SYMBOLS.getByName(instrument.feedSymbol);
  const reply = (await stub.applySignal({
    recorder: { ...engineSettings(recorder), dedupeWindowSeconds: recorder.dedupeWindowSeconds },
    instrument,
    signal,
    body: parsed.body,
    bodyHash: await sha256Hex(text),
    receivedAt,
  })) as SignalReply;
  if (!reply.ok) throw new ApiError(reply.status, reply.error.code, reply.error.message);
  return reply;
}

/** A refused signal still belongs in the recorder's signal log; losing the log line must not fail the reply. */
async function logRejected(env: Env, recorder: RecorderRow, receivedAt: string, body: unknown, error: unknown) {
  try {
    await drizzle(env.DB)
      .insert(signals)
      .values({ id: crypto.randomUUID(), recorderId: recorder.id, receivedAt, status: "rejected", result: null, reason: null, error, body, symbol: null, positionId: null });
  } catch (err) {
    console.warn(`signal log: could not record a rejected signal: ${String(err)}`);
  }
}
