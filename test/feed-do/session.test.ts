// The TradingView login (POST/GET/DELETE /api/tradingview/session): cookies exchanged at the (fake) home page
// for an auth token, stored encrypted, refreshed before expiry, and handed to the symbol objects' feeds.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { ANONYMOUS_TOKEN } from "../../src/feed/quote-client";
import { seal, unseal } from "../../src/tradingview/crypto";
import { jwtExpiry } from "../../src/tradingview/exchange";
import { getAuthToken, REFRESH_EARLY_SEC } from "../../src/tradingview/session";
import type { FakeTvSession, FakeTvSessionsState } from "../fake-tv/server.mjs";
import { control, controlBase, sleep, state, waitFor } from "../feed/helpers";
import { api, apiJson, createRecorder, signal, symbolStub } from "../helpers";
import { feedReady, mnqContracts, open, prepare, symbolStatus } from "./helpers";

const uniqueMnq = mnqContracts(2500);

let n = 0;
/** A logged-in browser session known to the fake home page (unique per call: the fake is shared). */
async function fakeSession(opts: Omit<FakeTvSession, "sessionid"> = {}): Promise<{ sessionid: string; sessionid_sign?: string }> {
  const sessionid = `sess${Date.now().toString(36)}x${n++}abcdefgh`;
  await control("config", { sessions: [{ sessionid, ...opts }] });
  return { sessionid, ...(opts.sessionid_sign ? { sessionid_sign: opts.sessionid_sign } : {}) };
}

async function fakeSessionInfo(sessionid: string) {
  const r = await fetch(`${controlBase}/control/sessions`);
  const { sessions } = (await r.json()) as FakeTvSessionsState;
  return sessions.find((s) => s.sessionid === sessionid)!;
}

async function settingsRows(): Promise<Array<{ key: string; value: string }>> {
  return (await env.DB.prepare("SELECT key, value FROM settings").all<{ key: string; value: string }>()).results;
}

afterEach(async () => {
  await api("DELETE", "/api/tradingview/session");
});

describe("POST/GET/DELETE /api/tradingview/session", () => {
  it("starts anonymous", async () => {
    const r = await apiJson("GET", "/api/tradingview/session");
    expect(r).toEqual({ ok: true, session: { configured: false, state: "anonymous", storedAt: null, tokenExpiresAt: null, error: null, errorAt: null } });
    expect(await getAuthToken(env)).toBe(ANONYMOUS_TOKEN);
  });

  it("needs the admin token", async () => {
    expect((await api("GET", "/api/tradingview/session", undefined, "nope")).status).toBe(401);
  });

  it("stores a session that logs in (redirects followed), encrypted, and never shows the secrets", async () => {
    const cookies = await fakeSession({ sessionid_sign: "v3:signsignsign", redirects: 3 });
    const r = await api("POST", "/api/tradingview/session", cookies);
    const text = await r.text();
    expect(r.status).toBe(200);
    const info = await fakeSessionInfo(cookies.sessionid);
    expect(info.homeHits).toBe(1);
    const token = info.token!;
    const body = JSON.parse(text);
    expect(body.session).toMatchObject({ configured: true, state: "active", error: null });
    const exp = jwtExpiry(token)!;
    expect(body.session.tokenExpiresAt).toBe(new Date(exp * 1000).toISOString());
    for (const secret of [cookies.sessionid, cookies.sessionid_sign!, token]) expect(text).not.toContain(secret);
    const get = await (await api("GET", "/api/tradingview/session")).text();
    for (const secret of [cookies.sessionid, cookies.sessionid_sign!, token]) expect(get).not.toContain(secret);

    // At rest: only ciphertext in D1.
    const rows = await settingsRows();
    expect(rows.map((r) => r.key).sort()).toEqual(["tv_auth", "tv_session"]);
    for (const row of rows) for (const secret of [cookies.sessionid, cookies.sessionid_sign!, token]) expect(row.value).not.toContain(secret);

    // The symbol objects get the token, from the cache (no new visit to the home page).
    expect(await getAuthToken(env)).toBe(token);
    expect((await fakeSessionInfo(cookies.sessionid)).homeHits).toBe(1);
  });

  it("refreshes the token a few minutes before it expires", async () => {
    const cookies = await fakeSession({ ttlSec: 14_400 });
    await apiJson("POST", "/api/tradingview/session", cookies);
    const first = (await fakeSessionInfo(cookies.sessionid)).token!;
    const exp = jwtExpiry(first)!;
    expect(await getAuthToken(env, exp - REFRESH_EARLY_SEC - 60)).toBe(first); // still comfortably valid
    const fresh = await getAuthToken(env, exp - REFRESH_EARLY_SEC + 30); // inside the refresh window
    expect(fresh).not.toBe(first);
    expect((await fakeSessionInfo(cookies.sessionid)).homeHits).toBe(2);
    expect(await getAuthToken(env)).toBe(fresh); // and cached again
  });

  it("refuses cookies that do not log in, and stores nothing", async () => {
    const wrong = await api("POST", "/api/tradingview/session", { sessionid: "not-a-known-session-id" });
    expect(wrong.status).toBe(422);
    const body: any = await wrong.json();
    expect(body.error.code).toBe("invalid_session");
    expect(body.error.message).toMatch(/wrong or expired session/);

    const signed = await fakeSession({ sessionid_sign: "v3:right-sign" });
    expect((await api("POST", "/api/tradingview/session", { ...signed, sessionid_sign: "v3:wrong-sign" })).status).toBe(422);
    const loop = await fakeSession({ redirects: 6 });
    const tooMany: any = await (await api("POST", "/api/tradingview/session", loop)).json();
    expect(tooMany.error.message).toMatch(/more than 5 redirects/);

    expect((await apiJson("GET", "/api/tradingview/session")).session.configured).toBe(false);
    expect(await settingsRows()).toEqual([]);
  });

  it("validates the body", async () => {
    for (const bad of [{}, { sessionid: "" }, { sessionid: "abc;def=ghijkl" }, { sessionid: "abcdefghij", extra: 1 }, { sessionid: "abc\r\nX: y" }]) {
      const r = await api("POST", "/api/tradingview/session", bad);
      expect(r.status, JSON.stringify(bad)).toBe(400);
    }
  });

  it("a session that stops working falls back to anonymous and says why", async () => {
    const cookies = await fakeSession();
    await apiJson("POST", "/api/tradingview/session", cookies);
    const exp = jwtExpiry((await fakeSessionInfo(cookies.sessionid)).token!)!;
    await control("config", { removeSessions: [cookies.sessionid] }); // logged out in the browser
    expect(await getAuthToken(env, exp)).toBe(ANONYMOUS_TOKEN);
    const { session } = await apiJson("GET", "/api/tradingview/session");
    expect(session).toMatchObject({ configured: true, state: "error" });
    expect(session.error).toMatch(/wrong or expired session/);
  });

  it("DELETE forgets it", async () => {
    await apiJson("POST", "/api/tradingview/session", await fakeSession());
    const r = await apiJson("DELETE", "/api/tradingview/session");
    expect(r.session).toMatchObject({ configured: false, state: "anonymous" });
    expect(await settingsRows()).toEqual([]);
    expect(await getAuthToken(env)).toBe(ANONYMOUS_TOKEN);
  });
});

describe("the feed with a login", () => {
  it("uses the token: real-time data, not flagged delayed", async () => {
    const cookies = await fakeSession();
    await apiJson("POST", "/api/tradingview/session", cookies);
    const token = (await fakeSessionInfo(cookies.sessionid)).token!;
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    const st = await feedReady(feedSymbol);
    expect(st.feed).toMatchObject({ updateMode: "streaming", delayed: false });
    expect((await state({ symbol: feedSymbol })).connections[0].token).toBe(token);
    const again = await signal(await createRecorder(), { ticker, action: "buy", price: 25600 });
    expect(again.position.delayedData).toBe(false);
  });

  it("a refused token is reported and not retried; a new session (POST) lets the feed retry", async () => {
    const bad = await fakeSession({ refused: true });
    await apiJson("POST", "/api/tradingview/session", bad); // the home page gives a token the quote server refuses
    const { ticker, feedSymbol } = uniqueMnq();
    const tag = "do-refused";
    await prepare(feedSymbol, { tag }); // its connections are told apart from other objects using the same login
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });

    const st = await waitFor(async () => {
      const s = await symbolStatus(feedSymbol);
      return s.feed.state === "refused" ? s : null;
    }, 5000, "refused");
    expect(st.feed.error).toMatch(/bad auth token/);
    for (const t of (await fakeSessionInfo(bad.sessionid)).tokens) expect(JSON.stringify(st)).not.toContain(t);
    // No loop: not by itself, not from the keepalive alarm.
    await sleep(800);
    await runDurableObjectAlarm(symbolStub(feedSymbol));
    await sleep(200);
    // One attempt. (Its token may be a second one from the same session: another object's refusal already
    // dropped the cached token, so this object exchanged the cookies again — once, not in a loop.)
    const badTokens = (await fakeSessionInfo(bad.sessionid)).tokens;
    const attempts = (await state({ tag })).connections;
    expect(attempts).toHaveLength(1);
    expect(badTokens).toContain(attempts[0].token);
    expect((await symbolStatus(feedSymbol)).feed.state).toBe("refused");
    const { symbols } = await apiJson("GET", "/status");
    expect(symbols.find((s: any) => s.feedSymbol === feedSymbol).feed).toMatchObject({ state: "refused" });
    // The login's state says so too.
    await waitFor(async () => (await apiJson("GET", "/api/tradingview/session")).session.state === "error", 3000, "session error");
    expect((await apiJson("GET", "/api/tradingview/session")).session.error).toMatch(/refused the auth token/);

    const good = await fakeSession();
    await apiJson("POST", "/api/tradingview/session", good);
    const goodToken = (await fakeSessionInfo(good.sessionid)).token!;
    const s = await waitFor(async () => {
      const s = await state({ tag });
      return s.connections.length === 2 && s.connections[1].open && s.connections[1].symbols.includes(feedSymbol) ? s : null;
    }, 5000, "retried with the new login");
    expect(s.connections[1].token).toBe(goodToken);
    await waitFor(async () => (await symbolStatus(feedSymbol)).feed.updateMode === "streaming", 3000, "real-time");
    expect((await open(rec.id)).length).toBe(1);
  });
});

describe("a refused feed with positions open", () => {
  it("is tried again, rarely (refusedRetryMs), never in a loop", async () => {
    const bad = await fakeSession({ refused: true });
    await apiJson("POST", "/api/tradingview/session", bad);
    const { ticker, feedSymbol } = uniqueMnq();
    const tag = "do-refused-retry";
    await prepare(feedSymbol, { tag, refusedRetryMs: 600 });
    const rec = await createRecorder();
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await waitFor(async () => ((await symbolStatus(feedSymbol)).feed.state === "refused" ? true : null), 5000, "refused");
    await runDurableObjectAlarm(symbolStub(feedSymbol)); // too early: no new attempt
    await sleep(200);
    expect((await state({ tag })).connections).toHaveLength(1);
    await sleep(700);
    await runDurableObjectAlarm(symbolStub(feedSymbol)); // the pause is over: one more attempt
    await waitFor(async () => ((await state({ tag })).connections.length === 2 ? true : null), 5000, "second attempt");
    await sleep(300);
    expect((await state({ tag })).connections).toHaveLength(2);
    await apiJson("DELETE", "/api/tradingview/session");
  });
});

describe("encryption at rest", () => {
  it("round-trips, and fails for another purpose, another key or altered text", async () => {
    const key = "k".repeat(32);
    const sealed = await seal(key, "tv_session", '{"sessionid":"abc"}');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    expect(await unseal(key, "tv_session", sealed)).toBe('{"sessionid":"abc"}');
    expect(await seal(key, "tv_session", "x")).not.toBe(await seal(key, "tv_session", "x")); // random IV
    await expect(unseal(key, "tv_auth", sealed)).rejects.toThrow();
    await expect(unseal("j".repeat(32), "tv_session", sealed)).rejects.toThrow();
    const [v, iv, ct] = sealed.split(".");
    const flipped = `${v}.${iv}.${ct.slice(0, 5)}${ct[5] === "A" ? "B" : "A"}${ct.slice(6)}`;
    await expect(unseal(key, "tv_session", flipped)).rejects.toThrow();
  });
});
