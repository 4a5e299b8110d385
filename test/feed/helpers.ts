// Shared helpers for the feed tests: drive the fake TradingView server through its HTTP control API.
import { env } from "cloudflare:workers";
import type { DelayRequest, FakeTvFilter, FakeTvState, TickRequest } from "../fake-tv/server.mjs";
import { QuoteFeed, type PriceInfo, type QuoteFeedOptions } from "../../src/feed/quote-client";

const base = new URL(env.TV_WS_URL);
export const controlBase = `${base.protocol}//${base.host}`;

/** The socket URL with per-connection knobs (tag, heartbeat interval, upgrade refusal). */
export function wsUrl(q: { tag?: string; hb?: number; reject?: number; rejectTimes?: number } = {}): string {
  const u = new URL(env.TV_WS_URL);
  for (const [k, v] of Object.entries(q)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString();
}

export async function control<T = { ok: boolean }>(path: string, body: unknown = {}): Promise<T> {
  const r = await fetch(`${controlBase}/control/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`control ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

export async function state(f: FakeTvFilter): Promise<FakeTvState> {
  const q = new URLSearchParams(Object.entries(f).map(([k, v]) => [k, String(v)]));
  const r = await fetch(`${controlBase}/control/state?${q}`);
  return (await r.json()) as FakeTvState;
}

export const tick = (req: TickRequest) => control<{ ok: boolean; delivered: number }>("tick", req);
export const raw = (req: FakeTvFilter & { data: string }) => control<{ ok: boolean; delivered: number }>("raw", req);

/**
 * The fake's delay knob: `symbol` reports "delayed_streaming_<seconds>" and lp_time `seconds` behind wall time;
 * `symbol` null sets the global delay (avoid in tests: the server is shared); `seconds` null removes it.
 */
export const setDelay = (symbol: string | null, seconds: number | null) =>
  control<{ ok: boolean; delaySeconds: Record<string, number>; globalDelaySeconds: number | null }>("delay", {
    ...(symbol ? { symbol } : {}),
    seconds,
  } satisfies DelayRequest);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(
  fn: () => T | Promise<T>,
  timeoutMs = 5000,
  label = "condition",
): Promise<Exclude<T, null | undefined | false>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as Exclude<T, null | undefined | false>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${label} (last: ${String(last)})`);
    await sleep(20);
  }
}

export interface Harness {
  feed: QuoteFeed;
  prices: Array<{ price: number; at: string }>;
  /** onPrice's third argument, one per entry of `prices`. */
  infos: PriceInfo[];
  states: string[];
}

/** A QuoteFeed with a recording onPrice/onState; fast timings unless overridden. */
export function makeFeed(opts: Partial<QuoteFeedOptions> & { symbol: string; token?: string }): Harness {
  const prices: Harness["prices"] = [];
  const infos: PriceInfo[] = [];
  const states: string[] = [];
  const feed = new QuoteFeed({
    url: wsUrl(),
    getAuthToken: async () => opts.token ?? "unauthorized_user_token",
    onPrice: (price, at, info) => {
      prices.push({ price, at });
      infos.push(info);
    },
    onState: (s) => states.push(s.state),
    watchdogMs: 5000,
    backoffBaseMs: 50,
    backoffCapMs: 400,
    ...opts,
  });
  return { feed, prices, infos, states };
}

/** Waits until the fake server has an open connection with `symbol` subscribed (snapshot sent). */
export async function subscribed(symbol: string, count = 1): Promise<FakeTvState> {
  return waitFor(async () => {
    const s = await state({ symbol });
    return s.connections.filter((c) => c.open && c.symbols.includes(symbol)).length >= count ? s : null;
  }, 5000, `${symbol} subscribed`);
}
