// TrailIndex (src/engine/trail-index.ts), the index of active trailing stops, against a brute force that keeps
// every stop's best price m and distance d and, on each tick y, moves m to max(m, y) and reports every stop with
// y <= m − d. Random data: random walks with gaps, stops joining at, above or below the price, re-indexed (a
// version bump and a fresh entry, as SymbolBook does after a fill), dropped (closed), and the index rebuilt from
// scratch now and then (SymbolBook.rebuildTrails).
import { describe, expect, it } from "vitest";
import { TrailIndex } from "../../src/engine/trail-index";
import { prng } from "../prng";

interface Item {
  id: number;
  ver: number;
}

interface Brute {
  item: Item;
  m: number;
  d: number;
}

function run(seed: number, steps: number, opts: { items: number; maxD: number; gapEvery: number }) {
  const rnd = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  let index = new TrailIndex<Item>();
  const live = new Map<number, Brute>();
  let nextId = 0;
  let y = 1000;
  let hitsTotal = 0;
  const add = (b: Brute) => {
    live.set(b.item.id, b);
    index.add(b.item, b.m, b.d);
  };
  for (let step = 0; step < steps; step++) {
    const roll = rnd();
    if (roll < 0.15 && live.size < opts.items) {
      // A position whose trail just became active joins at its own best price (here: anywhere near the price).
      add({ item: { id: nextId++, ver: 0 }, m: y + int(-5, 20), d: int(1, opts.maxD) });
    } else if (roll < 0.22 && live.size > 0) {
      // Re-indexed: its old entry goes stale, a new one joins at its current best (maybe a new distance).
      const b = [...live.values()][int(0, live.size - 1)];
      b.item.ver++;
      if (rnd() < 0.5) b.d = int(1, opts.maxD);
      if (rnd() < 0.3) b.m += int(0, 5); // a fill at a better price moved its best
      index.add(b.item, b.m, b.d);
    } else if (roll < 0.26 && live.size > 0) {
      // Closed by something else (a signal, a take-profit): stale.
      const b = [...live.values()][int(0, live.size - 1)];
      b.item.ver++;
      live.delete(b.item.id);
    } else if (roll < 0.27) {
      // Rebuilt: the live ones join afresh at their current best.
      index = new TrailIndex<Item>();
      for (const b of live.values()) index.add(b.item, b.m, b.d);
    } else {
      y += step % opts.gapEvery === 0 ? int(-40, 40) : int(-4, 4);
      const expected: number[] = [];
      for (const b of live.values()) {
        b.m = Math.max(b.m, y);
        if (y <= b.m - b.d) expected.push(b.item.id);
      }
      const hits: Item[] = [];
      index.onPrice(y, hits);
      const got = hits.map((h) => h.id).sort((a, b) => a - b);
      expect(got, `seed ${seed} step ${step} tick ${y}`).toEqual(expected.sort((a, b) => a - b));
      for (const id of expected) {
        const b = live.get(id)!;
        b.item.ver++; // the book bumps a position's version when it evaluates it
        live.delete(id);
      }
      hitsTotal += hits.length;
    }
    // Member entries held: at least the live ones (stale ones are dropped as they surface).
    expect(index.size).toBeGreaterThanOrEqual(live.size);
  }
  return hitsTotal;
}

describe("TrailIndex vs brute force", () => {
  it("few stops, small distances (frequent hits)", () => {
    let hits = 0;
    for (let seed = 1; seed <= 40; seed++) hits += run(seed, 2000, { items: 8, maxD: 6, gapEvery: 25 });
    expect(hits).toBeGreaterThan(1000);
  });

  it("many stops, wide distances (classes merge often)", () => {
    let hits = 0;
    for (let seed = 100; seed <= 110; seed++) hits += run(seed, 5000, { items: 300, maxD: 40, gapEvery: 50 });
    expect(hits).toBeGreaterThan(1000);
  });

  it("a trend: every tick a new best, one stop per tick joining", () => {
    const index = new TrailIndex<Item>();
    const items: Item[] = [];
    for (let y = 1; y <= 500; y++) {
      const hits: Item[] = [];
      index.onPrice(y, hits);
      expect(hits).toEqual([]);
      const item = { id: y, ver: 0 };
      items.push(item);
      index.add(item, y, 1 + (y % 7));
    }
    // One class now (every stop's best is 500): a fall to 495 stops those with d <= 5, and only them.
    const hits: Item[] = [];
    index.onPrice(495, hits);
    expect(hits.map((h) => h.id).sort((a, b) => a - b)).toEqual(items.filter((i) => 1 + (i.id % 7) <= 5).map((i) => i.id));
  });
});
