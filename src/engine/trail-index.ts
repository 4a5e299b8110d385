// Active trailing stops of one side of one tick-size group, indexed so that a tick costs O(log n) amortized
// however many trails it ratchets (CONTRACT "Exits and risk rules": the stop follows the best price at a distance
// and only tightens).
//
// In y = direction × price (exits.ts), a position's trailing stop is m − d: m the most favourable y since it
// joined, d its distance. All positions see the same ticks, so a tick at y sets m = y for EVERY position whose m
// was <= y: they move together. Positions are therefore kept in CLASSES sharing one m:
// - `byM`, a min-heap of classes by m: a tick pops the classes with m <= y and merges them into one with m = y
//   (small members heap into large: O(log² n) amortized per position over its life);
// - `trig`, a min-heap of classes by −(m − min d), their highest stop: a tick pops the classes whose stop it
//   reaches, and each pops its members with d <= m − y (a min-heap of members by d).
// A position joins at its current favour (`add`): into the live class with that m if there is one (`atM`: at most
// one class per m, as a tick merges all classes at or below its y into one), else as a class of its own. Joining is
// what a fresh class would come to at the next tick that reaches m, without allocating one and merging it then:
// a trail turns active on the tick that reaches its trigger, which in a trend is the tick that set the side's best
// price (that class's m), so a wave of activations costs one member push each, O(log n), instead of a class each.
// Entries of positions that were re-indexed or closed are stale by version (level-heap.ts) and dropped when they
// surface; `size` counts entries so the owner can rebuild when stale ones pile up.
import { LevelHeap } from "./level-heap";

interface Handle<T extends { ver: number }> {
  ver: number;
  cls: TrailClass<T>;
}

interface TrailClass<T extends { ver: number }> {
  m: number;
  members: LevelHeap<T>;
  /** Handles in `byM` and `trig`; bumping a handle's version drops its heap entry. */
  inM: Handle<T>;
  inTrig: Handle<T>;
}

export class TrailIndex<T extends { ver: number }> {
  private readonly byM = new LevelHeap<Handle<T>>();
  private readonly trig = new LevelHeap<Handle<T>>();
  /** The live class of each m (a class leaves when merged into another or emptied). */
  private readonly atM = new Map<number, TrailClass<T>>();
  /** Member entries held (live and stale). */
  size = 0;

  /** A position whose trail is active: its favour `m` (y) and distance `d` (ticks). */
  add(item: T, m: number, d: number): void {
    this.size++;
    const joined = this.atM.get(m);
    if (joined !== undefined) {
      const top = joined.members.top();
      joined.members.push(d, item);
      if (d < top) this.pushTrig(joined); // its highest stop rose
      return;
    }
    const members = new LevelHeap<T>();
    members.push(d, item);
    const cls = { m, members } as TrailClass<T>;
    cls.inM = { ver: 0, cls };
    cls.inTrig = { ver: 0, cls };
    this.byM.push(m, cls.inM);
    this.pushTrig(cls);
    this.atM.set(m, cls);
  }

  /** A tick at y: the trails move, then the positions whose stop it reaches are appended to `hits`. */
  onPrice(y: number, hits: T[]): void {
    if (this.byM.top() <= y) {
      let merged: TrailClass<T> | null = null;
      while (this.byM.top() <= y) {
        const h = this.byM.pop();
        if (h === undefined) continue;
        const c = h.cls;
        c.inTrig.ver++;
        this.atM.delete(c.m);
        if (merged === null) merged = c;
        else if (merged.members.size >= c.members.size) c.members.drainInto(merged.members);
        else {
          merged.members.drainInto(c.members);
          merged = c;
        }
      }
      if (merged !== null) {
        merged.m = y;
        this.atM.set(y, merged);
        merged.inM.ver++;
        this.byM.push(y, merged.inM);
        this.pushTrig(merged);
      }
    }
    while (this.trig.top() <= -y) {
      const h = this.trig.pop();
      if (h === undefined) continue;
      const c = h.cls;
      while (c.members.size > 0 && c.members.top() <= c.m - y) {
        this.size--;
        const item = c.members.pop();
        if (item !== undefined) hits.push(item);
      }
      if (c.members.size > 0) this.pushTrig(c);
      else {
        c.inM.ver++; // empty: forget the class
        this.atM.delete(c.m);
      }
    }
  }

  clear(): void {
    this.byM.compact(() => false);
    this.trig.compact(() => false);
    this.atM.clear();
    this.size = 0;
  }

  private pushTrig(cls: TrailClass<T>): void {
    cls.inTrig.ver++;
    this.trig.push(-(cls.m - cls.members.top()), cls.inTrig);
  }
}
