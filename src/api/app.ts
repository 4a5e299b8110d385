// The Hono app: routes are thin; logic lives in plain functions (webhook/, recorders/, queries/, stats/).
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { handleWebhook } from "../webhook/handle";
import { readBodyLimited } from "../webhook/read-body";
import { requireAdmin } from "./auth";
import { ApiError, errorBody } from "./errors";
import { displayPath, redactWebhookPaths, securityHeaders } from "./security-headers";
import { backtestRoutes } from "./routes/backtest";
import { liveRoutes } from "./routes/live";
import { notificationRoutes } from "./routes/notifications";
import { positionRoutes } from "./routes/positions";
import { recorderRoutes } from "./routes/recorders";
import { reportRoutes } from "./routes/reports";
import { signalRoutes } from "./routes/signals";
import { statusRoutes } from "./routes/status";
import { tradeRoutes, tradesCsvRoutes } from "./routes/trades";
import { tradingviewRoutes } from "./routes/tradingview";

export function buildApp() {
  const app = new Hono<{ Bindings: Env }>();

  // First, so it wraps every route, error, 404 and CORS preflight: CSP, nosniff, no-referrer, no-store.
  app.use("*", securityHeaders);

  // The dashboards' live updates, a WebSocket: before CORS (a WebSocket has none) and before requireAdmin (a
  // browser cannot send the header: the route checks the token it carries as a subprotocol).
  app.route("/api/live", liveRoutes);

  // The dashboard may be served from Cloudflare Pages on another origin: allow it (bearer auth, no cookies).
  app.use("/api/*", cors({ origin: "*", allowHeaders: ["Authorization", "Content-Type"], maxAge: 600 }));
  app.use("/status", cors({ origin: "*", allowHeaders: ["Authorization"], maxAge: 600 }));

  app.get("/health", (c) => c.json({ ok: true }));

  app.post("/webhook/:token", async (c) => {
    const text = await readBodyLimited(c.req.raw);
    return c.json(await handleWebhook(c.env, c.req.param("token"), text));
  });
  // Any other method on a webhook URL (a browser GET, a HEAD probe…), or a POST to a malformed one, is a 404 that
  // never repeats the path: it holds the recorder's secret token.
  const webhookOnly = (c: Context) =>
    c.json(
      errorBody(
        c.req.method === "POST"
          ? { code: "not_found", message: "No webhook at this URL: webhook URLs are /webhook/<token>, exactly as the dashboard shows them." }
          : { code: "not_found", message: "Webhooks are POST only: TradingView (or curl -X POST) must send the alert body to this URL." },
      ),
      404,
    );
  app.all("/webhook", webhookOnly);
  app.all("/webhook/*", webhookOnly);

  app.use("/api/*", requireAdmin);
  app.use("/status", requireAdmin);
  app.route("/status", statusRoutes);
  app.route("/api/recorders", recorderRoutes);
  app.route("/api/recorders", reportRoutes);
  app.route("/api/recorders", backtestRoutes);
  app.route("/api/recorders", notificationRoutes);
  app.route("/api/positions", positionRoutes);
  app.route("/api/trades", tradeRoutes);
  app.route("/api/trades.csv", tradesCsvRoutes);
  app.route("/api/signals", signalRoutes);
  app.route("/api/tradingview", tradingviewRoutes);

  app.notFound((c) => {
    const shown = displayPath(new URL(c.req.url).pathname);
    const message = shown === null ? `No route for ${c.req.method} on this path.` : `No route for ${c.req.method} ${shown}.`;
    return c.json(errorBody({ code: "not_found", message }), 404);
  });
  app.onError((err, c) => {
    if (err instanceof ApiError) {
      const body = err.toBody();
      return c.json({ ...body, error: { ...body.error, message: redactWebhookPaths(body.error.message) } }, err.status);
    }
    if (err instanceof HTTPException) return c.json(errorBody({ code: "http_error", message: redactWebhookPaths(err.message) }), err.status);
    // A real outage (D1 or a Durable Object unreachable): 5xx, so TradingView retries; idempotency makes that safe.
    console.error(`unhandled error on ${c.req.method} ${displayPath(new URL(c.req.url).pathname) ?? "/webhook/***"}: ${String(err)}`);
    return c.json(errorBody({ code: "internal_error", message: "Temporary server error; the request can be retried safely." }), 503);
  });
  return app;
}
