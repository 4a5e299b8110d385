// The rate limit's lease (src/durable/rate-lease.ts), driven directly: one holder at a time, nothing counted twice
// or lost on a handover, the shared period after a second symbol, a renewal keeping its window.
import { describe, expect, it } from "vitest";
import { type Admission, HeldLeases, LEASE_MS, LeaseLedger, type LeaseRecord, RateWindow } from "../../src/durable/rate-lease";

const T0 = Date.parse("2026-03-02T14:30:00Z");

function admitted(out: Admission | { returned: unknown }): boolean {
  if (!("admitted" in out)) throw new Error("expected an admission, got a returned grant");
  return out.admitted;
}

function ledger() {
  const saved: LeaseRecord[] = [];
  return { ledger: new LeaseLedger(null, (r) => saved.push(r)), saved };
}

describe("RateWindow", () => {
  it("admits max a minute, then refuses, logging the first refusal of each minute", () => {
    const w = new RateWindow();
    expect([1, 2, 3].map((i) => w.admit(T0 + i, 3).admitted)).toEqual([true, true, true]);
    expect(w.admit(T0 + 10, 3)).toEqual({ admitted: false, logRefusal: true });
    expect(w.admit(T0 + 20, 3)).toEqual({ admitted: false, logRefusal: false });
    expect(w.admit(T0 + 60_002, 3)).toEqual({ admitted: true, logRefusal: false }); // the first one left the window
  });

  it("hands its window over whole and merges in time order", () => {
    const a = new RateWindow();
    const b = new RateWindow();
    a.admit(T0 + 5, 10);
    b.admit(T0 + 1, 10);
    b.admit(T0 + 9, 10);
    a.merge(b.take());
    expect(b.take().times).toEqual([]);
    expect(a.take().times).toEqual([T0 + 1, T0 + 5, T0 + 9]);
  });
});

describe("lease between the gate and symbol objects", () => {
  it("the first symbol gets the lease and counts locally; the gate is not asked again until it ends", () => {
    const { ledger: gate, saved } = ledger();
    const mnq = new HeldLeases();
    expect(mnq.admit("r1", T0, 2)).toBeNull(); // no lease yet: ask the gate
    const answer = gate.ask("MNQ", T0, 2);
    expect(answer.leased).toBe(true);
    expect(admitted(mnq.answer("r1", answer, T0, 2))).toBe(true);
    expect(mnq.admit("r1", T0 + 1, 2)).toEqual({ admitted: true, logRefusal: false });
    expect(mnq.admit("r1", T0 + 2, 2)).toEqual({ admitted: false, logRefusal: true });
    expect(saved.at(-1)).toMatchObject({ holder: "MNQ", untilMs: T0 + LEASE_MS, contested: false });
    // At the lease's end the holder asks again and keeps its own window: still over the limit.
    expect(mnq.admit("r1", T0 + LEASE_MS, 2)).toBeNull();
    const renewed = gate.ask("MNQ", T0 + LEASE_MS, 2);
    expect(renewed.leased).toBe(true);
    expect(admitted(mnq.answer("r1", renewed, T0 + LEASE_MS, 2))).toBe(true); // the minute has passed
  });

  it("a second symbol makes the gate reclaim the window: the counts go on across both, centrally, until one symbol asks twice in a row", () => {
    const { ledger: gate } = ledger();
    const mnq = new HeldLeases();
    const es = new HeldLeases();
    mnq.answer("r1", gate.ask("MNQ", T0, 3), T0, 3);
    expect(mnq.admit("r1", T0 + 1, 3)?.admitted).toBe(true);
    // ES asks: the gate must reclaim from MNQ first.
    expect(gate.toReclaim("ES")).toEqual({ holder: "MNQ", grant: 1 });
    expect(gate.toReclaim("MNQ")).toBeNull();
    gate.reclaimed(mnq.giveBack("r1", 1), T0 + 2, true);
    expect(mnq.size).toBe(0);
    expect(mnq.admit("r1", T0 + 3, 3)).toBeNull(); // MNQ counts nothing any more
    const third = gate.ask("ES", T0 + 2, 3);
    expect(third).toEqual({ leased: false, admission: { admitted: true, logRefusal: false }, epoch: null });
    expect(admitted(es.answer("r1", third, T0 + 2, 3))).toBe(true);
    expect(gate.ask("MNQ", T0 + 3, 3)).toEqual({ leased: false, admission: { admitted: false, logRefusal: true }, epoch: null });
    // Alternating symbols: never a lease. MNQ twice in a row: MNQ has it again, with the gate's window.
    expect(gate.ask("ES", T0 + 4, 3).leased).toBe(false);
    expect(gate.ask("MNQ", T0 + 5, 3).leased).toBe(false);
    const again = gate.ask("MNQ", T0 + 6, 3);
    expect(again.leased).toBe(true);
    const back = new HeldLeases();
    expect(admitted(back.answer("r1", again, T0 + 7, 3))).toBe(false); // T0, T0+1, T0+2 are still in the window
    expect(back.admit("r1", T0 + 60_002, 3)?.admitted).toBe(true);
  });

  it("an unreachable holder: no new lease until its own lease has ended (never two counters)", () => {
    const { ledger: gate } = ledger();
    gate.ask("MNQ", T0, 5);
    gate.reclaimed(null, T0 + 1000, false);
    expect(gate.ask("ES", T0 + 2000, 5).leased).toBe(false);
    expect(gate.ask("ES", T0 + 3000, 5).leased).toBe(false); // twice in a row, but MNQ may still count until its lease ends
    expect(gate.ask("ES", T0 + LEASE_MS, 5).leased).toBe(true);
  });

  it("the gate's own refusals (before a symbol) reclaim too, and the record survives a restart", () => {
    const { ledger: gate, saved } = ledger();
    gate.ask("MNQ", T0, 5);
    expect(gate.toReclaim(null)).toEqual({ holder: "MNQ", grant: 1 });
    const restarted = new LeaseLedger(saved.at(-1)!, () => {});
    expect(restarted.holder).toBe("MNQ");
    expect(restarted.ask("ES", T0 + 5, 5).leased).toBe(false); // still MNQ's: a restarted gate never grants a second lease
  });

  it("a holder that restarted (lost its lease) asks again and is granted it", () => {
    const { ledger: gate } = ledger();
    gate.ask("MNQ", T0, 5);
    const fresh = new HeldLeases();
    expect(fresh.admit("r1", T0 + 10, 5)).toBeNull();
    expect(gate.toReclaim("MNQ")).toBeNull();
    expect(admitted(fresh.answer("r1", gate.ask("MNQ", T0 + 10, 5), T0 + 10, 5))).toBe(true);
    expect(fresh.giveBack("r1", 2)?.times).toEqual([T0 + 10]);
    expect(fresh.giveBack("r1", 2)).toBeNull();
  });

  it("a grant reclaimed before it arrived is refused and its window returned: never two counters, no count lost", () => {
    const { ledger: gate } = ledger();
    const mnq = new HeldLeases();
    const es = new HeldLeases();
    // MNQ's first signal: the gate grants (the reply is on its way) ...
    const inFlight = gate.ask("MNQ", T0, 2);
    expect(inFlight.leased).toBe(true);
    // ... while ES's signal makes the gate reclaim it from MNQ, which has not got it yet.
    const reclaim = gate.toReclaim("ES")!;
    expect(reclaim).toEqual({ holder: "MNQ", grant: 1 });
    gate.reclaimed(mnq.giveBack("r1", reclaim.grant), T0 + 1, true);
    expect(admitted(es.answer("r1", gate.ask("ES", T0 + 1, 2), T0 + 1, 2))).toBe(true);
    // The grant arrives: refused, its window goes back with a second ask, which the gate counts.
    const out = mnq.answer("r1", inFlight, T0 + 2, 2);
    expect(out).toEqual({ returned: { times: [], lastLoggedRefusalMs: -Infinity } });
    expect(mnq.size).toBe(0);
    const second = gate.ask("MNQ", T0 + 2, 2, (out as { returned: never }).returned);
    expect(second).toEqual({ leased: false, admission: { admitted: true, logRefusal: false }, epoch: null });
    expect(gate.ask("ES", T0 + 3, 2)).toEqual({ leased: false, admission: { admitted: false, logRefusal: true }, epoch: null });
  });
});

describe("the lease vouches for cached webhook lookups (lookup epochs)", () => {
  it("a grant carries the highest epoch the gate knows; only that epoch is vouched for, on a current lease", () => {
    const { ledger: gate, saved } = ledger();
    gate.knowEpoch(3);
    gate.knowEpoch(2); // (never lowered)
    expect(saved.at(-1)?.epoch).toBe(3);
    const held = new HeldLeases();
    expect(held.vouches("rec", 3, T0, false), "no lease: the gate is asked").toBe("ask");
    held.answer("rec", gate.ask("MNQ", T0, 5, undefined, true), T0, 5);
    expect(held.vouches("rec", 3, T0 + 1, false)).toBe("yes");
    expect(held.vouches("rec", 2, T0 + 1, false), "an older epoch").toBe("epoch");
    expect(held.vouches("rec", 4, T0 + 1, false), "a newer one the lease has not seen").toBe("epoch");
    expect(held.vouches("rec", 3, T0 + LEASE_MS, false), "an ended lease: the gate is asked").toBe("ask");
    expect(held.vouches("rec", 3, T0 + 1, true), "the only symbol").toBe("yes");
  });

  it("a signal looked up from D1 raises the lease's epoch, never lowers it; a reclaim forgets it", () => {
    const { ledger: gate } = ledger();
    const held = new HeldLeases();
    held.answer("rec", gate.ask("MNQ", T0, 5, undefined, false), T0, 5); // the gate knew no epoch
    expect(held.vouches("rec", 7, T0 + 1, false)).toBe("epoch");
    held.adopt("rec", 7);
    held.adopt("rec", 6);
    expect(held.vouches("rec", 7, T0 + 1, false)).toBe("yes");
    expect(held.vouches("rec", 7, T0 + 1, true), "not the only symbol").toBe("symbols");
    held.giveBack("rec", 1);
    expect(held.vouches("rec", 7, T0 + 2, false)).toBe("ask");
  });

  it("a reclaim for a change (revoke) leaves the lease uncontested: the next asker gets it at once, at the new epoch", () => {
    const { ledger: gate } = ledger();
    gate.ask("MNQ", T0, 5);
    gate.knowEpoch(1);
    expect(gate.toReclaim(null)).toEqual({ holder: "MNQ", grant: 1 });
    gate.reclaimed(null, T0 + 1, true, false);
    expect(gate.ask("MNQ", T0 + 2, 5)).toMatchObject({ leased: true, grant: 2, epoch: 1 });
  });

  it("a lease not given back when reclaimed is tried again by every later reclaim, until it ends or its holder asks", () => {
    const { ledger: gate, saved } = ledger();
    gate.ask("MNQ", T0, 5);
    gate.reclaimed(null, T0 + 1, false); // (the holder did not answer: its lease runs on until T0 + LEASE_MS)
    expect(gate.holder).toBeNull();
    expect(gate.toReclaim(null, T0 + 2), "a revoke tries it again").toEqual({ holder: "MNQ", grant: 1 });
    gate.reclaimed(null, T0 + 2, false);
    expect(gate.toReclaim("ES", T0 + 3), "and so does another symbol's ask").toEqual({ holder: "MNQ", grant: 1 });
    gate.reclaimed(null, T0 + 3, true);
    expect(gate.toReclaim(null, T0 + 4), "given back at last").toBeNull();
    // Ended, or its holder asks (it has none any more): not tried again.
    const { ledger: g2 } = ledger();
    g2.ask("MNQ", T0, 5);
    g2.reclaimed(null, T0 + 1, false);
    expect(g2.toReclaim(null, T0 + LEASE_MS)).toBeNull();
    const { ledger: g3 } = ledger();
    g3.ask("MNQ", T0, 5);
    g3.reclaimed(null, T0 + 1, false);
    g3.ask("MNQ", T0 + 2, 5);
    expect(g3.toReclaim(null, T0 + 3)).toBeNull();
    expect(saved.at(-1)?.unreached).toBeNull();
  });
});

describe("the lease knows which events the recorder's notification targets want (notifyKinds)", () => {
  it("kept only on a current lease at exactly the epoch it was read at; gone with the lease", () => {
    const { ledger: gate } = ledger();
    gate.knowEpoch(4);
    const held = new HeldLeases();
    held.learnNotify("rec", 4, ["closed"], T0);
    expect(held.notifyKinds("rec", T0), "no lease: not kept").toBeNull();
    held.answer("rec", gate.ask("MNQ", T0, 5), T0, 5);
    held.learnNotify("rec", 3, ["closed"], T0 + 1);
    expect(held.notifyKinds("rec", T0 + 1), "read at an older epoch than the lease's").toBeNull();
    held.learnNotify("rec", 4, ["closed"], T0 + 1);
    expect(held.notifyKinds("rec", T0 + 1)).toEqual(["closed"]);
    expect(held.notifyKinds("other", T0 + 1)).toBeNull();
    held.learnNotify("rec", 4, [], T0 + 2);
    expect(held.notifyKinds("rec", T0 + 2), "the latest read wins").toEqual([]);
    expect(held.notifyKinds("rec", T0 + LEASE_MS), "the lease ended").toBeNull();
  });

  it("a newer epoch (a change: adopt, or a grant after a revoke) voids it; a reclaim forgets it", () => {
    const { ledger: gate } = ledger();
    gate.knowEpoch(1);
    const held = new HeldLeases();
    held.answer("rec", gate.ask("MNQ", T0, 5), T0, 5);
    held.learnNotify("rec", 1, [], T0);
    held.adopt("rec", 2); // a signal looked up after a change whose revoke has not reached this object
    expect(held.notifyKinds("rec", T0 + 1)).toBeNull();
    held.learnNotify("rec", 2, ["opened"], T0 + 1);
    expect(held.notifyKinds("rec", T0 + 1)).toEqual(["opened"]);
    held.giveBack("rec", 1); // the revoke of the next change
    expect(held.notifyKinds("rec", T0 + 2)).toBeNull();
    // Granted again at the new epoch: nothing known until a signal read at that epoch says so.
    gate.knowEpoch(3);
    gate.reclaimed(null, T0 + 2, true, false);
    held.answer("rec", gate.ask("MNQ", T0 + 3, 5), T0 + 3, 5);
    expect(held.notifyKinds("rec", T0 + 3)).toBeNull();
    held.learnNotify("rec", 2, [], T0 + 3);
    expect(held.notifyKinds("rec", T0 + 3), "read before the change").toBeNull();
  });
});
