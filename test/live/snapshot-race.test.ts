// A dashboard connecting while positions change: the snapshot is read from the symbol objects, and a change that
// reaches the hub while the snapshot is being built (after the states were read) must not be lost to it — the
// newer of the two goes into the snapshot — and the new socket gets no `symbol` message before its snapshot.
// The hub's test subclass holds the build between reading the states and sending the snapshot.
import { describe, expect, it } from "vitest";
import { waitFor } from "../feed/helpers";
import { createRecorder, signal } from "../helpers";
import { mnqContracts, prepare } from "../feed-do/helpers";
import { authProtocol, connect, hub, hubSockets, LiveClient, upgrade } from "./helpers";
import { ADMIN } from "../helpers";

const uniqueMnq = mnqContracts(3900);

async function freshSymbol() {
  const s = uniqueMnq();
  await prepare(s.feedSymbol, { keepaliveMs: 3_600_000 });
  return s;
}

describe("a snapshot racing changes", () => {
  it("a close, and an open on a symbol that just became active, during the build are in the snapshot", async () => {
    await hub().setRenewEvery(3_600_000);
    const rec = await createRecorder({ delayedFeed: "immediate" });
    const a = await freshSymbol();
    const b = await freshSymbol();
    const p = await signal(rec, { ticker: a.ticker, action: "buy", price: 25600 });
    const early = await connect(); // already open: it hears the changes as they come

    await hub().holdSnapshots();
    const connecting = upgrade(["recorder-live", authProtocol(ADMIN)]);
    await waitFor(async () => (await hub().heldSnapshots()) === 1, 15_000, "the build read the states");

    // Both reach the hub while the build waits: the close of p (read as open by the build), and the first
    // position of a symbol that was not active when the build asked the directory.
    await signal(rec, { ticker: a.ticker, action: "close", price: 25610 });
    const q = await signal(rec, { ticker: b.ticker, action: "sell", price: 25700 });
    await early.update(a.feedSymbol, (u) => u.positions.length === 0, "the close, on the open socket");
    await early.update(b.feedSymbol, (u) => u.positions[0]?.id === q.position.id, "the open, on the open socket");

    await hub().releaseSnapshots();
    const res = await connecting;
    expect(res.status).toBe(101);
    const late = new LiveClient(res.webSocket!);
    const snap = await late.snapshotReady();
    expect(late.messages[0]).toBe(snap);
    const ids = snap.positions.map((x) => x.id);
    expect(ids).not.toContain(p.position.id);
    expect(ids).toContain(q.position.id);
    expect(snap.feeds.map((f) => f.feedSymbol)).not.toContain(a.feedSymbol);
    expect(snap.feeds.map((f) => f.feedSymbol)).toContain(b.feedSymbol);

    early.close();
    late.close();
    await hubSockets(0);
  });
});
