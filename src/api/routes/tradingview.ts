// POST/GET/DELETE /api/tradingview/session: the TradingView login used for real-time quotes (CONTRACT.md).
// POST validates the cookies by exchanging them for an auth token before storing anything; GET shows state only;
// every change pings each symbol's Durable Object to reconnect with the new credentials (a feed that stopped on a
// refused token retries then, and only then).
import { Hono } from "hono";
import { symbolStub } from "../../durable/stubs";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { symbols } from "../../db/schema";
import { ExchangeUnavailable, SessionRejected } from "../../tradingview/exchange";
import { deleteSession, sessionKeyConfigured, sessionState, storeSession } from "../../tradingview/session";
import { ApiError } from "../errors";
import { jsonBody, validate } from "../validate";

// RFC 6265 cookie-octets (sessionid_sign looks like "v3:..."): no `;`, `,`, quotes, spaces or CR/LF, which could
// smuggle extra content into the Cookie header.
const cookieValue = z.string().trim().min(8).max(1024).regex(/^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]+$/, "not a cookie value");
const sessionBody = z.object({ sessionid: cookieValue, sessionid_sign: cookieValue.optional() }).strict();

/** Tells every symbol's object that the credentials changed. One unreachable object does not fail the call. */
async function restartFeeds(env: Env): Promise<void> {
  const rows = await drizzle(env.DB).select({ feedSymbol: symbols.feedSymbol }).from(symbols);
  await Promise.allSettled(rows.map((r) => symbolStub(env, r.feedSymbol).restartFeed()));
}

function requireKey(env: Env): void {
  if (!sessionKeyConfigured(env)) {
    throw new ApiError(503, "not_configured", "TV_SESSION_KEY is not set (at least 16 characters): it encrypts the stored session.");
  }
}

export const tradingviewRoutes = new Hono<{ Bindings: Env }>()
  .get("/session", async (c) => c.json({ ok: true, session: await sessionState(c.env) }))
  .post("/session", async (c) => {
    const cookies = validate(sessionBody, await jsonBody(c.req.raw));
    requireKey(c.env);
    try {
      await storeSession(c.env, cookies);
    } catch (e) {
      if (e instanceof SessionRejected) throw new ApiError(422, "invalid_session", `TradingView did not accept these cookies: ${e.message}.`);
      if (e instanceof ExchangeUnavailable) throw new ApiError(503, "tradingview_unavailable", `${e.message}; try again later.`);
      throw e;
    }
    await restartFeeds(c.env);
    return c.json({ ok: true, session: await sessionState(c.env) });
  })
  .delete("/session", async (c) => {
    await deleteSession(c.env);
    await restartFeeds(c.env);
    return c.json({ ok: true, session: await sessionState(c.env) });
  });
