// The two indexes behind SymbolBook's sublinear tick: the price path (lowest/highest since a tick, earliest
// occurrence) and the lazily-deleted level heap. Checked against brute force on random input.
import { describe, expect, it } from "vitest";
import { LevelHeap } from "../../src/engine/level-heap";
import { PricePath } from "../../src/engine/price-path";
import { prng } from "../prng";


describe("PricePath", () => {
  it("answers lowest/highest since any tick, earliest occurrence, like a scan", () => {
    const rnd = prng(7);
    const path = new PricePath();
    const px: number[] = [0];
    for (let seq = 1; seq <= 3000; seq++) {
      const p = 100 + Math.floor(rnd() * 12);
      path.push(p, `t${seq}`);
      px.push(p);
      for (let k = 0; k < 5; k++) {
        const after = Math.floor(rnd() * seq);
        let lo = after + 1;
        let hi = after + 1;
        for (let i = after + 1; i <= seq; i++) {
          if (px[i] < px[lo]) lo = i;
          if (px[i] > px[hi]) hi = i;
        }
        const l = path.lowSince(after);
        const h = path.highSince(after);
        expect([path.minPx[l], path.minAt[l]]).toEqual([px[lo], `t${lo}`]);
        expect([path.maxPx[h], path.maxAt[h]]).toEqual([px[hi], `t${hi}`]);
      }
    }
    expect(path.lastTicks).toBe(px[3000]);
    path.clear();
    path.push(50, "x");
    expect(path.seq).toBe(3001);
    expect(path.minPx[path.lowSince(3000)]).toBe(50);
  });
});

describe("LevelHeap", () => {
  it("pops in key order and skips entries whose owner's version moved", () => {
    const rnd = prng(11);
    const heap = new LevelHeap<{ ver: number; id: number }>();
    const items = Array.from({ length: 200 }, (_, id) => ({ ver: 0, id }));
    const current = new Map<number, number>();
    for (let i = 0; i < 1000; i++) {
      const it = items[Math.floor(rnd() * items.length)];
      it.ver++;
      const key = Math.floor(rnd() * 500);
      current.set(it.id, key);
      heap.push(key, it);
      if (i % 300 === 0) heap.compact();
    }
    const popped: [number, number][] = [];
    while (heap.size > 0) {
      const key = heap.top();
      const it = heap.pop();
      if (it) popped.push([key, it.id]);
    }
    expect(popped.map(([k]) => k)).toEqual([...popped.map(([k]) => k)].sort((a, b) => a - b));
    expect(new Map(popped.map(([k, id]) => [id, k]))).toEqual(current);
    expect(heap.top()).toBe(Infinity);
  });
});
