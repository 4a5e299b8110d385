// The Hono app: routes are thin; logic lives in plain functions (webhook/, recorders/, queries/, stats/).
import { Hono } from "hono";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { handleWebhook } from "../webhook/handle";
import { readBodyLimited } from "../webhook/read-body";
import { requireAdmin } from "./auth";
import { ApiError, errorBody } from "./errors";
import { positionRoutes } from "./routes/positions";
import { recorderRoutes } from "./routes/recorders";
import { reportRoutes } from "./routes/reports";
import { signalRoutes } from "./routes/signals";
import { statusRoutes } from "./routes/status";
import { tradeRoutes } from "./routes/trades";
import { tradingviewRoutes } from "./routes/tradingview";

export function buildApp() {
  const app = new Hono<{ Bindings: Env }>();

  // The dashboard may be served from Cloudflare Pages on another origin: allow it (bearer auth, no cookies).
  app.use("/api/*", cors({ origin: "*", allowHeaders: ["Authorization", "Content-Type"], maxAge: 600 }));
  app.use("/status", cors({ origin: "*", allowHeaders: ["Authorization"], maxAge: 600 }));

  app.get("/health", (c) => c.json({ ok: true }));

  app.post("/webhook/:token", async (c) => {
    const text = await readBodyLimited(c.req.raw);
    return c.json(await handleWebhook(c.env, c.req.param("token"), text));
  });

  app.use("/api/*", requireAdmin);
  app.use("/status", requireAdmin);
  app.route("/status", statusRoutes);
  app.route("/api/recorders", recorderRoutes);
  app.route("/api/recorders", reportRoutes);
  app.route("/api/positions", positionRoutes);
  app.route("/api/trades", tradeRoutes);
  app.route("/api/signals", signalRoutes);
  app.route("/api/tradingview", tradingviewRoutes);

  app.notFound((c) => c.json(errorBody({ code: "not_found", message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}.` }), 404));
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.toBody(), err.status);
    if (err instanceof HTTPException) return c.json(errorBody({ code: "http_error", message: err.message }), err.status);
    // A real outage (D1 or a Durable Object unreachable): 5xx, so TradingView retries; idempotency makes that safe.
    console.error(`unhandled error on ${c.req.method} ${new URL(c.req.url).pathname.replace(/\/webhook\/[^/]+/, "/webhook/***")}: ${String(err)}`);
    return c.json(errorBody({ code: "internal_error", message: "Temporary server error; the request can be retried safely." }), 503);
  });
  return app;
}
