// Concurrency at the symbol object (found in review): requests of one recorder pass the object's awaits (the
// recorder gate's rate limit, waiting for a fresh feed price) in receive order, and a duplicate arriving while
// its first copy waits is answered as a duplicate, never applied or scheduled twice.
import { describe, expect, it } from "vitest";
import { setDelay, sleep, state, tick, waitFor } from "../feed/helpers";
import { apiJson, createRecorder, signal, webhook } from "../helpers";
import { feedReady, mnqContracts, open, prepare, symbolStatus } from "./helpers";

const uniqueMnq = mnqContracts(3400);

describe("one recorder's signals at one symbol object", () => {
  it("a priced signal does not overtake a priceless one still waiting for the feed's price", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    await prepare(feedSymbol, { hb: 1000, firstPriceWaitMs: 10_000 });
    const rec = await createRecorder({ delayedFeed: "immediate" });
    // A priceless buy starts the feed and waits: the fake has no price for the symbol yet.
    const buying = webhook(rec, { ticker, action: "buy" });
    await waitFor(async () => ((await state({ symbol: feedSymbol })).connections.some((c) => c.open && c.symbols.includes(feedSymbol)) ? true : null), 10_000, "subscribed");
    // A priced sell arrives while the buy waits; then the market's first price.
    const selling = webhook(rec, { ticker, action: "sell", price: 25610 });
    await sleep(300);
    await tick({ symbol: feedSymbol, price: 25590, lpTime: Math.ceil(Date.now() / 1000) });
    const buy: any = await (await buying).json();
    const sell: any = await (await selling).json();
    // In receive order: the buy opens at the feed's price, then the sell reverses it (not: the sell opens a short
    // that the late buy then reverses).
    expect(buy).toMatchObject({ result: "opened", position: { side: "long", avgEntryPrice: 25590 } });
    expect(sell).toMatchObject({ result: "reversed", position: { side: "short", avgEntryPrice: 25610 } });
  });

  it("the same signal twice at once is applied once (immediate) and scheduled once (align)", async () => {
    const a = uniqueMnq();
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const body = { ticker: a.ticker, action: "buy", price: 25600, id: "twice-at-once" };
    const replies = await Promise.all([webhook(rec, body), webhook(rec, body), webhook(rec, body)]);
    const json: any[] = await Promise.all(replies.map((r) => r.json()));
    expect(json.filter((j) => !j.duplicate).map((j) => j.result)).toEqual(["opened"]);
    expect(json.filter((j) => j.duplicate)).toHaveLength(2);
    expect((await open(rec.id))[0]).toMatchObject({ quantity: 1 });

    const d = uniqueMnq();
    await prepare(d.feedSymbol, { hb: 1000 });
    await setDelay(d.feedSymbol, 900);
    const starter = await createRecorder({ delayedFeed: "immediate" });
    await signal(starter, { ticker: d.ticker, action: "buy", price: 25000 }); // starts the symbol's feed
    await feedReady(d.feedSymbol);
    await waitFor(async () => ((await symbolStatus(d.feedSymbol)).feed.delayed ? true : null), 10_000, "delayed mode");
    const aligned = await createRecorder();
    const same = { ticker: d.ticker, action: "buy", price: 25600 }; // no id: the byte-identical body within 10 s
    const twice = await Promise.all([webhook(aligned, same), webhook(aligned, same)]);
    const tj: any[] = await Promise.all(twice.map((r) => r.json()));
    expect(tj.map((j) => j.result)).toEqual(["scheduled", "scheduled"]);
    expect(tj.filter((j) => j.duplicate)).toHaveLength(1);
    expect((await symbolStatus(d.feedSymbol)).scheduledSignals).toBe(1);
    await setDelay(d.feedSymbol, null);
  });
});
