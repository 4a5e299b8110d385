// Per-position facts the engine does not know, kept beside it in the object's meta rows:
// - delayedData: the position was opened while the symbol's feed reported a delayed update mode;
// - aligned: false when a scheduled signal had to be applied without a tick of its time (CONTRACT "Delayed data,
//   aligned": the feed never reached its receive time within N + 120 s).
// Both hold for the position's whole life and are dropped when it closes (the closed snapshot carries them).
import type { Position } from "../engine/types";
import type { MetaStore } from "./book-store";
import type { RecordedPosition } from "./protocol";

const META_DELAYED = "delayed_positions";
const META_UNALIGNED = "unaligned_positions";

export class PositionFlags {
  private readonly delayed: Set<string>;
  private readonly unaligned: Set<string>;

  constructor(private readonly meta: MetaStore) {
    this.delayed = new Set(meta.get<string[]>(META_DELAYED) ?? []);
    this.unaligned = new Set(meta.get<string[]>(META_UNALIGNED) ?? []);
  }

  opened(id: string, flags: { delayed: boolean; aligned: boolean }): void {
    if (flags.delayed && !this.delayed.has(id)) {
      this.delayed.add(id);
      this.meta.set(META_DELAYED, [...this.delayed]);
    }
    if (!flags.aligned && !this.unaligned.has(id)) {
      this.unaligned.add(id);
      this.meta.set(META_UNALIGNED, [...this.unaligned]);
    }
  }

  closed(id: string): void {
    if (this.delayed.delete(id)) this.meta.set(META_DELAYED, [...this.delayed]);
    if (this.unaligned.delete(id)) this.meta.set(META_UNALIGNED, [...this.unaligned]);
  }

  apply(p: Position): RecordedPosition {
    return { ...p, delayedData: this.delayed.has(p.id), aligned: !this.unaligned.has(p.id) };
  }
}
