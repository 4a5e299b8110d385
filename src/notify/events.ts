// What a notification is about: the events a target may want, and how they arise from what the outbox already
// delivered to D1 (so a notification never announces a record D1 does not hold yet, and needs no hook in the
// recording code). Plain data; formatting per target kind is format.ts.
//
// Each event has a stable `key` (e.g. `closed:<tradeId>`): the queue (queue-store.ts) keeps one entry per key, so
// an outbox entry seen twice, or a summary asked for twice, is announced once.
import type { OutboxOp } from "../durable/outbox-op";

export const EVENT_KINDS = ["opened", "closed", "rejected", "feed_down", "feed_up", "daily_summary"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

interface Base {
  key: string;
  recorderId: string;
  /** When it happened (market time for fills, wall clock otherwise), ISO. */
  at: string;
}

export type NotifyEvent =
  | (Base & {
      kind: "opened";
      positionId: string;
      symbol: string;
      side: "long" | "short";
      quantity: number;
      price: number;
      takeProfitPrice: number | null;
      stopLossPrice: number | null;
    })
  | (Base & {
      kind: "closed";
      tradeId: string;
      positionId: string;
      symbol: string;
      side: "long" | "short";
      quantity: number;
      entryPrice: number;
      exitPrice: number;
      pnl: number;
      commission: number;
      /** Worst unrealized P&L (MAE, ≤ 0) and best (MFE, ≥ 0), USD. */
      mae: number;
      mfe: number;
      exitReason: string;
      openedAt: string;
    })
  | (Base & {
      kind: "rejected";
      signalId: string;
      symbol: string | null;
      code: string;
      message: string;
      /** Refusals just before this one that were not notified (notifier.ts throttles a flood). */
      suppressedBefore?: number;
    })
  | (Base & { kind: "feed_down" | "feed_up"; feedSymbol: string; detail: string })
  | (Base & {
      kind: "daily_summary";
      /** The trading day [start, end), ISO. */
      dayStart: string;
      dayEnd: string;
      netPnl: number;
      trades: number;
      winners: number;
      losers: number;
      /** Percent of trades with pnl > 0; null without trades. */
      winRate: number | null;
    })
  | (Base & { kind: "test"; targetId: string });

/** A recorder name shown in messages (looked up with the targets; the event itself carries only the id). */
export interface EventContext {
  recorderName: string;
}

const MAX_TEXT = 300;

function bounded(text: unknown): string {
  const s = typeof text === "string" ? text : text === undefined || text === null ? "" : JSON.stringify(text);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

/** The events an outbox entry stands for once D1 has it (none for most: position updates, applied signals). */
export function eventOf(op: OutboxOp): NotifyEvent | null {
  switch (op.t) {
    case "position": {
      const p = op.position;
      // The first version of a position is open with its opening fill only (an add makes a second fill; every
      // change is its own outbox entry, so the opening version is always delivered by itself).
      if (p.status !== "open" || p.fills.length !== 1) return null;
      const f = p.fills[0];
      return {
        kind: "opened",
        key: `opened:${p.id}`,
        recorderId: p.recorderId,
        at: p.openedAt,
        positionId: p.id,
        symbol: p.symbol,
        side: p.side,
        quantity: f.quantity,
        price: f.price,
        takeProfitPrice: p.takeProfitPrice,
        stopLossPrice: p.stopLossPrice,
      };
    }
    case "trade":
    case "closed": {
      // A "closed" entry's position is closed: never an opening, so its trade is the whole story.
      const t = op.trade;
      return {
        kind: "closed",
        key: `closed:${t.id}`,
        recorderId: t.recorderId,
        at: t.closedAt,
        tradeId: t.id,
        positionId: t.positionId,
        symbol: t.symbol,
        side: t.side,
        quantity: t.quantity,
        entryPrice: t.entryPrice,
        exitPrice: t.exitPrice,
        pnl: t.pnl,
        commission: t.commission,
        mae: t.maxAdverse,
        mfe: t.maxFavorable,
        exitReason: t.exitReason,
        openedAt: t.openedAt,
      };
    }
    case "signal": {
      const r = op.row;
      if (r.status !== "rejected") return null;
      const err = (r.error ?? {}) as { code?: unknown; message?: unknown };
      return {
        kind: "rejected",
        key: `rejected:${r.id}`,
        recorderId: r.recorderId,
        at: r.receivedAt,
        signalId: r.id,
        symbol: r.symbol,
        code: bounded(err.code ?? "rejected"),
        message: bounded(err.message),
      };
    }
    case "symbol":
      return null;
  }
}
