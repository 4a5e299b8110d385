// CONTRACT "Delayed data, aligned" (and "Market time"): with a delayed feed (`delayed_streaming_N`, lp_time N s
// behind) and a recorder's default `delayedFeed: "align"`, a signal is answered `result: "scheduled"` with
// `appliesAt` (its receive time) and applied when the first tick with market time >= that time arrives, so the
// trade holds exactly the excursions of the ticks stamped between its signals.
//
// Through HTTP over the fake TradingView server: `setDelay(symbol, 900)` makes it report delayed_streaming_900;
// ticks carry explicit lp_time values (epoch seconds) placed around the signals' receive times. A tick's lp_time
// in the past (not the current second) is its exact market time, so worstAt/bestAt are checked exactly.
import { runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { setDelay, sleep, state, tick, waitFor } from "../feed/helpers";
import { apiJson, createRecorder, evictSymbol, signal, symbolStub } from "../helpers";
import { mnqContracts, open, prepare, symbolStatus } from "./helpers";

const uniqueMnq = mnqContracts(3100);

/** Epoch second of an epoch-ms time (what lp_time carries). */
const sec = (ms: number) => Math.floor(ms / 1000);
const iso = (epochSec: number) => new Date(epochSec * 1000).toISOString();

/** Until the wall clock is past epoch second `epochSec`: a tick stamped with it is then not "the current second"
 * (which the feed would replace by the local clock), so its market time is exactly that second. */
async function untilPast(epochSec: number): Promise<void> {
  const wait = (epochSec + 1) * 1000 + 50 - Date.now();
  if (wait > 0) await sleep(wait);
}

/** Fake heartbeats every second keep the object's feed (watchdog 5 s) from reconnecting during a test. */
const PREP = { hb: 1000 };

async function statusOf(feedSymbol: string): Promise<any> {
  const { symbols } = await apiJson<{ symbols: any[] }>("GET", "/status");
  return symbols.find((s) => s.feedSymbol === feedSymbol) ?? null;
}

/**
 * A fresh MNQ contract whose feed is `seconds` behind at the fake server, with the symbol object's feed running
 * and its mode shown in /status. Something must start the feed: a position of an `immediate` recorder (its
 * ticks are all late, so it stays dormant; it belongs to nobody under test).
 */
async function delayedSymbol(seconds = 900): Promise<{ ticker: string; feedSymbol: string }> {
  const { ticker, feedSymbol } = uniqueMnq();
  await setDelay(feedSymbol, seconds);
  await prepare(feedSymbol, PREP);
  const starter = await createRecorder({ delayedFeed: "immediate" });
  expect((await signal(starter, { ticker, action: "buy", price: 25000 })).result).toBe("opened");
  await waitFor(async () => {
    const s = await statusOf(feedSymbol);
    return s?.feed.updateMode === `delayed_streaming_${seconds}` && ["connected", "streaming"].includes(s.feed.state);
  }, 60_000, `/status shows ${feedSymbol} delayed_streaming_${seconds}`);
  return { ticker, feedSymbol };
}

/**
 * Pushes ticks from the fake, in order, each with an explicit lp_time (epoch s; undefined: the fake stamps it
 * itself, N s behind for a delayed symbol), and waits until the object processed them.
 */
async function push(feedSymbol: string, ticks: Array<[price: number, lpTime?: number]>): Promise<void> {
  const before = (await symbolStatus(feedSymbol)).ticksProcessed;
  const last = ticks.at(-1)![0];
  const processed = async () => {
    const st = await symbolStatus(feedSymbol);
    return st.ticksProcessed >= before + ticks.length && st.feed.lastPrice === last;
  };
  // A connection the fake still counts as open may be one the object is replacing (a reconnect under load): then
  // the ticks went nowhere, and are sent again (the same prices at the same times change no excursion).
  for (let attempt = 1; ; attempt++) {
    for (const [price, lpTime] of ticks) {
      const r = await tick({ symbol: feedSymbol, price, ...(lpTime !== undefined ? { lpTime } : {}) });
      expect(r.delivered, `tick ${price} delivered`).toBeGreaterThanOrEqual(1);
    }
    try {
      await waitFor(processed, attempt < 3 ? 15_000 : 60_000, `${ticks.length} tick(s) processed by ${feedSymbol}`);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

/** The fake's connections for a symbol that are open now (before a restart: the instance going away holds them). */
async function openConnections(feedSymbol: string): Promise<Set<number>> {
  const s = await state({ symbol: feedSymbol });
  return new Set(s.connections.filter((c) => c.open).map((c) => c.id as number));
}

/** Wakes the symbol object (e.g. after a restart: its constructor restarts the feed) and waits until its feed is
 * subscribed at the fake and has reported its update mode. After a restart, pass the connections the old instance
 * held (`openConnections` before evicting): the fake may not have seen them close yet, and a tick pushed to one
 * of them would never reach the new instance — so wait for a new one, and for the old ones to be gone. */
async function feedLive(feedSymbol: string, old: Set<number> = new Set()): Promise<void> {
  await symbolStatus(feedSymbol);
  await waitFor(async () => {
    const s = await state({ symbol: feedSymbol });
    const open = s.connections.filter((c) => c.open);
    return open.some((c) => !old.has(c.id) && c.symbols.includes(feedSymbol)) && !open.some((c) => old.has(c.id));
  }, 60_000, `${feedSymbol} subscribed at the fake server`);
  await waitFor(async () => {
    const st = await symbolStatus(feedSymbol);
    return st.feed.updateMode !== null && ["connected", "streaming"].includes(st.feed.state);
  }, 60_000, `${feedSymbol} feed ready`);
}

async function signals(recorderId: string, status?: string): Promise<any[]> {
  const q = status ? `&status=${status}` : "";
  const { signals } = await apiJson<{ signals: any[] }>("GET", `/api/signals?recorderId=${recorderId}${q}`);
  return signals;
}

async function closedPositions(recorderId: string): Promise<any[]> {
  const { positions } = await apiJson<{ positions: any[] }>("GET", `/api/positions?status=closed&recorderId=${recorderId}`);
  return positions;
}

async function tradesOf(recorderId: string): Promise<any[]> {
  const { trades } = await apiJson<{ trades: any[] }>("GET", `/api/trades?recorderId=${recorderId}`);
  return trades;
}

/** The one closed round trip of a recorder, once D1 has it. */
async function roundTrip(recorderId: string): Promise<{ trade: any; position: any }> {
  return waitFor(async () => {
    const [trades, positions] = await Promise.all([tradesOf(recorderId), closedPositions(recorderId)]);
    return trades.length >= 1 && positions.length >= 1 ? { trade: trades[0], position: positions[0] } : null;
  }, 15_000, "the round trip in D1");
}

/** The market path of (a) and (b): before the buy, between buy and close, after the close. */
const BEFORE = [25500, 25700, 25450];
const BETWEEN = [25590, 25630, 25610];
const AFTER = [25400, 25800];
const BUY = 25600;
const CLOSE = 25620;

/**
 * (a): on a delayed symbol, an align recorder's buy and close (each with a price), and ticks stamped before,
 * between and after their receive times. As delayed data does, the ticks stamped before the buy arrive while
 * the signals wait (one of them after the close was received), and every tick stamped between or after them
 * ARRIVES after the close was received.
 */
async function alignedRoundTrip() {
  const { ticker, feedSymbol } = await delayedSymbol(900);
  const rec = await createRecorder();
  expect(rec.delayedFeed).toBe("align");

  const buy = await signal(rec, { ticker, action: "buy", price: BUY });
  expect(buy).toMatchObject({ ok: true, result: "scheduled", appliesAt: expect.any(String), position: null });
  const tb = Date.parse(buy.appliesAt);
  const s0 = sec(tb);
  // While the signal waits, the feed brings the market of 15 and 10 minutes ago.
  await push(feedSymbol, [
    [BEFORE[0], s0 - 900],
    [BEFORE[1], s0 - 600],
  ]);
  expect(await open(rec.id)).toEqual([]);
  expect((await statusOf(feedSymbol)).scheduledSignals).toBe(1);

  await sleep(4200);
  const close = await signal(rec, { ticker, action: "close", price: CLOSE });
  // Answered at once with the position as it stands: none yet (the buy has not been applied).
  expect(close).toMatchObject({ ok: true, result: "scheduled", appliesAt: expect.any(String), position: null });
  const tc = Date.parse(close.appliesAt);
  expect(tc - tb).toBeGreaterThanOrEqual(4000);
  const sc = sec(tc);
  expect((await statusOf(feedSymbol)).scheduledSignals).toBe(2);

  // Stamped just before the buy: arrives now, must not count.
  await push(feedSymbol, [[BEFORE[2], s0 - 1]]);
  expect(await open(rec.id)).toEqual([]);
  // Between the two receive times (s0+1 > tb, s0+3 < tc), all in the past: exact market times.
  await push(feedSymbol, BETWEEN.map((p, i) => [p, s0 + 1 + i] as [number, number]));
  const [live] = await open(rec.id);
  expect(live).toMatchObject({ side: "long", avgEntryPrice: BUY, openedAt: buy.appliesAt, lastPrice: BETWEEN[2] });
  expect((await statusOf(feedSymbol)).scheduledSignals).toBe(1);
  // After the close's receive time: the close applies first, then these change nothing.
  await push(feedSymbol, AFTER.map((p, i) => [p, sc + 1 + i] as [number, number]));
  expect(await open(rec.id)).toEqual([]);
  expect((await statusOf(feedSymbol)).scheduledSignals).toBe(0);

  const { trade, position } = await roundTrip(rec.id);
  return { rec, buy, close, trade, position, s0, feedSymbol };
}

describe("delayed feed, align (default)", () => {
  it("(a) a buy then a close record exactly the excursions of the ticks stamped between their receive times", async () => {
    const { rec, buy, close, trade, position, s0 } = await alignedRoundTrip();
    // Long 25600 -> 25620: worst 25590 (-10 pt = -$20), best 25630 (+30 pt = +$60); exit +$40.
    expect(trade).toMatchObject({
      side: "long",
      quantity: 1,
      entryPrice: BUY,
      exitPrice: CLOSE,
      grossPnl: 40,
      pnl: 40,
      maxAdverse: -20,
      maxFavorable: 60,
      openedAt: buy.appliesAt,
      closedAt: close.appliesAt,
      exitReason: "signal",
    });
    expect(position).toMatchObject({
      status: "closed",
      avgEntryPrice: BUY,
      exitPrice: CLOSE,
      realizedPnl: 40,
      worstUnrealizedPnl: -20,
      bestUnrealizedPnl: 60,
      worstPrice: 25590,
      bestPrice: 25630,
      worstAt: iso(s0 + 1),
      bestAt: iso(s0 + 2),
      openedAt: buy.appliesAt,
      closedAt: close.appliesAt,
      delayedData: true,
      aligned: true,
    });
    expect(position.fills).toEqual([
      expect.objectContaining({ side: "buy", price: BUY, at: buy.appliesAt, priceSource: "signal" }),
      expect.objectContaining({ side: "sell", price: CLOSE, at: close.appliesAt, priceSource: "signal" }),
    ]);
    // The log rows of the two scheduled signals moved to their outcomes (same ids, no other rows).
    const rows = await waitFor(async () => {
      const rows = await signals(rec.id);
      return rows.length === 2 && rows.every((r) => r.status === "applied") ? rows : null;
    }, 15_000, "both signals applied in the log");
    expect(rows.map((r) => [r.id, r.result]).sort()).toEqual(
      [
        [buy.signalId, "opened"],
        [close.signalId, "closed"],
      ].sort(),
    );
  });

  it("(b) the same market path in real time gives the same trade", async () => {
    const realTime = async () => {
      // The fake's anonymous feed stamps lp_time with the wall clock (no delay knob): real-time data. Its mode
      // still says delayed_streaming_900, so the recorder applies at once.
      const { ticker, feedSymbol } = uniqueMnq();
      await prepare(feedSymbol, PREP);
      const rec = await createRecorder({ delayedFeed: "immediate" });
      const buy = await signal(rec, { ticker, action: "buy", price: BUY });
      expect(buy.result).toBe("opened");
      await feedLive(feedSymbol);
      await sleep(1100); // the fake's stamps (whole seconds) are now past the buy's receive time
      // Before the buy nothing could be heard; after the close nothing counts: only the path between matters.
      for (const p of BETWEEN) await push(feedSymbol, [[p]]);
      const close = await signal(rec, { ticker, action: "close", price: CLOSE });
      expect(close.result).toBe("closed");
      await push(feedSymbol, AFTER.map((p) => [p] as [number]));
      return roundTrip(rec.id);
    };
    const [aligned, live] = await Promise.all([alignedRoundTrip(), realTime()]);
    const same = (t: any) => ({
      side: t.side,
      quantity: t.quantity,
      entryPrice: t.entryPrice,
      exitPrice: t.exitPrice,
      grossPnl: t.grossPnl,
      commission: t.commission,
      pnl: t.pnl,
      maxAdverse: t.maxAdverse,
      maxFavorable: t.maxFavorable,
      exitReason: t.exitReason,
    });
    expect(same(aligned.trade)).toEqual(same(live.trade));
    expect(same(live.trade)).toMatchObject({ entryPrice: BUY, exitPrice: CLOSE, pnl: 40, maxAdverse: -20, maxFavorable: 60 });
    const prices = (p: any) => ({ worstPrice: p.worstPrice, bestPrice: p.bestPrice, worst: p.worstUnrealizedPnl, best: p.bestUnrealizedPnl, realized: p.realizedPnl });
    expect(prices(aligned.position)).toEqual(prices(live.position));
  });

  it("(d) a restart with scheduled signals pending loses none, and applies each once when its tick arrives", async () => {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const stub = symbolStub(feedSymbol);
    const a = await createRecorder();
    const b = await createRecorder();
    await push(feedSymbol, [[25550, sec(Date.now()) - 900]]);
    const buyA = await signal(a, { ticker, action: "buy", price: 25600 });
    const sellB = await signal(b, { ticker, action: "sell", price: 25605 });
    expect([buyA.result, sellB.result]).toEqual(["scheduled", "scheduled"]);
    await sleep(2200);
    const closeA = await signal(a, { ticker, action: "close", price: 25620 });
    expect(closeA.result).toBe("scheduled");
    const tSell = Date.parse(sellB.appliesAt);
    const tClose = Date.parse(closeA.appliesAt);
    expect(sec(tSell) + 1).toBeLessThan(tClose / 1000);

    let old = await openConnections(feedSymbol);
    await evictSymbol(stub);
    // Rebuilt: all three still waiting (the reconnect's snapshot repeats a tick stamped before them).
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(3);
    await feedLive(feedSymbol, old);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(3);
    expect(await open(a.id)).toEqual([]);
    expect(await open(b.id)).toEqual([]);

    // A tick stamped past both entries (before the close): both applied, in receive order, at their own times.
    await push(feedSymbol, [[25590, sec(tSell) + 1]]);
    const [pa] = await open(a.id);
    const [pb] = await open(b.id);
    expect(pa).toMatchObject({ side: "long", avgEntryPrice: 25600, openedAt: buyA.appliesAt, worstUnrealizedPnl: -20, aligned: true });
    expect(pb).toMatchObject({ side: "short", avgEntryPrice: 25605, openedAt: sellB.appliesAt, bestUnrealizedPnl: 30, aligned: true });
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(1);

    // Another restart with the close pending.
    old = await openConnections(feedSymbol);
    await evictSymbol(stub);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(1);
    await feedLive(feedSymbol, old);
    await push(feedSymbol, [[25640, sec(tClose) + 1]]);
    expect(await open(a.id)).toEqual([]);
    const { trade } = await roundTrip(a.id);
    expect(trade).toMatchObject({ entryPrice: 25600, exitPrice: 25620, maxAdverse: -20, maxFavorable: 40, pnl: 40, openedAt: buyA.appliesAt, closedAt: closeA.appliesAt });

    // Nothing is applied twice: another restart and more ticks change no count.
    old = await openConnections(feedSymbol);
    await evictSymbol(stub);
    await feedLive(feedSymbol, old);
    await push(feedSymbol, [[25650, sec(tClose) + 2], [25660, sec(tClose) + 3]]);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(0);
    expect(await tradesOf(a.id)).toHaveLength(1);
    const [pb2] = await open(b.id);
    expect(pb2.fills).toHaveLength(1);
    const rowsA = await waitFor(async () => {
      const r = await signals(a.id);
      return r.length === 2 && r.every((x) => x.status === "applied") ? r : null;
    }, 15_000, "a's two signals applied");
    expect(rowsA.map((r) => r.id).sort()).toEqual([buyA.signalId, closeA.signalId].sort());
    const rowsB = await waitFor(async () => {
      const r = await signals(b.id);
      return r.length === 1 && r[0].status === "applied" ? r : null;
    }, 15_000, "b's signal applied");
    expect(rowsB[0]).toMatchObject({ id: sellB.signalId, result: "opened" });
  });

  it("(f) GET /api/signals?status=scheduled lists a waiting signal until it is applied; /status shows the wait and the lag", async () => {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const rec = await createRecorder();
    // A tick the fake stamps itself: 900 s behind.
    await push(feedSymbol, [[25590]]);
    const lag = (await statusOf(feedSymbol)).feed.marketLagSeconds;
    expect(lag).toBeGreaterThanOrEqual(899);
    expect(lag).toBeLessThanOrEqual(910);

    const buy = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(buy).toMatchObject({ result: "scheduled", appliesAt: expect.any(String) });
    const listed = await waitFor(async () => {
      const rows = await signals(rec.id, "scheduled");
      return rows.length === 1 ? rows : null;
    }, 15_000, "the scheduled row");
    expect(listed[0]).toMatchObject({ id: buy.signalId, status: "scheduled", appliesAt: buy.appliesAt, receivedAt: buy.appliesAt });
    expect(await signals(rec.id, "applied")).toEqual([]);
    const st = await statusOf(feedSymbol);
    expect(st.scheduledSignals).toBe(1);
    expect(st.feed).toMatchObject({ updateMode: "delayed_streaming_900", delayed: true });

    // More late ticks: still waiting.
    await push(feedSymbol, [[25595]]);
    expect(await signals(rec.id, "scheduled")).toHaveLength(1);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(1);

    await push(feedSymbol, [[25610, sec(Date.parse(buy.appliesAt)) + 1]]);
    const applied = await waitFor(async () => {
      const rows = await signals(rec.id, "applied");
      return rows.length === 1 ? rows : null;
    }, 15_000, "the applied row");
    expect(applied[0]).toMatchObject({ id: buy.signalId, status: "applied", result: "opened" });
    expect(await signals(rec.id, "scheduled")).toEqual([]);
    expect(await signals(rec.id)).toHaveLength(1);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(0);
    const [p] = await open(rec.id);
    expect(p).toMatchObject({ avgEntryPrice: 25600, openedAt: buy.appliesAt, bestUnrealizedPnl: 20, lastPrice: 25610 });
  });

  it("(g) a scheduled signal the feed never reaches is applied after N + 120 s with its own price, aligned: false", async () => {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const stub = symbolStub(feedSymbol);
    const priced = await createRecorder();
    const priceless = await createRecorder();
    const a = await signal(priced, { ticker, action: "buy", price: 25600 });
    const b = await signal(priceless, { ticker, action: "sell" });
    expect([a.result, b.result]).toEqual(["scheduled", "scheduled"]);
    const ta = Date.parse(a.appliesAt);
    const tb = Date.parse(b.appliesAt);

    /** Runs the object's alarm as if the wall clock read `at` (time passing; the rest of the test is untouched). */
    const alarmAt = async (at: number) => {
      const realNow = Date.now.bind(Date);
      const shift = at - realNow();
      const spy = vi.spyOn(Date, "now").mockImplementation(() => realNow() + shift);
      try {
        return await runDurableObjectAlarm(stub);
      } finally {
        spy.mockRestore();
      }
    };

    // Just before the deadline (N + 120 s = 1020 s after receipt): still waiting.
    expect(await alarmAt(ta + 1_019_000)).toBe(true);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(2);
    expect(await open(priced.id)).toEqual([]);

    // Past both deadlines: applied without a matching tick.
    expect(await alarmAt(tb + 1_020_500)).toBe(true);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(0);
    const [p] = await open(priced.id);
    expect(p).toMatchObject({ side: "long", avgEntryPrice: 25600, openedAt: a.appliesAt, aligned: false, delayedData: true });
    expect(p.fills).toEqual([expect.objectContaining({ price: 25600, at: a.appliesAt, priceSource: "signal" })]);
    // Without a price of its own: refused no_price into the log.
    expect(await open(priceless.id)).toEqual([]);
    const rejected = await waitFor(async () => {
      const rows = await signals(priceless.id);
      return rows.length === 1 && rows[0].status === "rejected" ? rows : null;
    }, 15_000, "the priceless signal refused in the log");
    expect(rejected[0]).toMatchObject({ id: b.signalId, error: { code: "no_price" } });
    const appliedRows = await waitFor(async () => {
      const rows = await signals(priced.id);
      return rows.length === 1 && rows[0].status === "applied" ? rows : null;
    }, 15_000, "the priced signal applied in the log");
    expect(appliedRows[0]).toMatchObject({ id: a.signalId, result: "opened" });

    // The tick of its time arriving late applies nothing again (it only moves the now open position).
    await push(feedSymbol, [[25610, sec(tb) + 1]]);
    const [p2] = await open(priced.id);
    expect(p2.fills).toHaveLength(1);
    expect(p2).toMatchObject({ aligned: false, bestUnrealizedPnl: 20 });
    expect(await open(priceless.id)).toEqual([]);
    expect(await signals(priceless.id)).toHaveLength(1);
  });

  it("(h) a scheduled signal without a price fills at the last feed price with market time <= its receive time", async () => {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const rec = await createRecorder();
    await push(feedSymbol, [[25610, sec(Date.now()) - 900], [25615, sec(Date.now()) - 899]]);
    const buy = await signal(rec, { ticker, action: "buy" });
    expect(buy).toMatchObject({ result: "scheduled", position: null });
    const s0 = sec(Date.parse(buy.appliesAt));
    // Arriving after the signal, stamped before it: this is the market at its receive time.
    await push(feedSymbol, [[25625, s0 - 1]]);
    expect(await open(rec.id)).toEqual([]);
    // The first tick at or past its receive time applies it — at 25625, not at this tick's 25700.
    await untilPast(s0 + 1);
    await push(feedSymbol, [[25700, s0 + 1]]);
    const [p] = await open(rec.id);
    expect(p).toMatchObject({ side: "long", avgEntryPrice: 25625, openedAt: buy.appliesAt, lastPrice: 25700, bestUnrealizedPnl: 150, bestAt: iso(s0 + 1), aligned: true });
    expect(p.fills).toEqual([expect.objectContaining({ side: "buy", price: 25625, at: buy.appliesAt, priceSource: "feed", feedPrice: 25625 })]);
  });
});

describe("market time: a tick stamped before a position opened never moves it", () => {
  it("(c) align: ticks stamped before the buy's receive time never move the position it opens", async () => {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const rec = await createRecorder();
    const buy = await signal(rec, { ticker, action: "buy", price: 25600, takeProfit: 25650, stopLoss: 25550 });
    expect(buy.result).toBe("scheduled");
    const s0 = sec(Date.parse(buy.appliesAt));
    // Beyond both levels, stamped before the receive time: nothing to apply yet, and no trace later.
    await push(feedSymbol, [[25500, s0 - 1], [25700, s0 - 2], [25505, s0 - 1]]);
    expect(await open(rec.id)).toEqual([]);
    await untilPast(s0 + 1);
    await push(feedSymbol, [[25610, s0 + 1]]);
    expect((await open(rec.id))[0]).toMatchObject({
      status: "open",
      openedAt: buy.appliesAt,
      avgEntryPrice: 25600,
      lastPrice: 25610,
      worstUnrealizedPnl: 0,
      bestUnrealizedPnl: 20,
      bestPrice: 25610,
      bestAt: iso(s0 + 1),
      takeProfitPrice: 25650,
      stopLossPrice: 25550,
    });
  });

  it("(c) immediate on a delayed feed: the late ticks before its open never move it, the first one past it does", async () => {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const buy = await signal(rec, { ticker, action: "buy", price: 25600, takeProfit: 25650, stopLoss: 25550 });
    expect(buy).toMatchObject({ result: "opened", position: { delayedData: true, aligned: true } });
    const s0 = sec(Date.parse(buy.position.openedAt));
    const untouched = { status: "open", avgEntryPrice: 25600, lastPrice: 25600, unrealizedPnl: 0, worstUnrealizedPnl: 0, bestUnrealizedPnl: 0 };
    // The feed's own (900 s late) ticks, beyond both levels: no excursion, no exit.
    await push(feedSymbol, [[25500], [25700]]);
    expect((await open(rec.id))[0]).toMatchObject(untouched);
    // Stamped one second before the open.
    await push(feedSymbol, [[25540, s0 - 1]]);
    expect((await open(rec.id))[0]).toMatchObject(untouched);
    // Past the open: it counts.
    await push(feedSymbol, [[25610, s0 + 1]]);
    expect((await open(rec.id))[0]).toMatchObject({ status: "open", lastPrice: 25610, bestUnrealizedPnl: 20, worstUnrealizedPnl: 0 });
  });

  /** A late tick stamped before the open (a correction, a reconnect's snapshot, clock skew) arriving after the
   * position already went live must not move it either: no excursion, no level hit, no exit before the open. */
  async function lateTickAfterLive(delayedFeed: "align" | "immediate") {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const rec = await createRecorder({ delayedFeed });
    const buy = await signal(rec, { ticker, action: "buy", price: 25600, takeProfit: 25650, stopLoss: 25550 });
    expect(buy.result).toBe(delayedFeed === "align" ? "scheduled" : "opened");
    const openedAt: string = buy.appliesAt ?? buy.position.openedAt;
    const s0 = sec(Date.parse(openedAt));
    await push(feedSymbol, [[25610, s0 + 1]]);
    const live = { status: "open", openedAt, avgEntryPrice: 25600, lastPrice: 25610, worstUnrealizedPnl: 0, bestUnrealizedPnl: 20, bestPrice: 25610 };
    expect((await open(rec.id))[0]).toMatchObject(live);
    await push(feedSymbol, [[25500, s0 - 1], [25700, s0 - 2]]);
    const after = await open(rec.id);
    if (after.length === 0) {
      const closed = await waitFor(async () => (await closedPositions(rec.id))[0], 15_000, "the closed position");
      const { exitReason, closedAt, exitPrice, worstUnrealizedPnl, worstAt } = closed;
      expect.fail(`opened at ${openedAt}, closed by a tick stamped before its open: ${JSON.stringify({ exitReason, exitPrice, closedAt, worstUnrealizedPnl, worstAt })}`);
    }
    expect(after[0]).toMatchObject(live);
  }

  it("(c) align: a late tick stamped before the open, arriving after the position went live, changes nothing", async () => {
    await lateTickAfterLive("align");
  });

  it("(c) immediate: a late tick stamped before the open, arriving after the position went live, changes nothing", async () => {
    await lateTickAfterLive("immediate");
  });
});

describe("delayed feed, immediate", () => {
  it("(e) signals apply at once (the position is flagged delayedData)", async () => {
    const { ticker, feedSymbol } = await delayedSymbol(900);
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const t0 = Date.now();
    const buy = await signal(rec, { ticker, action: "buy", price: 25600 });
    expect(buy).toMatchObject({ result: "opened", position: { status: "open", avgEntryPrice: 25600, delayedData: true, aligned: true } });
    expect(buy.appliesAt).toBeUndefined();
    const openedMs = Date.parse(buy.position.openedAt);
    expect(openedMs).toBeGreaterThanOrEqual(t0 - 1000);
    expect(openedMs).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await statusOf(feedSymbol)).scheduledSignals).toBe(0);
    const close = await signal(rec, { ticker, action: "close", price: 25610 });
    expect(close).toMatchObject({ result: "closed", trade: { pnl: 20, entryPrice: 25600, exitPrice: 25610 } });
    const rows = await waitFor(async () => {
      const r = await signals(rec.id);
      return r.length === 2 ? r : null;
    }, 15_000, "two log rows");
    expect(rows.every((r) => r.status === "applied")).toBe(true);
    expect(await signals(rec.id, "scheduled")).toEqual([]);
  });
});
