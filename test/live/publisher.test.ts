// src/durable/live-publisher.ts on a manual clock: exact publish counts (a set change at once, price-only changes
// at most once a second with one trailing publish, nothing unwatched or once the lease lapsed).
import { describe, expect, it } from "vitest";
import { LivePublisher, positionSetKey, type LiveClock, type LiveState } from "../../src/durable/live-publisher";
import type { RecordedPosition, SymbolLive } from "../../src/durable/protocol";

class ManualClock implements LiveClock {
  nowMs = 1_000_000;
  private timers = new Map<number, { fn: () => void; at: number }>();
  private next = 1;

  now(): number {
    return this.nowMs;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { fn, at: this.nowMs + ms });
    return id;
  }
  clearTimer(h: unknown): void {
    this.timers.delete(h as number);
  }
  get pendingTimers(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.nowMs = due[1].at;
      due[1].fn();
    }
    this.nowMs = end;
  }
}

const pos = (id: string, quantity = 1, unrealizedPnl = 0) => ({ id, side: "long", quantity, unrealizedPnl, openedAt: "2026-03-02T15:00:00.000Z" }) as unknown as RecordedPosition;

function harness(opts: { listening?: () => boolean | Promise<boolean> } = {}) {
  const clock = new ManualClock();
  let state: LiveState = { feedSymbol: "CME_MINI:MNQ1!", positions: [], feed: { feedSymbol: "CME_MINI:MNQ1!" } as LiveState["feed"] };
  const sent: SymbolLive[] = [];
  const warnings: string[] = [];
  let fail: unknown = null;
  const pub = new LivePublisher({
    clock,
    read: () => state,
    send: async (u) => {
      if (fail) throw fail;
      sent.push(u);
      return (await opts.listening?.()) ?? true;
    },
    warn: (m) => warnings.push(m),
  });
  return {
    clock,
    pub,
    sent,
    warnings,
    set: (positions: RecordedPosition[]) => (state = { ...state, positions }),
    failNext: (err: unknown) => (fail = err),
    readThrows: () => {
      state = null as unknown as LiveState;
    },
  };
}

/** Lets the publisher's send() promises settle. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe("LivePublisher", () => {
  it("unwatched: nothing is sent and no timer is set", () => {
    const h = harness();
    h.set([pos("a")]);
    h.pub.changed();
    for (let i = 0; i < 5; i++) h.pub.tick();
    h.clock.advance(5_000);
    expect(h.sent).toHaveLength(0);
    expect(h.clock.pendingTimers).toBe(0);
    expect(h.pub.watching).toBe(false);
  });

  it("a change of the set (open, add, partial exit, reversal, close) is sent at once, every time", () => {
    const h = harness();
    h.pub.extend(h.clock.now() + 60_000);
    h.set([pos("a")]);
    h.pub.changed(); // open
    h.set([pos("a", 2)]);
    h.pub.changed(); // add
    h.set([pos("a", 1)]);
    h.pub.changed(); // partial exit
    h.set([pos("b", 1)]);
    h.pub.changed(); // reversal: a new position
    h.set([]);
    h.pub.changed(); // close
    expect(h.sent.map((u) => u.positions.map((p) => `${p.id}x${p.quantity}`).join())).toEqual(["ax1", "ax2", "ax1", "bx1", ""]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("ticks within one second: the first at once, then ONE trailing publish with the last state", () => {
    const h = harness();
    h.pub.extend(h.clock.now() + 60_000);
    h.set([pos("a")]);
    h.pub.changed();
    expect(h.sent).toHaveLength(1);
    // Ticks during the second after that publish: none sent now, one timer.
    for (let i = 1; i <= 10; i++) {
      h.clock.advance(50);
      h.set([pos("a", 1, -i)]);
      h.pub.tick();
    }
    expect(h.sent).toHaveLength(1);
    expect(h.clock.pendingTimers).toBe(1);
    h.clock.advance(1_000);
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1].positions[0].unrealizedPnl).toBe(-10);

    // A quiet second later: the next tick goes at once (leading), the burst after it waits for the trailing one.
    h.clock.advance(2_000);
    h.set([pos("a", 1, -11)]);
    h.pub.tick();
    expect(h.sent).toHaveLength(3);
    for (let i = 12; i <= 20; i++) {
      h.set([pos("a", 1, -i)]);
      h.pub.tick();
    }
    expect(h.sent).toHaveLength(3);
    h.clock.advance(999);
    expect(h.sent).toHaveLength(3);
    h.clock.advance(1);
    expect(h.sent).toHaveLength(4);
    expect(h.sent[3].positions[0].unrealizedPnl).toBe(-20);
    // Nothing else is due.
    h.clock.advance(10_000);
    expect(h.sent).toHaveLength(4);
  });

  it("the publishes of a steady stream of ticks are one per second", () => {
    const h = harness();
    h.pub.extend(h.clock.now() + 60_000);
    for (let i = 0; i < 100; i++) {
      h.set([pos("a", 1, i)]);
      h.pub.tick();
      h.clock.advance(100); // 10 ticks a second for 10 s
    }
    h.clock.advance(1_000);
    expect(h.sent.length).toBeGreaterThanOrEqual(10);
    expect(h.sent.length).toBeLessThanOrEqual(11);
    expect(h.sent.at(-1)!.positions[0].unrealizedPnl).toBe(99);
    for (let i = 1; i < h.sent.length; i++) expect(Date.parse(h.sent[i].at) - Date.parse(h.sent[i - 1].at)).toBeGreaterThanOrEqual(1_000);
  });

  it("a set change while a trailing publish waits goes at once and replaces it", () => {
    const h = harness();
    h.pub.extend(h.clock.now() + 60_000);
    h.set([pos("a")]);
    h.pub.changed();
    h.set([pos("a", 1, -5)]);
    h.pub.tick();
    expect(h.clock.pendingTimers).toBe(1);
    h.set([]);
    h.pub.changed();
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1].positions).toEqual([]);
    expect(h.clock.pendingTimers).toBe(0);
    h.clock.advance(5_000);
    expect(h.sent).toHaveLength(2);
  });

  it("a recorded change that leaves the set as it was is throttled like a tick", () => {
    const h = harness();
    h.pub.extend(h.clock.now() + 60_000);
    h.set([pos("a")]);
    h.pub.changed();
    h.set([pos("a", 1, 3)]); // e.g. a signal that only moved the stop
    h.pub.changed();
    h.pub.changed();
    expect(h.sent).toHaveLength(1);
    h.clock.advance(1_000);
    expect(h.sent).toHaveLength(2);
  });

  it("once the lease lapses nothing more is sent, and a trailing timer due after it sends nothing", () => {
    const h = harness();
    const until = h.clock.now() + 60_000;
    h.pub.extend(until);
    h.set([pos("a")]);
    h.pub.changed();
    h.clock.advance(59_500);
    h.set([pos("a", 1, -1)]);
    h.pub.tick(); // leading: sent
    h.set([pos("a", 1, -2)]);
    h.pub.tick(); // trailing, due at until + 500
    expect(h.sent).toHaveLength(2);
    h.clock.advance(1_000);
    expect(h.sent).toHaveLength(2);
    expect(h.pub.watching).toBe(false);
    for (let i = 0; i < 20; i++) {
      h.set([pos("a", 1, -i)]);
      h.pub.tick();
      h.pub.changed();
      h.clock.advance(500);
    }
    h.set([]);
    h.pub.changed();
    expect(h.sent).toHaveLength(2);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it("nobody listens: the lease ends at once (no more publishes) unless it was renewed meanwhile", async () => {
    const h = harness({ listening: () => false });
    h.pub.extend(h.clock.now() + 60_000);
    h.set([pos("a")]);
    h.pub.changed();
    await settle();
    expect(h.pub.watching).toBe(false);
    h.set([pos("b")]);
    h.pub.changed();
    h.pub.tick();
    h.clock.advance(2_000);
    expect(h.sent).toHaveLength(1);

    // A "nobody" that answers a publish sent before a renewal does not end the renewed lease.
    let answer!: (v: boolean) => void;
    const h2 = harness({ listening: () => new Promise<boolean>((r) => (answer = r)) });
    h2.pub.extend(h2.clock.now() + 60_000);
    h2.set([pos("a")]);
    h2.pub.changed();
    expect(h2.sent).toHaveLength(1);
    h2.pub.watch(h2.clock.now() + 60_000); // a dashboard connected meanwhile
    answer(false);
    await settle();
    expect(h2.pub.watching).toBe(true);
  });

  it("watch() answers the state now and extends the lease; a past or 0 lease from the directory changes nothing", () => {
    const h = harness();
    h.set([pos("a")]);
    h.pub.extend(0);
    h.pub.extend(h.clock.now() - 1);
    expect(h.pub.watching).toBe(false);
    const s = h.pub.watch(h.clock.now() + 60_000);
    expect(s.positions.map((p) => p.id)).toEqual(["a"]);
    expect(h.pub.watching).toBe(true);
    // The hub has this set: the next recorded change with the same set is not "immediate".
    h.pub.changed();
    expect(h.sent).toHaveLength(1); // leading (no publish yet), not because the set changed
    h.pub.changed();
    expect(h.sent).toHaveLength(1);
    // A shorter lease never shortens it.
    h.pub.extend(h.clock.now() + 1);
    h.clock.advance(30_000);
    expect(h.pub.watching).toBe(true);
  });

  it("seq increases with every update, also on a clock that does not move", () => {
    const h = harness();
    const a = h.pub.watch(h.clock.now() + 60_000);
    h.set([pos("a")]);
    h.pub.changed();
    h.set([pos("b")]);
    h.pub.changed();
    const b = h.pub.watch(h.clock.now() + 60_000);
    const seqs = [a.seq, ...h.sent.map((u) => u.seq), b.seq];
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(4);
    expect(a.seq).toBeGreaterThanOrEqual(h.clock.now());
  });

  it("a failed publish is logged and the whole state sent again a second later; errors never reach the caller", async () => {
    const h = harness();
    h.pub.extend(h.clock.now() + 60_000);
    h.failNext(new Error("hub unreachable"));
    h.set([pos("a")]);
    expect(() => h.pub.changed()).not.toThrow();
    await settle();
    expect(h.warnings.join()).toContain("hub unreachable");
    h.failNext(null);
    h.clock.advance(1_000);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0].positions.map((p) => p.id)).toEqual(["a"]);

    h.readThrows();
    expect(() => h.pub.changed()).not.toThrow();
    expect(() => h.pub.tick()).not.toThrow();
    h.clock.advance(2_000);
    expect(h.warnings.length).toBeGreaterThanOrEqual(2);
  });

  it("the set key: ids, sides and quantities, in any order", () => {
    expect(positionSetKey([pos("b", 2), pos("a")])).toBe(positionSetKey([pos("a"), pos("b", 2)]));
    expect(positionSetKey([pos("a", 2)])).not.toBe(positionSetKey([pos("a", 1)]));
    expect(positionSetKey([pos("a", 1, 5)])).toBe(positionSetKey([pos("a", 1, -5)]));
  });
});
