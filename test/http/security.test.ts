// CONTRACT "Bad input and faults": no response echoes a webhook token, and every Worker response carries the
// security headers (CSP, nosniff, no-referrer, frame-ancestors none) with Cache-Control: no-store.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ADMIN, api, createRecorder, expectError, freshMnq, webhook } from "../helpers";

const BASE = "http://recorder.test";

function raw(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(`${BASE}${path}`, { method, ...init });
}

function expectSecurityHeaders(r: Response, what: string) {
  const csp = r.headers.get("Content-Security-Policy") ?? "";
  expect(csp, `${what}: CSP`).toContain("default-src 'none'");
  expect(csp, `${what}: CSP frame-ancestors`).toContain("frame-ancestors 'none'");
  expect(csp, `${what}: CSP allows no script`).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
  expect(r.headers.get("X-Content-Type-Options"), `${what}: nosniff`).toBe("nosniff");
  expect(r.headers.get("Referrer-Policy"), `${what}: Referrer-Policy`).toBe("no-referrer");
  expect(r.headers.get("X-Frame-Options"), `${what}: X-Frame-Options`).toBe("DENY");
  expect(r.headers.get("Cache-Control"), `${what}: Cache-Control`).toBe("no-store");
}

describe("webhook URLs are POST only and never echoed", () => {
  it("GET/HEAD/PUT/PATCH/DELETE/OPTIONS on a real webhook URL: 404 'POST only' without the token", async () => {
    const rec = await createRecorder();
    const token = rec.webhookToken;
    expect(rec.webhookPath).toBe(`/webhook/${token}`);
    for (const method of ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      const r = await raw(method, rec.webhookPath, method === "PUT" || method === "PATCH" ? { body: "{}" } : {});
      const text = await r.text();
      expect(r.status, method).toBe(404);
      expect(text, method).not.toContain(token);
      expect(text, method).not.toContain("/webhook/");
      const json = JSON.parse(text);
      expectError(json, "not_found");
      expect(json.error.message, method).toContain("POST only");
      expectSecurityHeaders(r, `${method} webhook`);
    }
    const head = await raw("HEAD", rec.webhookPath);
    expect(head.status).toBe(404);
    expect(await head.text()).toBe("");
    expectSecurityHeaders(head, "HEAD webhook");
    // the recorder still works: the 404s changed nothing
    const ok = await webhook(rec, { ticker: freshMnq().ticker, action: "close", price: 25600 });
    expect(ok.status).toBe(200);
  });

  it("GET /webhook/<unknown>, /webhook, /webhook/ and a query string: POST only, nothing echoed", async () => {
    const fake = "zZ9fakeTokenThatLooksReal_0123456789abcdefXY";
    for (const path of [`/webhook/${fake}`, `/webhook/${fake}?x=${fake}`, "/webhook", "/webhook/"]) {
      const r = await raw("GET", path);
      const text = await r.text();
      expect(r.status, path).toBe(404);
      expect(text, path).not.toContain(fake);
      expect(JSON.parse(text).error.message, path).toContain("POST only");
      expectSecurityHeaders(r, `GET ${path}`);
    }
  });

  it("malformed webhook paths (extra segment, trailing slash, encoded, other case, nested) never echo the token", async () => {
    const rec = await createRecorder();
    const token = rec.webhookToken;
    const paths: [string, string][] = [
      ["POST", `/webhook/${token}/extra`],
      ["POST", `/webhook/${token}/`],
      ["GET", `/webhook/${token}/extra`],
      ["GET", `/%77ebhook/${token}`],
      ["GET", `/WEBHOOK/${token}`],
      ["POST", `/Webhook/${token}`],
      ["GET", `/api/../webhook/${token}`],
      ["GET", `/x/webhook/${token}`],
      ["GET", `/hook/${token}`],
      ["GET", `//webhook/${token}`],
    ];
    for (const [method, path] of paths) {
      const r = await raw(method, path, method === "POST" ? { body: "{}", headers: { Authorization: `Bearer ${ADMIN}` } } : { headers: { Authorization: `Bearer ${ADMIN}` } });
      const text = await r.text();
      expect(r.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(text, `${method} ${path}`).not.toContain(token);
      expectSecurityHeaders(r, `${method} ${path}`);
    }
  });

  it("webhook replies (200 and every 4xx) carry no token", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder({ name: "security" });
    const token = rec.webhookToken;
    const replies: Response[] = [
      await webhook(rec, { ticker, action: "buy", price: 25600 }),
      await webhook(rec, { ticker, action: "close", price: 25601 }),
      await webhook(rec, "not json"),
      await webhook(rec, { ticker, action: "hold" }),
      await webhook(rec, { ticker: "NOPE1!", action: "buy", price: 1 }),
      await webhook(rec, "x".repeat(70 * 1024)),
      await webhook({ webhookPath: `/webhook/${token.slice(0, -2)}zz` }, { ticker, action: "buy" }),
    ];
    expect(replies.map((r) => r.status)).toEqual([200, 200, 400, 400, 422, 413, 404]);
    for (const r of replies) {
      const text = await r.text();
      expect(text).not.toContain(token);
      expect(text).not.toContain("/webhook/");
      expectSecurityHeaders(r, `webhook ${r.status}`);
    }
    // the admin views never show it again either
    for (const path of ["/api/recorders", `/api/recorders/${rec.id}`, `/api/signals?recorderId=${rec.id}`, `/api/trades?recorderId=${rec.id}`]) {
      const r = await api("GET", path);
      expect(r.status, path).toBe(200);
      expect(await r.text(), path).not.toContain(token);
    }
  });
});

describe("other 404s", () => {
  it("an unknown route names the method and path (no secrets there) and has the headers", async () => {
    const r = await raw("GET", "/nope/here");
    expect(r.status).toBe(404);
    const json: any = await r.json();
    expectError(json, "not_found");
    expect(json.error.message).toContain("GET /nope/here");
    expectSecurityHeaders(r, "404");
    const a = await api("GET", "/api/nope");
    expect(a.status).toBe(404);
    expectSecurityHeaders(a, "/api 404");
    const rec = await api("GET", "/api/recorders/00000000-0000-4000-8000-000000000000");
    expect(rec.status).toBe(404);
    expectError(await rec.json(), "not_found");
    expectSecurityHeaders(rec, "recorder 404");
  });
});

describe("security headers on every Worker response", () => {
  it("/health, /status, /api/recorders (200 and 401), CSV, POST 201 and 400", async () => {
    const rec = await createRecorder();
    const cases: [string, Response, number][] = [
      ["/health", await raw("GET", "/health"), 200],
      ["HEAD /health", await raw("HEAD", "/health"), 200],
      ["/status", await api("GET", "/status"), 200],
      ["/status 401", await raw("GET", "/status"), 401],
      ["/api/recorders", await api("GET", "/api/recorders"), 200],
      ["/api/recorders 401 (none)", await raw("GET", "/api/recorders"), 401],
      ["/api/recorders 401 (wrong)", await api("GET", "/api/recorders", undefined, "wrong-token"), 401],
      ["POST /api/recorders 201", await api("POST", "/api/recorders", { name: "hdr" }), 201],
      ["POST /api/recorders 400", await api("POST", "/api/recorders", { name: "" }), 400],
      ["trades.csv", await api("GET", `/api/recorders/${rec.id}/trades.csv`), 200],
      ["stats", await api("GET", `/api/recorders/${rec.id}/stats`), 200],
      ["positions", await api("GET", "/api/positions?status=open"), 200],
    ];
    for (const [what, r, status] of cases) {
      expect(r.status, what).toBe(status);
      expectSecurityHeaders(r, what);
      await r.arrayBuffer();
    }
  });

  it("CORS preflights for /api/* and /status keep CORS and get the headers", async () => {
    for (const path of ["/api/recorders", "/status"]) {
      const r = await raw("OPTIONS", path, {
        headers: { Origin: "https://dashboard.example.pages.dev", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
      });
      expect(r.status, path).toBe(204);
      expect(r.headers.get("Access-Control-Allow-Origin"), path).toBe("*");
      expect((r.headers.get("Access-Control-Allow-Headers") ?? "").toLowerCase(), path).toContain("authorization");
      expectSecurityHeaders(r, `OPTIONS ${path}`);
    }
    const cross = await raw("GET", "/api/recorders", { headers: { Origin: "https://dashboard.example.pages.dev", Authorization: `Bearer ${ADMIN}` } });
    expect(cross.status).toBe(200);
    expect(cross.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expectSecurityHeaders(cross, "cross-origin GET");
  });
});
