// The TradingView login for real-time data, kept in D1 `settings` (one row per key, values encrypted):
// - `tv_session`: the browser cookies {sessionid, sessionid_sign?}, sealed (crypto.ts);
// - `tv_auth`: the auth token they were exchanged for (sealed) with its expiry, or the last exchange problem.
// Every symbol Durable Object calls getAuthToken() on each (re)connect; it answers from the cache, refreshing the
// token a few minutes before it expires, and falls back to the anonymous (delayed) token when there is no usable
// session — recording goes on, and GET /api/tradingview/session tells the user why.
import { inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { settings } from "../db/schema";
import { ANONYMOUS_TOKEN } from "../feed/quote-client";
import { homeUrl, type TvEnv } from "./config";
import { hasUsableSecret, seal, unseal } from "./crypto";
import { exchangeSession, ExchangeUnavailable, SessionRejected, type AuthToken, type TvCookies } from "./exchange";

const SESSION_KEY = "tv_session";
const AUTH_KEY = "tv_auth";
/** Refresh a cached token this long before its `exp`. */
export const REFRESH_EARLY_SEC = 5 * 60;
/** After a failed exchange, symbols use the anonymous token for this long before trying again. */
const RETRY_REJECTED_SEC = 15 * 60;
const RETRY_UNAVAILABLE_SEC = 60;

type DbEnv = TvEnv & { DB: D1Database };

interface AuthRow {
  /** Sealed token, null after a failure or a refusal. */
  token: string | null;
  exp: number | null;
  /** `updatedAt` of the session row this belongs to: a new session invalidates it. */
  sessionAt: string;
  error: string | null;
  errorAt: string | null;
  /** Epoch seconds before which no new exchange is attempted. */
  retryAt: number | null;
}

export type SessionStateName = "anonymous" | "active" | "error";

/** What GET /api/tradingview/session shows: never the cookies or the token. */
export interface SessionState {
  configured: boolean;
  state: SessionStateName;
  /** When the session was stored. */
  storedAt: string | null;
  tokenExpiresAt: string | null;
  error: string | null;
  errorAt: string | null;
}

function db(env: DbEnv) {
  return drizzle(env.DB);
}

async function readRows(env: DbEnv) {
  const rows = await db(env).select().from(settings).where(inArray(settings.key, [SESSION_KEY, AUTH_KEY]));
  const session = rows.find((r) => r.key === SESSION_KEY);
  const authRow = rows.find((r) => r.key === AUTH_KEY);
  let auth: AuthRow | null = null;
  if (authRow) {
    try {
      auth = JSON.parse(authRow.value) as AuthRow;
    } catch {
      auth = null;
    }
  }
  return { session, auth: auth && session && auth.sessionAt === session.updatedAt ? auth : null };
}

async function writeAuth(env: DbEnv, row: AuthRow): Promise<void> {
  const value = JSON.stringify(row);
  const at = new Date().toISOString();
  await db(env)
    .insert(settings)
    .values({ key: AUTH_KEY, value, updatedAt: at })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } });
}

async function sealedToken(env: DbEnv, t: AuthToken, sessionAt: string): Promise<AuthRow> {
  return { token: await seal(env.TV_SESSION_KEY!, AUTH_KEY, t.token), exp: t.exp, sessionAt, error: null, errorAt: null, retryAt: null };
}

export function sessionKeyConfigured(env: TvEnv): boolean {
  return hasUsableSecret(env.TV_SESSION_KEY);
}

/** Exchanges the cookies first (throws SessionRejected / ExchangeUnavailable), then stores both, encrypted. */
export async function storeSession(env: DbEnv, cookies: TvCookies): Promise<SessionState> {
  const token = await exchangeSession(homeUrl(env), cookies);
  const at = new Date().toISOString();
  const rows = [
    { key: SESSION_KEY, value: await seal(env.TV_SESSION_KEY!, SESSION_KEY, JSON.stringify(cookies)) },
    { key: AUTH_KEY, value: JSON.stringify(await sealedToken(env, token, at)) },
  ];
  const d = db(env);
  const [first, second] = rows.map((r) =>
    d.insert(settings).values({ ...r, updatedAt: at }).onConflictDoUpdate({ target: settings.key, set: { value: r.value, updatedAt: at } }),
  );
  await d.batch([first, second]); // both or neither: a token always belongs to the stored session
  return sessionState(env);
}

export async function deleteSession(env: DbEnv): Promise<void> {
  await db(env).delete(settings).where(inArray(settings.key, [SESSION_KEY, AUTH_KEY]));
}

export async function sessionState(env: DbEnv, nowSec = Math.floor(Date.now() / 1000)): Promise<SessionState> {
  const { session, auth } = await readRows(env);
  if (!session) return { configured: false, state: "anonymous", storedAt: null, tokenExpiresAt: null, error: null, errorAt: null };
  const live = auth?.token && auth.exp !== null && auth.exp > nowSec;
  return {
    configured: true,
    state: auth?.error ? "error" : "active",
    storedAt: session.updatedAt,
    tokenExpiresAt: live && auth?.exp ? new Date(auth.exp * 1000).toISOString() : null,
    error: auth?.error ?? null,
    errorAt: auth?.errorAt ?? null,
  };
}

/**
 * The token for the quote socket: the cached one while it has more than REFRESH_EARLY_SEC to live, else a fresh
 * exchange; ANONYMOUS_TOKEN when no session is stored, the key is missing, or the session does not log in.
 * Never throws for a credentials problem (the feed then records delayed data; the session state says why).
 */
export async function getAuthToken(env: DbEnv, nowSec = Math.floor(Date.now() / 1000)): Promise<string> {
  if (!sessionKeyConfigured(env)) return ANONYMOUS_TOKEN;
  const { session, auth } = await readRows(env);
  if (!session) return ANONYMOUS_TOKEN;
  const key = env.TV_SESSION_KEY!;
  if (auth?.token && auth.exp !== null && auth.exp - nowSec > REFRESH_EARLY_SEC) {
    try {
      return await unseal(key, AUTH_KEY, auth.token);
    } catch {
      /* sealed under another key (TV_SESSION_KEY rotated): exchange again */
    }
  }
  if (auth?.retryAt && nowSec < auth.retryAt) return stillValid(key, auth, nowSec);

  let cookies: TvCookies;
  try {
    cookies = JSON.parse(await unseal(key, SESSION_KEY, session.value)) as TvCookies;
  } catch {
    await writeAuth(env, failed(session.updatedAt, "the stored session cannot be decrypted (TV_SESSION_KEY changed?); store it again", nowSec, null));
    return ANONYMOUS_TOKEN;
  }
  try {
    const fresh = await exchangeSession(homeUrl(env), cookies, nowSec);
    await writeAuth(env, await sealedToken(env, fresh, session.updatedAt));
    return fresh.token;
  } catch (e) {
    const rejected = e instanceof SessionRejected;
    const msg = rejected || e instanceof ExchangeUnavailable ? e.message : `token exchange failed: ${String(e)}`;
    const retry = nowSec + (rejected ? RETRY_REJECTED_SEC : RETRY_UNAVAILABLE_SEC);
    // A temporary outage keeps a token that has not expired yet; a rejected session drops it.
    const keep = !rejected && auth?.token && auth.exp !== null && auth.exp > nowSec ? auth : null;
    await writeAuth(env, { ...failed(session.updatedAt, msg, nowSec, retry), token: keep?.token ?? null, exp: keep?.exp ?? null });
    return keep ? stillValid(key, keep, nowSec) : ANONYMOUS_TOKEN;
  }
}

function failed(sessionAt: string, error: string, nowSec: number, retryAt: number | null): AuthRow {
  return { token: null, exp: null, sessionAt, error, errorAt: new Date(nowSec * 1000).toISOString(), retryAt };
}

async function stillValid(key: string, auth: AuthRow, nowSec: number): Promise<string> {
  if (!auth.token || auth.exp === null || auth.exp <= nowSec) return ANONYMOUS_TOKEN;
  try {
    return await unseal(key, AUTH_KEY, auth.token);
  } catch {
    return ANONYMOUS_TOKEN;
  }
}

/**
 * The quote server refused `token`: forget it (if it is still the cached one) and record why, so the next
 * connect exchanges the cookies afresh instead of presenting the same token again.
 */
export async function reportTokenRefused(env: DbEnv, token: string, reason: string): Promise<void> {
  if (token === ANONYMOUS_TOKEN || !sessionKeyConfigured(env)) return;
  const { session, auth } = await readRows(env);
  if (!session || !auth?.token) return;
  let cached: string;
  try {
    cached = await unseal(env.TV_SESSION_KEY!, AUTH_KEY, auth.token);
  } catch {
    return;
  }
  if (cached !== token) return;
  await writeAuth(env, failed(session.updatedAt, `TradingView refused the auth token: ${reason}`, Math.floor(Date.now() / 1000), null));
}

