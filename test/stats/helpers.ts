import type { Trade } from "../../src/engine/types";

let seq = 0;

/** A closed trade with harmless defaults; override what the test is about. */
export function trade(over: Partial<Trade> = {}): Trade {
  seq++;
  const pnl = over.pnl ?? 0;
  const commission = over.commission ?? 0;
  return {
    id: `t${String(seq).padStart(4, "0")}`,
    positionId: `p${seq}`,
    recorderId: "rec1",
    symbol: "MNQ",
    side: "long",
    quantity: 1,
    entryPrice: 100,
    exitPrice: 100,
    grossPnl: pnl + commission,
    commission,
    pnl,
    maxFavorable: 0,
    maxAdverse: 0,
    openedAt: "2026-03-02T09:00:00.000Z",
    closedAt: "2026-03-02T10:00:00.000Z",
    exitReason: "signal",
    ...over,
  };
}

/** Trades closing one minute apart, in the given order, with these net P&Ls. */
export function sequence(pnls: number[], start = "2026-03-02T09:00:00.000Z"): Trade[] {
  const t0 = Date.parse(start);
  return pnls.map((pnl, i) =>
    trade({
      id: `s${String(i).padStart(3, "0")}`,
      pnl,
      openedAt: new Date(t0 + i * 60_000).toISOString(),
      closedAt: new Date(t0 + i * 60_000 + 30_000).toISOString(),
    }),
  );
}

/** Every number reachable from `v` is finite (JSON.stringify would silently turn NaN/Infinity into null). */
export function assertAllFinite(v: unknown, path = "$"): void {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`${path} is ${v}`);
  } else if (Array.isArray(v)) {
    v.forEach((x, i) => assertAllFinite(x, `${path}[${i}]`));
  } else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) assertAllFinite(x, `${path}.${k}`);
  } else if (v === undefined) {
    throw new Error(`${path} is undefined`);
  }
}
