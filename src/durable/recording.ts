// What a symbol records, as synchronous steps: one signal applied (engine + checkpoints + outbox + signal log +
// duplicate memory), refused, answered as a duplicate, scheduled, or applied from the schedule; one tick (first
// the scheduled signals the market reached, then the tick); one manual close. Each method runs to completion
// without an await, so inside a Durable Object no other event interleaves with it. No Cloudflare imports: the
// object (symbol-object.ts) owns the awaits around these steps — the gate's rate limit, waiting for a fresh
// price, D1 delivery, the directory.
import { isBoundedPrice, SignalRefusedError } from "../engine/limits";
import { roundToTick } from "../engine/money";
import type { ClosedPosition, FillOrigin, TickOutcome } from "../engine/types";
import type { Duplicates } from "./admission";
import type { DurableBook } from "./durable-book";
import type { SignalLogRow } from "./outbox-op";
import type { OutboxStore } from "./outbox-store";
import type { PositionFlags } from "./position-flags";
import type { ManualCloseReply, SignalApplied, SignalRefused, SignalReply, SignalRequest } from "./protocol";
import type { ScheduledSignal, ScheduledSignals } from "./schedule";

export interface Fill {
  price: number;
  priceSource: FillOrigin["priceSource"];
  /** The live feed's last price, rounded to the tick (null: no live feed). */
  feedPrice: number | null;
  /** False when a scheduled signal is applied without a tick of its time. */
  aligned: boolean;
}

export interface RecordingParts {
  durable: DurableBook;
  outbox: OutboxStore;
  duplicates: Duplicates;
  scheduled: ScheduledSignals;
  flags: PositionFlags;
  /** Whether the feed reports delayed quotes now (a position opened now is flagged delayedData). */
  feedDelayed: () => boolean;
  newId: () => string;
}

export class SymbolRecording {
  constructor(private readonly p: RecordingParts) {}

  /** The engine step for a signal, with everything it owes storage, D1 and the duplicate memory. */
  apply(req: SignalRequest, signalId: string, fill: Fill): SignalReply {
    // A session end the market passed before this signal (the alarm may not have run yet) closes first, so the
    // signal sees what the trader's bot would: the position already flat.
    this.clock(Date.parse(req.receivedAt));
    let out;
    try {
      out = this.p.durable.signal({
        recorder: req.recorder,
        instrument: req.instrument,
        signal: req.signal,
        price: roundToTick(fill.price, req.instrument.tickSize),
        at: req.receivedAt,
        priceSource: fill.priceSource,
        feedPrice: fill.feedPrice,
        otherDayNet: req.otherDayNet ?? 0,
      });
    } catch (err) {
      if (err instanceof SignalRefusedError) return this.refuse(req, signalId, 400, "invalid_signal", err.message, err.details);
      if (err instanceof RangeError) return this.refuse(req, signalId, 422, "no_price", "The price rounds to 0 at this instrument's tick: a price of 0 is never booked.");
      throw err;
    }
    const { flags, outbox, durable } = this.p;
    if (out.opened) flags.opened(out.opened.id, { delayed: this.p.feedDelayed(), aligned: fill.aligned });
    const position = out.position && flags.apply(out.position); // before the close forgets a closed one's flags
    if (out.closed) this.recordClose(out.closed);
    for (const state of out.changed) {
      const p = durable.book.getById(state.id);
      if (p) outbox.enqueue({ t: "position", position: flags.apply(p) });
    }
    const reply: SignalApplied = {
      ok: true,
      signalId,
      recorderId: req.recorder.id,
      symbol: req.instrument.root,
      result: out.result,
      ...(out.reason ? { reason: out.reason } : {}),
      position,
      ...(out.closed ? { trade: out.closed.trade } : {}),
    };
    this.log(req, signalId, { status: "applied", result: reply.result, positionId: out.position?.id ?? null, reason: out.reason ?? null });
    this.p.duplicates.remember(req, Date.parse(req.receivedAt), reply);
    return reply;
  }

  /** A refusal, logged under `signalId` (a scheduled signal's row moves to "rejected") unless `log` is false. */
  refuse(req: SignalRequest, signalId: string, status: SignalRefused["status"], code: string, message: string, details?: unknown, log = true): SignalRefused {
    const error = details === undefined ? { code, message } : { code, message, details };
    if (log) this.log(req, signalId, { status: "rejected", error });
    return { ok: false, status, error };
  }

  /** A signal that asks nothing of the engine (a TradersPost cancel): ignored with `reason`, the position as it
   * stands; logged and remembered (duplicates) like an applied one. Needs no price. */
  ignore(req: SignalRequest, signalId: string, reason: string): SignalApplied {
    this.clock(Date.parse(req.receivedAt)); // as apply: a session end the market passed closes first
    return this.answerAsItStands(req, signalId, { result: "ignored", reason }, { status: "applied", reason });
  }

  /** A duplicate gets its first answer again (and a log row of its own). */
  duplicate(req: SignalRequest, first: SignalApplied): SignalApplied {
    this.log(req, this.p.newId(), { status: "duplicate", result: first.result, positionId: first.position?.id ?? null, reason: first.reason ?? null });
    return { ...first, duplicate: true };
  }

  /** Accepted now, applied when the market reaches its receive time (or at `deadlineMs` on the wall clock). */
  schedule(req: SignalRequest, deadlineMs: number): SignalApplied {
    const signalId = this.p.newId();
    this.p.scheduled.add(signalId, req, deadlineMs);
    return this.answerAsItStands(req, signalId, { result: "scheduled", appliesAt: req.receivedAt }, { status: "scheduled", appliesAt: req.receivedAt });
  }

  /** A reply that changes no position (ignored without the engine, scheduled): the position as it stands, logged
   * and remembered for duplicates like an applied signal. */
  private answerAsItStands(
    req: SignalRequest,
    signalId: string,
    answer: Pick<SignalApplied, "result" | "reason" | "appliesAt">,
    row: Pick<SignalLogRow, "status"> & Partial<Pick<SignalLogRow, "reason" | "appliesAt">>,
  ): SignalApplied {
    const current = this.p.durable.book.get(req.recorder.id);
    const reply: SignalApplied = {
      ok: true,
      signalId,
      recorderId: req.recorder.id,
      symbol: req.instrument.root,
      ...answer,
      position: current ? this.p.flags.apply(current) : null,
    };
    this.log(req, signalId, { ...row, result: answer.result, positionId: current?.id ?? null });
    this.p.duplicates.remember(req, Date.parse(req.receivedAt), reply);
    return reply;
  }

  /** A feed price at its market time: first the scheduled signals the market reached, then the tick. Returns
   * true when anything was recorded (a scheduled signal, an exit). */
  tick(raw: number, at: string): boolean {
    const atMs = Date.parse(at);
    // Only a bookable tick may release scheduled signals (the durable book ignores the others).
    if (!isBoundedPrice(raw) || Number.isNaN(atMs)) return false;
    let changed = false;
    if (this.p.scheduled.anyDue(atMs)) {
      for (const s of this.p.scheduled.dueBy(atMs)) {
        // Without a price: the last feed price at or before its receive time (this tick is the first after it).
        const last = this.p.durable.last;
        const lastUsable = last.at !== null && Date.parse(last.at) <= s.receivedMs ? usablePrice(last.price, s.req.instrument.tickSize) : null;
        this.applyScheduled(s, lastUsable, true);
        changed = true;
      }
    }
    const out = this.p.durable.tick(raw, at, atMs);
    return this.recordTickOutcome(out) || changed;
  }

  /** Session ends and trading-day ends up to market time `nowMs` on a quiet market (the object's alarm). Returns
   * true when anything was recorded. */
  clock(nowMs: number): boolean {
    return this.recordTickOutcome(this.p.durable.clock(nowMs));
  }

  /** Exits, take-profit legs and filled pending entries of a tick or the clock, owed to D1. */
  private recordTickOutcome(out: TickOutcome | null): boolean {
    // The tick path: most ticks fill nothing, so they allocate nothing here.
    if (out === null || (out.exits.length === 0 && out.changed === undefined && out.opened === undefined)) return false;
    const { flags, outbox, durable } = this.p;
    for (const p of out.opened ?? []) flags.opened(p.id, { delayed: this.p.feedDelayed(), aligned: true });
    for (const e of out.exits) this.recordClose(e);
    const ids = new Set([...(out.changed ?? []).map((s) => s.id), ...(out.opened ?? []).map((p) => p.id)]);
    for (const id of ids) {
      const p = durable.book.getById(id);
      if (p) outbox.enqueue({ t: "position", position: flags.apply(p) });
    }
    return out.exits.length > 0 || ids.size > 0;
  }

  /** Scheduled signals the feed never reached by their deadline: applied with their own price (aligned: false),
   * a priceless one refused. Returns how many. */
  applyExpired(nowMs: number): number {
    const expired = this.p.scheduled.expired(nowMs);
    for (const s of expired) this.applyScheduled(s, null, false);
    return expired.length;
  }

  closeManual(positionId: string, price: number, at: string, origin: FillOrigin): ManualCloseReply {
    let closed;
    try {
      // The book rounds to the position's own tick (a recorder may override it).
      closed = this.p.durable.closeManual(positionId, price, at, origin);
    } catch (err) {
      // Rounds to 0, or out of bounds: never booked.
      if (err instanceof RangeError) return { ok: false, status: 422, error: { code: "no_price", message: `The price ${price} cannot be booked for this position.` } };
      throw err;
    }
    if (!closed) return { ok: false, status: 404, error: { code: "not_found", message: "The position is no longer open." } };
    const position = this.p.flags.apply(closed.position);
    this.recordClose(closed);
    return { ok: true, position, trade: closed.trade };
  }

  private applyScheduled(s: ScheduledSignal, feedPrice: number | null, aligned: boolean): void {
    const own = usablePrice(s.req.signal.price, s.req.instrument.tickSize);
    const price = own ?? feedPrice;
    this.p.scheduled.remove(s.seq);
    let reply: SignalReply;
    if (price === null) {
      const within = aligned ? "" : ` within ${Math.round((s.deadlineMs - s.receivedMs) / 1000)} s`;
      reply = this.refuse(s.req, s.signalId, 422, "no_price", `The scheduled signal has no price and no feed price at or before ${s.req.receivedAt} arrived${within}.`);
    } else {
      const rounded = feedPrice === null ? null : roundToTick(feedPrice, s.req.instrument.tickSize);
      try {
        reply = this.apply(s.req, s.signalId, { price, priceSource: own !== null ? "signal" : "feed", feedPrice: rounded, aligned });
      } catch (err) {
        // Never lost silently, and never blocking the signals and the tick behind it: refused, with the reason.
        console.error(`scheduled signal ${s.signalId} could not be applied: ${String(err)}`);
        reply = this.refuse(s.req, s.signalId, 422, "internal_error", "The scheduled signal could not be applied; it was not recorded.");
      }
    }
    // Refused when it came due: a retry of it is judged afresh, not answered "scheduled" again.
    if (!reply.ok) this.p.duplicates.forget(s.req);
  }

  private recordClose({ position, trade, entryTrades }: ClosedPosition): void {
    // One outbox entry for both (a row per exit less on the tick path); the per-entry chunks travel inside the
    // trade (column entry_trades).
    this.p.outbox.enqueue({ t: "closed", position: this.p.flags.apply(position), trade: { ...trade, entryTrades } });
    this.p.flags.closed(position.id);
  }

  private log(
    req: SignalRequest,
    id: string,
    row: Pick<SignalLogRow, "status"> & Partial<Pick<SignalLogRow, "result" | "error" | "positionId" | "reason" | "appliesAt">>,
  ): void {
    this.p.outbox.enqueue({
      t: "signal",
      row: {
        id,
        recorderId: req.recorder.id,
        receivedAt: req.receivedAt,
        result: null,
        reason: null,
        error: null,
        positionId: null,
        appliesAt: null,
        ...row,
        body: req.body,
        bodyTruncated: req.bodyTruncated,
        symbol: req.instrument.root,
      },
    });
  }
}

/** A price is usable when it is still > 0 once rounded to the tick (a 0 is never booked). */
export function usablePrice(p: number | null | undefined, tickSize: number): number | null {
  return p != null && Number.isFinite(p) && roundToTick(p, tickSize) > 0 ? p : null;
}
