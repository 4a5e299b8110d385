// Pending limit / stop entries (TradersPost `orderType: "limit" | "stop"` with `limitPrice` / `stopPrice`): at
// most one per recorder on a symbol, filled by the first tick that reaches its price, applied then as the signal
// it came with. A buy limit and a sell stop wait for the price to fall to them, a sell limit and a buy stop for it
// to rise. Indexed in two price heaps, so a tick costs O(1) when none is reached (O(log n) per fill).
// An order placed at market time T is not reached by a tick stamped before T (market-time.ts).
import { LevelHeap } from "./level-heap";
import { isBeforeOpen } from "./market-time";
import { toPosition } from "./position";
import { checkSignalStep } from "./signal-step";
import { planTarget } from "./target";
import type { PositionState, SignalInput, SignalOutcome } from "./types";

export interface PendingOrder {
  id: string;
  recorderId: string;
  side: "buy" | "sell";
  type: "limit" | "stop";
  price: number;
  createdMs: number;
  /** The signal to apply when it fills (price and time replaced by the fill's). */
  input: SignalInput;
}

interface Slot {
  order: PendingOrder;
  ver: number;
  /** Placement order: fills with the same createdMs go oldest placed first (the order of `list()`). */
  seq: number;
}

export class PendingOrders {
  private readonly byRecorder = new Map<string, Slot>();
  /** Filled when price >= key. */
  private readonly rising = new LevelHeap<Slot>();
  /** Filled when price <= −key. */
  private readonly falling = new LevelHeap<Slot>();
  private placed = 0;

  get size(): number {
    return this.byRecorder.size;
  }

  get(recorderId: string): PendingOrder | undefined {
    return this.byRecorder.get(recorderId)?.order;
  }

  list(): PendingOrder[] {
    return [...this.byRecorder.values()].map((s) => s.order);
  }

  load(orders: readonly PendingOrder[]): void {
    this.byRecorder.clear();
    this.rising.compact(() => false);
    this.falling.compact(() => false);
    for (const o of orders) this.place(o);
  }

  /** A new pending entry replaces the recorder's previous one. */
  place(order: PendingOrder): void {
    this.remove(order.recorderId);
    const slot: Slot = { order, ver: 0, seq: this.placed++ };
    this.byRecorder.set(order.recorderId, slot);
    this.enheap(slot);
  }

  private enheap(slot: Slot): void {
    const o = slot.order;
    if ((o.side === "buy") === (o.type === "stop")) this.rising.push(o.price, slot);
    else this.falling.push(-o.price, slot);
  }

  remove(recorderId: string): void {
    const slot = this.byRecorder.get(recorderId);
    if (slot === undefined) return;
    slot.ver++;
    this.byRecorder.delete(recorderId);
  }

  /** The orders a tick at `price` (market time `atMs`) fills, removed, oldest first. */
  reachedBy(price: number, atMs: number): PendingOrder[] {
    const out: Slot[] = [];
    const early: Slot[] = [];
    const take = (slot: Slot | undefined) => {
      if (slot === undefined) return;
      if (isBeforeOpen(atMs, slot.order.createdMs)) early.push(slot);
      else out.push(slot);
    };
    while (this.rising.top() <= price) take(this.rising.pop());
    while (this.falling.top() <= -price) take(this.falling.pop());
    for (const slot of early) this.enheap(slot); // not yet: back in its heap, its place in the list kept
    out.sort((a, b) => a.order.createdMs - b.order.createdMs || a.seq - b.seq);
    for (const slot of out) this.remove(slot.order.recorderId);
    return out.map((s) => s.order);
  }
}

/** A signal with a limit/stop order: refused now if it would be refused at its price (bounds, levels), ignored now
 * if it asks for nothing, else the order to keep (result "pending"). */
export function orderFor(s: PositionState | undefined, input: SignalInput, id: string): { outcome: SignalOutcome; order?: PendingOrder } {
  const o = input.signal.order!;
  const price = o.type === "limit" ? o.limitPrice : o.stopPrice;
  const signal = { ...input.signal };
  delete signal.order;
  const asMarket: SignalInput = { ...input, signal, price };
  checkSignalStep(s, asMarket);
  const current = s === undefined ? 0 : s.side === "long" ? s.quantity : -s.quantity;
  const plan = planTarget(current, signal, input.recorder);
  const position = s ? toPosition(s) : null;
  if ("ignored" in plan || plan.target === current) {
    return { outcome: { result: "ignored", reason: "ignored" in plan ? plan.ignored : "already_at_target", position, changed: [], closedIds: [] } };
  }
  const side = plan.target > current ? "buy" : "sell";
  const order: PendingOrder = { id, recorderId: input.recorder.id, side, type: o.type, price, createdMs: Date.parse(input.at), input: asMarket };
  return { outcome: { result: "pending", position, changed: [], closedIds: [] }, order };
}

/** The signal a pending order applies when a tick at `price` reaches it: a limit at its price or better (no
 * slippage), a stop at its price or the gap price (slipped like any market fill). */
export function fillInput(p: PendingOrder, price: number, at: string): SignalInput {
  const stop = p.type === "stop";
  const worse = p.side === "buy" ? Math.max(p.price, price) : Math.min(p.price, price);
  const better = p.side === "buy" ? Math.min(p.price, price) : Math.max(p.price, price);
  return { ...p.input, price: stop ? worse : better, at, priceSource: "feed", feedPrice: price, ...(stop ? {} : { limitFill: true as const }) };
}

/** Whether a tick at `price` reaches the order. */
export function reaches(p: PendingOrder, price: number): boolean {
  const waitsForRise = (p.side === "buy") === (p.type === "stop");
  return waitsForRise ? price >= p.price : price <= p.price;
}

/** CONTRACT: a pending entry expires with the next signal that moves the position the other way. */
export function expiresWith(p: PendingOrder | undefined, direction: number): boolean {
  return p !== undefined && direction !== 0 && direction !== (p.side === "buy" ? 1 : -1);
}
