// Types for test/fake-tv/server.mjs (fake TradingView quote server + HTTP control API).

export interface FakeTvOptions {
  port?: number;
  host?: string;
  /** Default heartbeat interval (a connection may override it with `?hb=MS`). Default 10 000. */
  heartbeatMs?: number;
  /** Tokens answered with update_mode "streaming" (anonymous gets "delayed_streaming_900"). */
  validTokens?: string[];
  /** Tokens answered with protocol_error "bad auth token" + close. Default ["refused_token"]. */
  refusedTokens?: string[];
  /** Well-formed symbols answered with s:"error", errmsg:"no_such_symbol". */
  unknownSymbols?: string[];
  /** Symbols always reported "delayed_streaming_900" (lp_time stays current; see delaySeconds for real lag). */
  delayedSymbols?: string[];
  /**
   * Delay knob. Per symbol `{ "CME_MINI:MNQ1!": 900 }` (a null value removes that symbol's delay), or a number /
   * null as shorthand for globalDelaySeconds. A delayed symbol is reported `update_mode: "delayed_streaming_<N>"`
   * whatever the token, and every lp_time the server stamps itself is N s behind wall time. Changes are pushed
   * to open sessions at once (a qsd delta with the new update_mode).
   */
  delaySeconds?: number | null | Record<string, number | null>;
  /** Delay for every symbol without its own; null removes it. */
  globalDelaySeconds?: number | null;
  /** Refuse tokens that are neither anonymous nor valid. Default false. */
  strictTokens?: boolean;
  /** Upgrade refused with 403 unless Origin is https://www.tradingview.com. Default true. */
  requireOrigin?: boolean;
  /** Snapshot prices by exact symbol string. */
  prices?: Record<string, number>;
  /** Symbol prefixes ("" = all) whose snapshot carries a default price when none was set. Default none. */
  inventPrices?: string[];
  /** Logged-in browser sessions accepted by the fake home page (GET / with these cookies -> auth_token). */
  sessions?: FakeTvSession[];
  log?: boolean;
}

export type FakeTvConfigPatch = Omit<FakeTvOptions, "port" | "host"> & {
  removeValidTokens?: string[];
  removeRefusedTokens?: string[];
  removeUnknownSymbols?: string[];
  removeDelayedSymbols?: string[];
  /** Symbols whose own delay is removed. */
  removeDelaySeconds?: string[];
  removeSessions?: string[];
};

export interface FakeTvSession {
  sessionid: string;
  /** When set, the sessionid_sign cookie must match. */
  sessionid_sign?: string;
  /** Lifetime of the minted JWT (exp - iat). Default 14 400. */
  ttlSec?: number;
  /** 302 hops before the page (a client follows at most 5). Default 0. */
  redirects?: number;
  /** The minted tokens are refused by the quote server (protocol_error "bad auth token"). */
  refused?: boolean;
}

/** GET /control/sessions */
export interface FakeTvSessionsState {
  sessions: Array<{ sessionid: string; homeHits: number; token: string | null; tokens: string[]; refused: boolean }>;
}

/** Scope of a control call: connections that subscribed `symbol`, carry `?tag=`, sent `token`, or by id. */
export interface FakeTvFilter {
  symbol?: string;
  tag?: string;
  token?: string;
  id?: number;
}

export interface TickItem {
  price?: number;
  /**
   * Epoch seconds, epoch ms or ISO; default now (minus the symbol's delay). lp_time is sent only when it changed.
   */
  time?: number | string;
  /**
   * Explicit lp_time, epoch seconds, sent verbatim in this packet even when unchanged (overrides `time`).
   * `null`: the packet carries NO lp_time, and later snapshots of the symbol omit it too (until a tick sets one).
   */
  lpTime?: number | null;
  /** Extra `v` fields (bid, ask, update_mode...). */
  fields?: Record<string, unknown>;
}

export interface TickRequest extends TickItem {
  symbol: string;
  /** Several updates in ONE WebSocket message. */
  batch?: Array<number | TickItem>;
  /** Slip a heartbeat frame into the middle of the message. */
  heartbeat?: boolean;
}

export interface FakeTvConnection {
  id: number;
  tag: string | null;
  url: string;
  open: boolean;
  openedAt: string;
  closedAt: string | null;
  closeCode: number | null;
  closedBy: "client" | "server" | null;
  headers: { origin: string | null; userAgent: string | null; cacheControl: string | null };
  token: string | null;
  refused: boolean;
  heartbeatMs: number;
  heartbeatsSent: number;
  heartbeatsEchoed: number;
  heartbeatsMismatched: number;
  sentMessages: number;
  silenced: boolean;
  sessions: Array<{
    id: string;
    fields: string[] | null;
    symbols: string[];
    fast: string[];
    deleted: boolean;
    flags?: string[] | null;
    createdAt: number;
    /** Last update_mode sent per symbol. */
    modes?: Record<string, string>;
    /** Last lp_time sent per symbol (null: none yet / the last price had none). */
    sentLpTimes?: Record<string, number | null>;
  }>;
  /** Symbols currently subscribed (live sessions). */
  symbols: string[];
  subscriptions: Array<{ session: string; symbol: string; at: number }>;
  removed: string[];
  /** Methods received, in order. */
  methods: string[];
  received: Array<{ m: string; p: unknown[]; at: number }>;
  malformedFromClient: string[];
  /** Protocol-sequence problems seen from the client (empty for a well-behaved client). */
  violations: string[];
}

export interface FakeTvState {
  connections: FakeTvConnection[];
  openConnections: number;
  connectionCount: number;
  connectionHistory: Array<{ id: number; openedAt: string; closedAt: string | null }>;
  /** Upgrade attempts (101 or the refusal status); only with no filter or a `tag` filter. */
  upgrades: Array<{ at: string; tag: string | null; status: number }>;
  heartbeatsSent: number;
  heartbeatsEchoed: number;
  prices: Record<string, number | null>;
  config: {
    heartbeatMs: number;
    validTokens: string[];
    refusedTokens: string[];
    unknownSymbols: string[];
    delayedSymbols: string[];
    /** Per-symbol delays (seconds). */
    delaySeconds: Record<string, number>;
    globalDelaySeconds: number | null;
    requireOrigin: boolean;
  };
}

/** POST /control/delay body: `symbol` absent = the global delay; `seconds: null` removes it. */
export interface DelayRequest {
  symbol?: string;
  seconds: number | null;
}

export interface FakeTradingView {
  port: number;
  host: string;
  /** http://host:port/socket.io/websocket (what TV_WS_URL should be). */
  url: string;
  /** Returns the number of sessions the update went to. */
  tick(req: TickRequest): number;
  /** Exact raw message; `{qs}` inside frames is replaced by each matching session id (and re-framed). */
  raw(req: FakeTvFilter & { data: string }): number;
  /** Abrupt close (TCP reset) unless `code` is given (close frame with that code). */
  drop(req?: FakeTvFilter & { code?: number }): number;
  /** Send nothing (not even heartbeats) to matching connections for `ms`. */
  silence(req: FakeTvFilter & { ms?: number }): number;
  /** Scoped: forget matching connections (closing them); unscoped: everything, config included. */
  reset(req?: FakeTvFilter): void;
  state(filter?: FakeTvFilter): FakeTvState;
  config(patch: FakeTvConfigPatch): void;
  /** A symbol's delay (symbol null: the global one); seconds null removes it. Same as POST /control/delay. */
  setDelay(symbol: string | null, seconds: number | null): void;
  subscribedSymbols(): string[];
  lastPrice(symbol: string): number | null;
  close(): Promise<void>;
}

export function startFakeTradingView(opts?: FakeTvOptions): Promise<FakeTradingView>;

export function frame(payload: string): string;
export function frameMessage(m: string, p: unknown[], extra?: Record<string, unknown>): string;
export function parseFrames(
  data: string,
): Array<{ type: "heartbeat"; payload: string } | { type: "message"; m: string; p: unknown[] } | { type: "malformed"; raw: string }>;
export const ROOTS: Record<string, { price: number; tick: number }>;
export function rootOf(symbol: string): string | null;
export function instrumentOf(symbol: string): { price: number; tick: number };
