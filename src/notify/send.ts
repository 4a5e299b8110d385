// One HTTP POST to a target, bounded in time, its outcome reduced to what the retry logic and the API need. The
// URL (a secret) is never put in an outcome: a fetch error's own text may quote it, so only its kind is kept.
import type { OutgoingRequest } from "./format";

export const SEND_TIMEOUT_MS = 10_000;
/** A target's Retry-After is honoured up to this (Discord and Telegram send one with a 429). */
const MAX_RETRY_AFTER_MS = 3_600_000;

export interface SendOutcome {
  ok: boolean;
  /** The target's HTTP status, or null when no answer came (network error, timeout). */
  status: number | null;
  /** Short reason for a failure, without the URL. */
  error: string | null;
  /** The target asked us to wait this long (429 / 503 with Retry-After). */
  retryAfterMs: number | null;
}

export async function sendRequest(req: OutgoingRequest, timeoutMs = SEND_TIMEOUT_MS): Promise<SendOutcome> {
  let res: Response;
  // A timer cleared as soon as the target answers (AbortSignal.timeout would keep one pending for the full
  // timeout, holding the object in memory for nothing).
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    res = await fetch(req.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "edge-trade-recorder-notify/1" },
      body: req.body,
      // A redirect could carry the message somewhere the user did not choose.
      redirect: "manual",
      signal: abort.signal,
    });
  } catch (err) {
    clearTimeout(timer);
    const name = err instanceof Error ? err.name : "Error";
    const error = name === "TimeoutError" || name === "AbortError" ? `no answer within ${timeoutMs / 1000} s` : `network error (${name})`;
    return { ok: false, status: null, error, retryAfterMs: null };
  }
  clearTimeout(timer);
  // The body is not needed (and may echo the request): drop it so the connection is released.
  await res.body?.cancel().catch(() => undefined);
  const ok = res.status >= 200 && res.status < 300;
  return { ok, status: res.status, error: ok ? null : `HTTP ${res.status}`, retryAfterMs: ok ? null : retryAfter(res.headers.get("retry-after")) };
}

function retryAfter(h: string | null): number | null {
  if (h === null) return null;
  const s = Number(h);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(h) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : null;
}
