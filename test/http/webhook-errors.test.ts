// Every webhook error code of CONTRACT.md: a clear 4xx, a machine-readable code, and nothing changed.
import { describe, expect, it } from "vitest";
import { api, apiJson, createRecorder, expectError, freshMnq, openPositions, signal, webhook } from "../helpers";

async function signalLog(recorderId: string) {
  return (await apiJson("GET", `/api/signals?recorderId=${recorderId}`)).signals as any[];
}

describe("webhook errors", () => {
  it("400 invalid_json for a body that is not JSON, logged as rejected", async () => {
    const rec = await createRecorder();
    const r = await webhook(rec, "buy MNQ now");
    expect(r.status).toBe(400);
    expectError(await r.json(), "invalid_json");
    const log = await signalLog(rec.id);
    expect(log[0]).toMatchObject({ status: "rejected", error: { code: "invalid_json" } });
  });

  it("400 invalid_signal naming the offending fields", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const r = await webhook(rec, { ticker, action: "hold", quantity: "-1" });
    expect(r.status).toBe(400);
    const json: any = await r.json();
    expectError(json, "invalid_signal");
    const fields = json.error.details.map((d: any) => d.field);
    expect(fields).toContain("action");
    expect(fields).toContain("quantity");
    expect(await openPositions(rec.id)).toEqual([]);
  });

  it("400 invalid_signal when there is no ticker and no default symbol", async () => {
    const rec = await createRecorder();
    const r = await webhook(rec, { action: "buy", price: 100 });
    expect(r.status).toBe(400);
    expectError(await r.json(), "invalid_signal");
  });

  it("404 unknown_token, also for a disabled recorder", async () => {
    const { ticker } = freshMnq();
    const r = await webhook({ webhookPath: "/webhook/not-a-real-token-at-all-xxxxxxxx" }, { ticker, action: "buy", price: 1 });
    expect(r.status).toBe(404);
    expectError(await r.json(), "unknown_token");

    const rec = await createRecorder();
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { enabled: false });
    const d = await webhook(rec, { ticker, action: "buy", price: 25600 });
    expect(d.status).toBe(404);
    expectError(await d.json(), "unknown_token");
  });

  it("413 payload_too_large above 64 KiB", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const r = await webhook(rec, { ticker, action: "buy", price: 25600, comment: "x".repeat(70_000) });
    expect(r.status).toBe(413);
    expectError(await r.json(), "payload_too_large");
    expect(await openPositions(rec.id)).toEqual([]);
  });

  it("422 unknown_instrument, unless the recorder gives tick size and value", async () => {
    const rec = await createRecorder();
    const r = await webhook(rec, { ticker: "NASDAQ:AAPL", action: "buy", price: 190 });
    expect(r.status).toBe(422);
    expectError(await r.json(), "unknown_instrument");

    const custom = await createRecorder({ tickSize: 0.01, tickValue: 0.01 });
    const ok = await signal(custom, { ticker: "NASDAQ:AAPL", action: "buy", price: 190.123, quantity: 100 });
    expect(ok.position).toMatchObject({ symbol: "AAPL", feedSymbol: "NASDAQ:AAPL", avgEntryPrice: 190.12 });
  });

  it("422 no_price when neither the signal nor the feed has a price", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    const r = await webhook(rec, { ticker, action: "buy" });
    expect(r.status).toBe(422);
    expectError(await r.json(), "no_price");
    expect(await openPositions(rec.id)).toEqual([]);
    expect((await signalLog(rec.id))[0]).toMatchObject({ status: "rejected", error: { code: "no_price" } });
  });

  it("429 rate_limited past the per-recorder limit", async () => {
    const { ticker } = freshMnq();
    const rec = await createRecorder();
    let limited: Response | null = null;
    for (let i = 0; i < 80 && !limited; i++) {
      const r = await webhook(rec, { ticker, action: i % 2 ? "sell" : "buy", price: 25600, id: `s${i}` });
      if (r.status === 429) limited = r;
      else expect(r.status).toBe(200);
    }
    expect(limited).not.toBeNull();
    expectError(await limited!.json(), "rate_limited");
  });

  it("the admin API refuses a missing or wrong token with 401 unauthorized", async () => {
    const r = await api("GET", "/api/recorders", undefined, "wrong");
    expect(r.status).toBe(401);
    expectError(await r.json(), "unauthorized");
    const s = await api("GET", "/status", undefined, "");
    expect(s.status).toBe(401);
  });
});
