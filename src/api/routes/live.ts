// GET /api/live: the dashboards' live updates, a WebSocket (protocol: src/api/types.ts, "live updates"). A browser
// cannot set headers on a WebSocket, so the admin token comes as a subprotocol, `auth.<base64url(token)>`, beside
// `recorder-live` (or, from a client that can, as `Authorization: Bearer`). Checked here in constant time, before
// any upgrade; the request forwarded to the live hub carries no token, and the answer names only recorder-live.
import { Hono } from "hono";
import { liveHubStub } from "../../durable/stubs";
import { secretEquals } from "../../lib/crypto";
import { errorBody } from "../errors";
import { LIVE_AUTH_PREFIX, LIVE_SUBPROTOCOL } from "../types";

export const liveRoutes = new Hono<{ Bindings: Env }>().get("/", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    return c.json(
      errorBody({ code: "upgrade_required", message: `GET /api/live is a WebSocket: connect with Upgrade: websocket and the "${LIVE_SUBPROTOCOL}" subprotocol.` }),
      426,
    );
  }
  const offered = (c.req.header("Sec-WebSocket-Protocol") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const expected = c.env.ADMIN_TOKEN;
  const token = tokenFromSubprotocols(offered) ?? bearer(c.req.header("Authorization"));
  if (!expected || token === null || !(await secretEquals(token, expected))) {
    const message = expected
      ? `Missing or wrong admin token: offer the subprotocols "${LIVE_SUBPROTOCOL}" and "${LIVE_AUTH_PREFIX}<base64url(ADMIN_TOKEN)>".`
      : "The server has no ADMIN_TOKEN configured.";
    return c.json(errorBody({ code: "unauthorized", message }), 401);
  }
  if (!offered.includes(LIVE_SUBPROTOCOL)) {
    return c.json(errorBody({ code: "invalid_request", message: `Offer the "${LIVE_SUBPROTOCOL}" subprotocol.` }), 400);
  }
  // A fresh request: neither the token nor the client's headers go further than this route.
  const res = await liveHubStub(c.env).fetch(new Request("https://live-hub/connect", { headers: { Upgrade: "websocket" } }));
  if (res.status !== 101 || !res.webSocket) {
    return c.json(errorBody({ code: "internal_error", message: "Temporary server error; connect again." }), 503);
  }
  return new Response(null, { status: 101, webSocket: res.webSocket, headers: { "Sec-WebSocket-Protocol": LIVE_SUBPROTOCOL } });
});

/** The admin token from an offered `auth.<base64url>` subprotocol; null when none (or not decodable). */
function tokenFromSubprotocols(offered: string[]): string | null {
  const auth = offered.find((p) => p.startsWith(LIVE_AUTH_PREFIX));
  if (auth === undefined) return null;
  const b64 = auth.slice(LIVE_AUTH_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(b64)) return null;
  try {
    const bin = atob(b64.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (b64.length % 4)) % 4));
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
  } catch {
    return null;
  }
}

function bearer(header: string | undefined): string | null {
  const m = /^Bearer\s+(.+)$/i.exec((header ?? "").trim());
  return m ? m[1].trim() : null;
}
