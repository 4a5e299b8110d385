// Feed down / feed up notifications from a real feed: the symbol object's quote socket to the fake TradingView
// server, its upgrades refused for a while, messages to the local receiver (test/notify/receiver.ts).
import { describe, expect, it } from "vitest";
import { sleep, waitFor, wsUrl } from "../feed/helpers";
import { createRecorder, signal } from "../helpers";
import { addTarget, delivered, IMMEDIATE, newBox } from "../notify/receiver";
import { inObject, mnqContracts, symbolStatus } from "./helpers";

const uniqueMnq = mnqContracts(5100);

describe("feed down / up", () => {
  it("a feed without live prices for two alarm periods is announced down once to the recorder with a position, then up once", async () => {
    const { ticker, feedSymbol } = uniqueMnq();
    const tag = `notify-${crypto.randomUUID()}`;
    // Alarm every 300 ms (so "down" = 600 ms without a live feed); the first 10 upgrades refused with a 503.
    await inObject(feedSymbol, (obj) =>
      obj.configureFeed({ keepaliveMs: 300 }, { url: wsUrl({ tag, reject: 503, rejectTimes: 10 }), watchdogMs: 5_000, backoffBaseMs: 200, backoffCapMs: 400 }),
    );
    const rec = await createRecorder(IMMEDIATE);
    const quiet = await createRecorder(IMMEDIATE); // its target wants no feed events
    const box = newBox();
    const other = newBox();
    await addTarget(rec.id, { kind: "webhook", url: box.url, events: ["feed_down", "feed_up"] });
    await addTarget(quiet.id, { kind: "webhook", url: other.url, events: ["closed"] });
    await signal(rec, { ticker, action: "buy", price: 25600 });
    await signal(quiet, { ticker, action: "buy", price: 25600 });

    await box.waitFor((l) => delivered(l).length >= 1, "feed down");
    await waitFor(async () => ["connected", "streaming"].includes((await symbolStatus(feedSymbol)).feed.state), 30_000, "the feed back");
    await box.waitFor((l) => delivered(l).length >= 2, "feed up");
    await sleep(1_500);
    const bodies = (await box.log()).filter((e) => e.status === 204).map((e) => JSON.parse(e.body));
    expect(bodies.map((b) => b.kind)).toEqual(["feed_down", "feed_up"]);
    expect(bodies.every((b) => b.feedSymbol === feedSymbol && b.recorderId === rec.id)).toBe(true);
    expect(bodies[0].detail).toMatch(/no live prices/);
    expect(await other.log()).toHaveLength(0);
  });
});
