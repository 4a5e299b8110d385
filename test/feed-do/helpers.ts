// Helpers for symbol Durable Object + real feed tests: the object connects to the fake TradingView server over a
// real socket; tests drive prices through the fake's control API and read results through the HTTP API.
import { runInDurableObject } from "cloudflare:test";
import { apiJson, symbolStub } from "../helpers";
import { state, waitFor, wsUrl } from "../feed/helpers";

export interface Prep {
  /** Labels the connection at the fake server (?tag=) and sets per-connection knobs. */
  tag?: string;
  hb?: number;
  reject?: number;
  watchdogMs?: number;
  backoffBaseMs?: number;
  backoffCapMs?: number;
  keepaliveMs?: number;
  idleFeedMs?: number;
  firstPriceWaitMs?: number;
  refusedRetryMs?: number;
}

/**
 * MNQ contracts no other test file uses: each file passes its own base year (test/helpers' freshMnq repeats
 * across files, which run in parallel against the one fake server, so a price sent for a shared symbol would
 * reach another file's objects).
 */
export function mnqContracts(baseYear: number): () => { ticker: string; feedSymbol: string } {
  let n = 0;
  return () => {
    const i = n++;
    const ticker = `MNQ${"FGHJKMNQUVXZ"[i % 12]}${baseYear + Math.floor(i / 12)}`;
    return { ticker, feedSymbol: `CME_MINI:${ticker}` };
  };
}

type Obj = {
  configureFeed(timing: Record<string, number | undefined>, tuning: Record<string, unknown>): void;
};
const run = runInDurableObject as unknown as <R>(s: unknown, cb: (obj: Obj, st: DurableObjectState) => R | Promise<R>) => Promise<R>;

/** Sets fast timings (and a tagged socket URL) on the symbol's object before its feed starts (test subclass). */
export async function prepare(feedSymbol: string, p: Prep = {}): Promise<void> {
  await run(symbolStub(feedSymbol), (obj) =>
    obj.configureFeed(
      {
        keepaliveMs: p.keepaliveMs,
        idleFeedMs: p.idleFeedMs,
        firstPriceWaitMs: p.firstPriceWaitMs,
        refusedRetryMs: p.refusedRetryMs,
      },
      {
        url: wsUrl({ tag: p.tag, hb: p.hb, reject: p.reject }),
        watchdogMs: p.watchdogMs ?? 5_000,
        backoffBaseMs: p.backoffBaseMs ?? 50,
        backoffCapMs: p.backoffCapMs ?? 400,
      },
    ),
  );
}

export async function inObject<R>(feedSymbol: string, cb: (obj: any, st: DurableObjectState) => R | Promise<R>): Promise<R> {
  return run(symbolStub(feedSymbol), cb as (obj: Obj, st: DurableObjectState) => R);
}

export async function symbolStatus(feedSymbol: string): Promise<any> {
  return symbolStub(feedSymbol).status();
}

/** Until the object's feed has its quote session at the fake server and has seen the snapshot (update_mode). */
export async function feedReady(feedSymbol: string): Promise<any> {
  await waitFor(async () => {
    const s = await state({ symbol: feedSymbol });
    return s.connections.some((c) => c.open && c.symbols.includes(feedSymbol));
  }, 5000, `${feedSymbol} subscribed at the fake server`);
  return waitFor(async () => {
    const st = await symbolStatus(feedSymbol);
    return st.feed.updateMode !== null && ["connected", "streaming"].includes(st.feed.state) ? st : null;
  }, 5000, `${feedSymbol} feed ready`);
}

/** The recorder's open positions (live values), as the user sees them. */
export async function open(recorderId: string): Promise<any[]> {
  const { positions } = await apiJson<{ positions: any[] }>("GET", `/api/positions?status=open&recorderId=${recorderId}`);
  return positions;
}

/** Waits for the symbol object to have processed `n` ticks in all. */
export async function ticksProcessed(feedSymbol: string, n: number): Promise<any> {
  return waitFor(async () => {
    const st = await symbolStatus(feedSymbol);
    return st.ticksProcessed >= n ? st : null;
  }, 5000, `${n} ticks processed by ${feedSymbol}`);
}
