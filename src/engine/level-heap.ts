// A binary min-heap of take-profit / stop-loss trigger levels with lazy deletion: an entry carries the version of
// its owner at push time, and the owner bumps its version whenever its levels change or it closes, so stale
// entries are skipped when they surface (and dropped in bulk by `compact`).
export class LevelHeap<T extends { ver: number }> {
  private readonly keys: number[] = [];
  private readonly items: T[] = [];
  private readonly vers: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Smallest key (Infinity when empty). */
  top(): number {
    return this.keys.length > 0 ? this.keys[0] : Infinity;
  }

  push(key: number, item: T): void {
    this.pushAt(key, item, item.ver);
  }

  /** Moves every entry (stale ones included: they stay stale) into `target`, leaving this heap empty. */
  drainInto(target: LevelHeap<T>): void {
    for (let i = 0; i < this.keys.length; i++) target.pushAt(this.keys[i], this.items[i], this.vers[i]);
    this.keys.length = this.items.length = this.vers.length = 0;
  }

  private pushAt(key: number, item: T, ver: number): void {
    const { keys, items, vers } = this;
    let i = keys.length;
    keys.push(key);
    items.push(item);
    vers.push(ver);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      this.move(parent, i);
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
    vers[i] = ver;
  }

  /** Removes the top; returns its item when still current (its version unchanged), else undefined. */
  pop(): T | undefined {
    const { keys, items, vers } = this;
    const item = items[0];
    const live = vers[0] === item.ver;
    const lastKey = keys.pop()!;
    const lastItem = items.pop()!;
    const lastVer = vers.pop()!;
    if (keys.length > 0) this.siftDown(0, lastKey, lastItem, lastVer);
    return live ? item : undefined;
  }

  /** Drops stale entries (and entries `keep` rejects); O(size). */
  compact(keep: (item: T) => boolean = () => true): void {
    const { keys, items, vers } = this;
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      if (vers[i] !== items[i].ver || !keep(items[i])) continue;
      keys[n] = keys[i];
      items[n] = items[i];
      vers[n] = vers[i];
      n++;
    }
    keys.length = items.length = vers.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, keys[i], items[i], vers[i]);
  }

  private move(from: number, to: number): void {
    this.keys[to] = this.keys[from];
    this.items[to] = this.items[from];
    this.vers[to] = this.vers[from];
  }

  private siftDown(i: number, key: number, item: T, ver: number): void {
    const { keys } = this;
    const n = keys.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && keys[child + 1] < keys[child]) child++;
      if (keys[child] >= key) break;
      this.move(child, i);
      i = child;
    }
    keys[i] = key;
    this.items[i] = item;
    this.vers[i] = ver;
  }
}
