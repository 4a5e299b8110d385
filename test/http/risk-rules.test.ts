// CONTRACT "Exits and risk rules", the settings that stop or cut entries, through HTTP: directionFilter,
// maxContracts, cooldownSeconds, maxSignalAgeSeconds, tradingDayStart + dailyLossLimit / dailyProfitTarget (and
// flattenOnDailyLimit), plus clone and reset of a recorder with rules. Expected values are computed by hand in
// the comments. MNQ: tick 0.25, $0.50 per tick per contract, so 1 point = $2 per contract.
import { describe, expect, it } from "vitest";
import { sleep, waitFor } from "../feed/helpers";
import { mnqContracts } from "../feed-do/helpers";
import { api, apiJson, createRecorder, evictSymbol, expectError, openPositions, signal, symbolStub, tick, tradesOf, webhook } from "../helpers";

const uniqueMnq = mnqContracts(4720);

/** The fake's anonymous feed reports delayed data: signals here apply at once. Repeated bodies are meant (no
 * dedupe window). */
const IMMEDIATE = { delayedFeed: "immediate", dedupeWindowSeconds: 0 } as const;

async function tradeCount(recorderId: string, n: number): Promise<any[]> {
  return waitFor(async () => {
    const t = await tradesOf(recorderId);
    return t.length >= n ? t : null;
  }, 10_000, `${n} trade(s) in D1`);
}

async function signalLog(recorderId: string): Promise<any[]> {
  return (await apiJson("GET", `/api/signals?recorderId=${recorderId}`)).signals;
}

describe("directionFilter", () => {
  it("long: a short entry is ignored (direction_filtered), a reversal into it only closes", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, directionFilter: "long" });
    expect(await signal(rec, { ticker, action: "sell", price: 25600 })).toMatchObject({ result: "ignored", reason: "direction_filtered", position: null });
    expect(await signal(rec, { ticker, action: "buy", positionSize: -2, price: 25600 })).toMatchObject({ result: "ignored", reason: "direction_filtered" });
    const o = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(o).toMatchObject({ result: "opened", position: { side: "long", quantity: 1 } });
    // sell while long: the long closes at 25610 (+$20) and no short opens.
    const r = await signal(rec, { ticker, action: "sell", price: 25610 });
    expect(r).toMatchObject({ result: "closed", reason: "direction_filtered", trade: { side: "long", pnl: 20 }, position: { status: "closed" } });
    expect(await openPositions(rec.id)).toEqual([]);
    const rows = await waitFor(async () => {
      const s = await signalLog(rec.id);
      return s.length >= 4 ? s : null;
    }, 10_000, "signal log");
    expect(rows.find((s) => s.result === "closed")).toMatchObject({ status: "applied" });
  });

  it("short: a long entry is ignored; exits (close, a strategy's flat target) still apply", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, directionFilter: "short" });
    expect(await signal(rec, { ticker, action: "buy", price: 25600 })).toMatchObject({ result: "ignored", reason: "direction_filtered" });
    expect(await signal(rec, { ticker, action: "sell", quantity: 2, price: 25600 })).toMatchObject({ result: "opened", position: { side: "short", quantity: 2 } });
    // A partial exit: 1 bought back at 25590 (+$20).
    expect(await signal(rec, { ticker, action: "close", quantity: 1, price: 25590 })).toMatchObject({ result: "reduced", position: { quantity: 1, realizedPnl: 20 } });
    // A strategy reversing into a long: only the short closes, at 25595 (+$10 on the last contract).
    const r = await signal(rec, { ticker, action: "buy", positionSize: 1, price: 25595 });
    expect(r).toMatchObject({ result: "closed", reason: "direction_filtered", trade: { side: "short", quantity: 2, pnl: 30 } });
    expect(await openPositions(rec.id)).toEqual([]);
  });
});

describe("maxContracts", () => {
  it("an entry above the cap is cut to it; nothing left is max_contracts; a reversal is cut too", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, maxContracts: 3 });
    expect(await signal(rec, { ticker, action: "buy", quantity: 2, price: 25600 })).toMatchObject({ result: "opened", position: { quantity: 2 } });
    // +2 would make 4: cut to 1 (3 in all). Average (2 × 25600 + 25604) / 3 = 25601.333…
    const add = await signal(rec, { ticker, action: "buy", quantity: 2, price: 25604 });
    expect(add).toMatchObject({ result: "added", position: { quantity: 3, maxQuantity: 3 } });
    expect(add.reason).toBeUndefined();
    expect(add.position.avgEntryPrice).toBeCloseTo(25601 + 1 / 3, 6);
    expect(await signal(rec, { ticker, action: "buy", price: 25605 })).toMatchObject({ result: "ignored", reason: "max_contracts", position: { quantity: 3 } });
    expect(await signal(rec, { ticker, action: "buy", positionSize: 7, price: 25605 })).toMatchObject({ result: "ignored", reason: "max_contracts" });
    // Reverse into short 5: the long 3 closes at 25607 (3 × (25607 − 25601.333…) × $2 = $34), short 3 opens.
    const rev = await signal(rec, { ticker, action: "sell", quantity: 5, price: 25607 });
    expect(rev).toMatchObject({ result: "reversed", trade: { side: "long", quantity: 3, pnl: 34 }, position: { side: "short", quantity: 3, avgEntryPrice: 25607 } });
    // A reduction is never cut.
    expect(await signal(rec, { ticker, action: "buy", positionSize: -1, price: 25600 })).toMatchObject({ result: "reduced", position: { quantity: 1 } });

    const fresh = await createRecorder({ ...IMMEDIATE, maxContracts: 2, initialQuantity: 5 });
    expect(await signal(fresh, { ticker, action: "sell", price: 25600 })).toMatchObject({ result: "opened", position: { side: "short", quantity: 2 } });
  });
});

describe("cooldownSeconds", () => {
  it("entries within the cooldown of the previous entry are ignored (cooldown); exits never are", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, cooldownSeconds: 600 });
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result).toBe("opened");
    expect(await signal(rec, { ticker, action: "buy", price: 25601 })).toMatchObject({ result: "ignored", reason: "cooldown", position: { quantity: 1 } });
    // A reversal only closes: +$10.
    expect(await signal(rec, { ticker, action: "sell", price: 25605 })).toMatchObject({ result: "closed", reason: "cooldown", trade: { pnl: 10 } });
    expect(await signal(rec, { ticker, action: "sell", price: 25605 })).toMatchObject({ result: "ignored", reason: "cooldown", position: null });
    expect(await openPositions(rec.id)).toEqual([]);
  });

  it("after the cooldown an entry applies again", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, cooldownSeconds: 1 });
    expect((await signal(rec, { ticker, action: "buy", price: 25600 })).result).toBe("opened");
    expect(await signal(rec, { ticker, action: "buy", price: 25601 })).toMatchObject({ result: "ignored", reason: "cooldown" });
    // The close is an exit: applies at once.
    expect((await signal(rec, { ticker, action: "close", price: 25602 })).result).toBe("closed");
    await sleep(1100);
    expect((await signal(rec, { ticker, action: "sell", price: 25602 })).result).toBe("opened");
  });
});

describe("maxSignalAgeSeconds", () => {
  it("a signal whose time is older than the limit is refused 422 stale_signal and logged; fresh or untimed ones apply", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, maxSignalAgeSeconds: 60 });
    // As {{timenow}} renders it: whole seconds, Z.
    const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
    const fiveMinutesAgo = Date.now() - 5 * 60_000;
    const r = await webhook(rec, { ticker, action: "buy", price: 25600, time: iso(fiveMinutesAgo) });
    expect(r.status).toBe(422);
    const body: any = await r.json();
    expectError(body, "stale_signal");
    expect(body.error.message).toContain("60");
    // timestamp in epoch seconds, as a string.
    const r2 = await webhook(rec, { ticker, action: "buy", price: 25600, timestamp: String(Math.floor(fiveMinutesAgo / 1000)) });
    expect(r2.status).toBe(422);
    expectError(await r2.json(), "stale_signal");
    expect(await openPositions(rec.id)).toEqual([]);
    const rows = await waitFor(async () => {
      const s = (await signalLog(rec.id)).filter((x) => x.status === "rejected");
      return s.length >= 2 ? s : null;
    }, 10_000, "rejected rows");
    for (const row of rows) expect(row.error.code).toBe("stale_signal");

    // 10 s old, epoch milliseconds, no time at all, and a sender clock ahead of ours: all apply.
    expect((await signal(rec, { ticker, action: "buy", price: 25600, time: iso(Date.now() - 10_000) })).result).toBe("opened");
    expect((await signal(rec, { ticker, action: "buy", price: 25601, time: Date.now() - 5_000 })).result).toBe("added");
    expect((await signal(rec, { ticker, action: "buy", price: 25602 })).result).toBe("added");
    expect((await signal(rec, { ticker, action: "close", price: 25603, time: iso(Date.now() + 120_000) })).result).toBe("closed");

    // Without the setting, an old time is just kept.
    const plain = await createRecorder(IMMEDIATE);
    expect((await signal(plain, { ticker, action: "buy", price: 25600, time: iso(fiveMinutesAgo) })).result).toBe("opened");
  });
});

/** HH:MM (UTC) of `ms`. */
function hhmm(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16);
}

/** A trading day in UTC that began 6 hours ago: no day boundary during the test. */
function day(): { timezone: string; tradingDayStart: string } {
  return { timezone: "UTC", tradingDayStart: hhmm(Date.now() - 6 * 3600_000) };
}

describe("daily limits", () => {
  it("a loss limit crossed by a stop exit: entries are ignored (daily_limit) for the day, on other symbols too", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, ...day(), dailyLossLimit: 30, commissionPerContract: 0.25 });
    // A first trade: +1 point on 1 contract = $2 − $0.50 commission = +$1.50.
    await signal(rec, { ticker, action: "buy", price: 25600 });
    expect((await signal(rec, { ticker, action: "close", price: 25601 })).trade.pnl).toBe(1.5);
    // Long 2 at 25600 with a stop at 25592: −8 points × $2 × 2 = −$32 gross, −$1 commission: −$33. Day: −$31.50.
    const o = await signal(rec, { ticker, action: "buy", quantity: 2, price: 25600, stopLoss: 25592 });
    expect(o.result).toBe("opened");
    await tick(feedSymbol, 25595); // unrealized −$20: the limit counts realized P&L only (no flatten)
    expect(await openPositions(rec.id)).toHaveLength(1);
    await tick(feedSymbol, 25592);
    const [t] = await tradeCount(rec.id, 2);
    expect(t).toMatchObject({ exitReason: "stop_loss", exitPrice: 25592, grossPnl: -32, commission: 1, pnl: -33 });
    expect(await signal(rec, { ticker, action: "buy", price: 25590 })).toMatchObject({ result: "ignored", reason: "daily_limit", position: null });
    expect(await signal(rec, { ticker, action: "sell", positionSize: -1, price: 25590 })).toMatchObject({ result: "ignored", reason: "daily_limit" });
    // The day's net is the recorder's: another contract month is refused too (its trade is in D1 by now).
    const other = uniqueMnq();
    expect(await signal(rec, { ticker: other.ticker, action: "sell", price: 25590 }), "another contract month").toMatchObject({ result: "ignored", reason: "daily_limit" });
    // A recorder without the limit, or a looser one, is not affected.
    await apiJson("PATCH", `/api/recorders/${rec.id}`, { dailyLossLimit: 40 });
    expect((await signal(rec, { ticker, action: "buy", price: 25591 })).result).toBe("opened");
  });

  it("a profit target counts the net after commission", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, ...day(), dailyProfitTarget: 20, commissionPerContract: 0.5 });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    // +5 points × $2 = $10 gross, 2 × $0.50 commission: +$9. Day: $9.
    expect((await signal(rec, { ticker, action: "close", price: 25605 })).trade.pnl).toBe(9);
    expect((await signal(rec, { ticker, action: "sell", price: 25605 })).result).toBe("opened");
    // Short closed at 25599: +6 points × $2 = $12 − $1 = $11. Day: $20, the target.
    expect((await signal(rec, { ticker, action: "close", price: 25599 })).trade.pnl).toBe(11);
    expect(await signal(rec, { ticker, action: "buy", price: 25599 })).toMatchObject({ result: "ignored", reason: "daily_limit" });
  });

  it("flattenOnDailyLimit: the open position closes on the tick where realized + unrealized reaches the limit", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, ...day(), dailyLossLimit: 50, flattenOnDailyLimit: true, slippageTicks: 0 });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    expect((await signal(rec, { ticker, action: "close", price: 25590 })).trade.pnl).toBe(-20);
    // Day −$20. Long 1 at 25600: the day reaches −$50 at 25600 − 30 / 2 = 25585.
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await tick(feedSymbol, 25590); // −$40
    await tick(feedSymbol, 25585.25); // −$20 − $29.50 = −$49.50
    expect(await openPositions(rec.id)).toHaveLength(1);
    await tick(feedSymbol, 25585);
    const [t] = await tradeCount(rec.id, 2);
    expect(t).toMatchObject({ exitReason: "daily_limit", exitPrice: 25585, pnl: -30, maxAdverse: -30 });
    expect(await signal(rec, { ticker, action: "buy", price: 25585 })).toMatchObject({ result: "ignored", reason: "daily_limit" });

    // The profit side, with slippage on the exit: target $30 on a short 2 at 25600 (sold at 25599.75): the day
    // reaches +$30 at 25599.75 − 30 / 4 = 25592.25. A tick at 25592 gaps past it: bought at 25592 + 1 tick.
    const pro = await createRecorder({ ...IMMEDIATE, ...day(), dailyProfitTarget: 30, flattenOnDailyLimit: true, slippageTicks: 1, initialQuantity: 2 });
    const o = await signal(pro, { ticker, action: "sell", price: 25600 });
    expect(o.position.avgEntryPrice).toBe(25599.75);
    await tick(feedSymbol, 25592.5); // +$29: not yet
    expect(await openPositions(pro.id)).toHaveLength(1);
    await tick(feedSymbol, 25592);
    const [p] = await tradeCount(pro.id, 1);
    // (25599.75 − 25592.25) × $2 × 2 = $30.
    expect(p).toMatchObject({ exitReason: "daily_limit", exitPrice: 25592.25, pnl: 30 });
  });
});

describe("clone and reset with rules", () => {
  it("a clone records with the same rules under its own token; reset clears its record", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const src = await createRecorder({
      ...IMMEDIATE,
      initialQuantity: 2,
      takeProfitLegs: [{ ticks: 4, percent: 50 }, { ticks: 8, percent: 50 }],
      maxContracts: 2,
      slippageTicks: 1,
    });
    const { recorder: clone } = await apiJson("POST", `/api/recorders/${src.id}/clone`, { name: "clone" }, 201);
    expect(clone).toMatchObject({ takeProfitLegs: [{ ticks: 4, percent: 50 }, { ticks: 8, percent: 50 }], maxContracts: 2, slippageTicks: 1 });
    // Bought at 25600.25 (slipped); legs at 25601.25 and 25602.25, 1 contract each.
    const o = await signal(clone, { ticker, action: "buy", price: 25600 });
    expect(o).toMatchObject({ recorderId: clone.id, position: { quantity: 2, avgEntryPrice: 25600.25, takeProfitPrice: 25601.25 } });
    expect(await signal(clone, { ticker, action: "buy", price: 25600 })).toMatchObject({ result: "ignored", reason: "max_contracts" });
    expect(await openPositions(src.id)).toEqual([]);
    await tick(feedSymbol, 25603);
    // 1 × 1 point × $2 + 1 × 2 points × $2 = $6 (take-profits are never slipped).
    const [t] = await tradeCount(clone.id, 1);
    expect(t).toMatchObject({ exitReason: "take_profit_2", pnl: 6 });

    const r = await api("POST", `/api/recorders/${clone.id}/reset`);
    expect(r.status).toBe(200);
    expect(await tradesOf(clone.id)).toEqual([]);
    expect(await signalLog(clone.id)).toEqual([]);
    // The settings stay.
    expect((await apiJson("GET", `/api/recorders/${clone.id}`)).recorder).toMatchObject({ maxContracts: 2, slippageTicks: 1 });
  });
});

describe("after a restart of the symbol's object", () => {
  it("the cooldown and the day's net are remembered", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const cool = await createRecorder({ ...IMMEDIATE, cooldownSeconds: 600 });
    const limited = await createRecorder({ ...IMMEDIATE, ...day(), dailyLossLimit: 10 });
    expect((await signal(cool, { ticker, action: "buy", price: 25600 })).result).toBe("opened");
    expect((await signal(cool, { ticker, action: "close", price: 25600 })).result).toBe("closed");
    await signal(limited, { ticker, action: "buy", price: 25600 });
    expect((await signal(limited, { ticker, action: "close", price: 25595 })).trade.pnl).toBe(-10); // the limit
    await evictSymbol(symbolStub(feedSymbol));
    expect(await signal(cool, { ticker, action: "sell", price: 25600 })).toMatchObject({ result: "ignored", reason: "cooldown" });
    expect(await signal(limited, { ticker, action: "sell", price: 25600 })).toMatchObject({ result: "ignored", reason: "daily_limit" });
  });
});

describe("daily limits and an open position's realized P&L", () => {
  it("a partial exit's realized loss counts: adds are then ignored, a reversal only closes", async () => {
    const { ticker } = uniqueMnq();
    const rec = await createRecorder({ ...IMMEDIATE, ...day(), dailyLossLimit: 20 });
    await signal(rec, { ticker, action: "buy", quantity: 2, price: 25600 });
    // 1 of 2 sold at 25590: −10 points × $2 = −$20 realized, the limit.
    expect(await signal(rec, { ticker, action: "close", quantity: 1, price: 25590 })).toMatchObject({ result: "reduced", position: { realizedPnl: -20 } });
    expect(await signal(rec, { ticker, action: "buy", price: 25590 })).toMatchObject({ result: "ignored", reason: "daily_limit", position: { quantity: 1 } });
    const r = await signal(rec, { ticker, action: "sell", price: 25595 });
    expect(r).toMatchObject({ result: "closed", reason: "daily_limit", trade: { quantity: 2, pnl: -30 } });
  });
});
