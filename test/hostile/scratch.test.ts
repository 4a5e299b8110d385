import { it } from "vitest";
import { apiJson, createRecorder, tick, webhook } from "../helpers";

it("scratch", async () => {
  const rec = await createRecorder({ delayedFeed: "immediate" });
  const out: unknown[] = [];
  const brief = (p: any) => p && ({ id: p.id.slice(0, 8), status: p.status, q: p.quantity, max: p.maxQuantity, exitReason: p.exitReason, fills: p.fills.map((f: any) => `${f.side} ${f.quantity}@${f.price} ${f.reason}`).join(", ") });
  const send = async (b: unknown) => { const r = await webhook(rec, b); const j: any = await r.json(); out.push({ body: JSON.stringify(b), status: r.status, result: j.result ?? j.error?.code, position: brief(j.position), trade: j.trade && { pnl: j.trade.pnl, q: j.trade.quantity } }); };
  const T = "ESH2046";
  await send({ ticker: T, positionSize: 2, price: 6900 });
  await send({ ticker: T, positionSize: "5e-324", price: 6901 });
  out.push({ open: (await apiJson("GET", `/api/positions?status=open&recorderId=${rec.id}`)).positions.map(brief) });
  await tick("CME_MINI:ESH2046", 6903);
  await send({ ticker: T, action: "buy", price: 6904 });
  out.push({ open: (await apiJson("GET", `/api/positions?status=open&recorderId=${rec.id}`)).positions.map(brief) });
  await send({ ticker: T, positionSize: 0, price: 6905 });
  out.push({ all: (await apiJson("GET", `/api/positions?recorderId=${rec.id}`)).positions.map(brief) });
  out.push({ trades: (await apiJson("GET", `/api/trades?recorderId=${rec.id}`)).trades.map((t: any) => ({ pos: t.positionId.slice(0, 8), q: t.quantity, pnl: t.pnl })) });
  console.log(JSON.stringify(out, null, 1));
}, 60_000);
