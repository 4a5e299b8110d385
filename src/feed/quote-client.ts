// One TradingView quote-session client, meant to live inside a symbol's Durable Object. It holds at most one
// outbound WebSocket (opened with fetch + Upgrade, as Workers require), answers heartbeats, watches for silent
// freezes, reconnects with exponential backoff + jitter and a full re-subscribe, and stops for good when the
// server refuses the auth token. Uses only globals (fetch, WebSocket, setTimeout): no Durable Object imports.

import { decodeFrames, encodeMessage, heartbeatReply, type Frame } from "./codec";
import { QuoteState, isDelayedMode, tickTimeMs, type QuoteEvent } from "./quote-state";

export { delaySeconds, isDelayedMode, tickTimeMs } from "./quote-state";

export type FeedState =
  | "idle"
  | "connecting"
  | "connected"
  | "streaming"
  | "backoff"
  | "refused"
  | "stopped";

export interface FeedStatus {
  state: FeedState;
  /**
   * Market time (ISO) of the last price: the feed's lp_time when present (local ms when it falls in the current
   * second), else receipt time, minus N s for a "delayed_streaming_N" mode. See tickTimeMs. Not monotonic.
   */
  lastTickAt: string | null;
  /** Wall-clock time (ISO) the last price was received. */
  lastTickReceivedAt: string | null;
  /**
   * Receipt time − market time of the last price, ms: how far the feed's market time is behind (about
   * 900 000 for "delayed_streaming_900", about 0 for real-time data; negative if lp_time is ahead of our clock).
   */
  marketLagMs: number | null;
  /**
   * Raw float as received (not rounded to the tick). Kept across reconnects for display only: a price to book
   * comes from livePrice() / waitForPrice().
   */
  lastPrice: number | null;
  updateMode: string | null;
  /** True when update_mode says delayed (e.g. "delayed_streaming_900"). */
  delayed: boolean;
  /** Connection attempts after the first one. */
  reconnects: number;
  /** Last problem (refusal, symbol error, disconnect reason...); null once prices flow again. */
  error: string | null;
}

export interface QuoteFeedOptions {
  /** http(s) URL of the quote socket, e.g. env.TV_WS_URL. ws(s):// is converted to http(s)://. */
  url: string;
  /** Feed symbol, sent verbatim, e.g. "CME_MINI:MNQ1!". */
  symbol: string;
  /** Called on every (re)connect. "unauthorized_user_token" when anonymous. */
  getAuthToken: () => Promise<string>;
  /**
   * A new last price. `price` is the raw float; `at` its market time (ISO; see tickTimeMs: lp_time, else receipt
   * time, minus N s in a "delayed_streaming_N" mode). Market time is reported as the feed says it and may go
   * backwards (a snapshot after reconnecting, a correction). `info` carries the receipt time. Exceptions are
   * swallowed.
   */
  onPrice: (price: number, at: string, info: PriceInfo) => void;
  /** Status changes (state, error, updateMode/delayed, reconnects); not called for every price. */
  onState?: (s: FeedStatus) => void;
  /** [0, 1) source for jitter and session ids. Default Math.random. */
  random?: () => number;
  /** Epoch ms clock. Default Date.now. */
  now?: () => number;
  /** No frame at all for this long -> the connection is dead. Default 30 000. */
  watchdogMs?: number;
  /** Backoff: base · 2^n with jitter, capped. Defaults 500 / 30 000. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** A connection that lived this long resets the backoff exponent. Default 60 000. */
  stableResetMs?: number;
  /** Abort an upgrade request that takes longer than this. Default 15 000. */
  connectTimeoutMs?: number;
  /** Fields for quote_set_fields. Default DEFAULT_QUOTE_FIELDS. */
  fields?: string[];
  userAgent?: string;
  /** Optional diagnostics sink. */
  log?: (msg: string) => void;
}

/** Extra facts about one received price (third argument of onPrice). */
export interface PriceInfo {
  /** Wall-clock receipt time, epoch ms. */
  receivedAtMs: number;
  /** receivedAtMs − market time, ms. */
  marketLagMs: number;
  /** The update mode in force for this price (null before the feed reported one). */
  updateMode: string | null;
  /** The packet carried lp_time (false: merged from an earlier packet, or none at all). */
  lpTimeInPacket: boolean;
}

/** A price the record may book: see QuoteFeed.livePrice(). */
export interface LivePrice {
  /** Raw float as received. */
  price: number;
  /** Market time, ISO. */
  at: string;
  /** Wall-clock receipt time, epoch ms. */
  receivedAtMs: number;
}

export const ANONYMOUS_TOKEN = "unauthorized_user_token";

export const DEFAULT_QUOTE_FIELDS = [
  "lp",
  "lp_time",
  "bid",
  "ask",
  "volume",
  "update_mode",
  "ch",
  "chp",
  "current_session",
  "status",
  "type",
  "description",
  "short_name",
  "pro_name",
  "currency_code",
  "minmov",
  "pricescale",
];

const DEFAULT_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

const AUTH_PROBLEM = /auth|token|unauthori[sz]ed|forbidden|permission|login|session expired/i;
const WS_OPEN = 1;

interface Waiter {
  resolve: (p: LivePrice | null) => void;
  timer: ReturnType<typeof setTimeout>;
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Turns ws:// / wss:// into http:// / https:// (fetch refuses ws schemes). */
export function toFetchUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//i, "http$1://");
}

export class QuoteFeed {
  private readonly o: Required<
    Omit<QuoteFeedOptions, "onState" | "log">
  > & Pick<QuoteFeedOptions, "onState" | "log">;
  private st: FeedStatus = {
    state: "idle",
    lastTickAt: null,
    lastTickReceivedAt: null,
    marketLagMs: null,
    lastPrice: null,
    updateMode: null,
    delayed: false,
    reconnects: 0,
    error: null,
  };
  private ws: WebSocket | null = null;
  /** Bumped on every connect/teardown: events of an older socket are ignored. */
  private gen = 0;
  private attempts = 0;
  private everAttempted = false;
  private connectedAt: number | null = null;
  private connectingSince: number | null = null;
  private lastFrameAt: number | null = null;
  /** The last price received on the CURRENT connection; cleared whenever the socket is dropped or replaced. */
  private connPrice: LivePrice | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectDueAt: number | null = null;
  private watchdogTimer: ReturnType<typeof setTimeout> | null = null;
  private waiters = new Set<Waiter>();
  private quotes = new QuoteState();
  private sessionId: string | null = null;
  private decoder = new TextDecoder();
  /** Frames that could not be decoded (diagnostics). */
  malformedFrames = 0;

  constructor(opts: QuoteFeedOptions) {
    this.o = {
      random: Math.random,
      now: Date.now,
      watchdogMs: 30_000,
      backoffBaseMs: 500,
      backoffCapMs: 30_000,
      stableResetMs: 60_000,
      connectTimeoutMs: 15_000,
      fields: DEFAULT_QUOTE_FIELDS,
      userAgent: DEFAULT_UA,
      ...opts,
    } as QuoteFeed["o"];
  }

  get symbol(): string {
    return this.o.symbol;
  }

  /** The current quote session id (`qs_...`), null when not connected. */
  get quoteSessionId(): string | null {
    return this.sessionId;
  }

  status(): FeedStatus {
    return { ...this.st };
  }

  /** Starts the feed. No-op while already running; restarts after stop() or a refusal (e.g. a new token). */
  start(): void {
    const s = this.st.state;
    if (s === "connecting" || s === "connected" || s === "streaming" || s === "backoff") return;
    this.attempts = 0;
    this.st.error = null;
    this.connectNow();
  }

  /** Tears the current connection down (with the teardown messages) and connects afresh, backoff reset. */
  restart(): void {
    this.closeSocket(true, "restart");
    this.clearReconnect();
    this.attempts = 0;
    this.st.error = null;
    this.connectNow();
  }

  /** Teardown: quote_remove_symbols + quote_delete_session, close; no reconnect until start(). */
  stop(): void {
    if (this.st.state === "stopped") return;
    this.closeSocket(true, "stop");
    this.clearReconnect();
    this.setState("stopped");
    this.resolveWaiters(null);
  }

  /**
   * For the Durable Object's alarm: reconnects if the socket is dead (closed, frozen past the watchdog, an
   * overdue backoff timer, a hung upgrade); no-op otherwise, and after stop() or a refusal.
   */
  ensureConnected(): void {
    try {
      const now = this.o.now();
      switch (this.st.state) {
        case "stopped":
        case "refused":
          return;
        case "idle":
          this.start();
          return;
        case "backoff":
          if (this.reconnectTimer && this.reconnectDueAt !== null && now < this.reconnectDueAt + 1000) return;
          this.clearReconnect();
          this.connectNow();
          return;
        case "connecting":
          if (this.connectingSince !== null && now - this.connectingSince > this.o.connectTimeoutMs * 2) {
            this.reconnect("connect attempt hung");
          }
          return;
        case "connected":
        case "streaming":
          if (!this.ws || this.ws.readyState !== WS_OPEN) {
            this.reconnect("socket dead");
          } else if (this.lastFrameAt !== null && now - this.lastFrameAt > this.o.watchdogMs) {
            this.reconnect(`no frame for ${now - this.lastFrameAt} ms`);
          }
          return;
      }
    } catch (e) {
      this.log(`ensureConnected: ${errText(e)}`);
    }
  }

  /**
   * The last price, only while the feed is live (CONTRACT "Fresh feed prices only"): the socket is open, the
   * state is connected/streaming, a price arrived on the current connection (not before a reconnect, restart
   * or stop), and some frame (heartbeat or data) arrived within watchdogMs. Otherwise null: a remembered price
   * from an earlier connection or an idle/frozen feed is never offered.
   */
  livePrice(): LivePrice | null {
    const p = this.connPrice;
    if (!p) return null;
    const s = this.st.state;
    if (s !== "connected" && s !== "streaming") return null;
    if (!this.ws || this.ws.readyState !== WS_OPEN) return null;
    if (this.lastFrameAt === null || this.o.now() - this.lastFrameAt > this.o.watchdogMs) return null;
    return { ...p };
  }

  /**
   * Resolves with a live price: livePrice() at once if there is one (unless `fresh`), else the next price
   * received after this call, within `ms` (on this connection or, after a reconnect, on the new one: never one
   * received before the call). With `fresh`, only a price received after the call. null on timeout, stop() or
   * refusal. Does not start the feed.
   */
  waitForLivePrice(ms: number, opts: { fresh?: boolean } = {}): Promise<LivePrice | null> {
    if (!opts.fresh) {
      const live = this.livePrice();
      if (live) return Promise.resolve(live);
    }
    if (this.st.state === "stopped" || this.st.state === "refused") return Promise.resolve(null);
    return new Promise((resolve) => {
      const w: Waiter = {
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          resolve(null);
        }, Math.max(0, ms)),
      };
      this.waiters.add(w);
    });
  }

  /** waitForLivePrice, price only. */
  async waitForPrice(ms: number, opts: { fresh?: boolean } = {}): Promise<number | null> {
    const p = await this.waitForLivePrice(ms, opts);
    return p ? p.price : null;
  }

  // ---------------------------------------------------------------------------------------------------------

  private log(msg: string): void {
    try {
      this.o.log?.(`[feed ${this.o.symbol}] ${msg}`);
    } catch {
      /* ignore */
    }
  }

  private emitState(): void {
    try {
      this.o.onState?.(this.status());
    } catch (e) {
      this.log(`onState threw: ${errText(e)}`);
    }
  }

  private setState(state: FeedState, error?: string | null): void {
    const changed = this.st.state !== state || (error !== undefined && error !== this.st.error);
    this.st.state = state;
    if (error !== undefined) this.st.error = error;
    if (changed) this.emitState();
  }

  private resolveWaiters(price: LivePrice | null): void {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      try {
        w.resolve(price && { ...price });
      } catch {
        /* ignore */
      }
    }
    this.waiters.clear();
  }

  private connectNow(): void {
    this.connect().catch((e) => {
      this.log(`connect crashed: ${errText(e)}`);
    });
  }

  private async connect(): Promise<void> {
    this.closeSocket(false);
    const gen = ++this.gen;
    if (this.everAttempted) this.st.reconnects++;
    this.everAttempted = true;
    this.connectingSince = this.o.now();
    this.setState("connecting");

    let token: string;
    try {
      token = await this.o.getAuthToken();
      if (typeof token !== "string" || token === "") throw new Error("empty token");
    } catch (e) {
      if (gen === this.gen) this.reconnect(`auth token unavailable: ${errText(e)}`);
      return;
    }
    if (gen !== this.gen) return;

    const ctrl = new AbortController();
    const timeout = setTimeout(() => ctrl.abort(), this.o.connectTimeoutMs);
    let resp: Response;
    try {
      resp = await fetch(toFetchUrl(this.o.url), {
        headers: {
          Upgrade: "websocket",
          Origin: "https://www.tradingview.com",
          "User-Agent": this.o.userAgent,
          "Cache-Control": "no-cache",
          Pragma: "no-cache",
        },
        signal: ctrl.signal,
      });
    } catch (e) {
      if (gen === this.gen) this.reconnect(`connect failed: ${errText(e)}`);
      return;
    } finally {
      clearTimeout(timeout);
    }

    const ws = resp.webSocket;
    if (gen !== this.gen) {
      // Stopped or superseded while the upgrade was in flight.
      if (ws) {
        try {
          ws.accept();
          ws.close(1000, "superseded");
        } catch {
          /* ignore */
        }
      }
      return;
    }
    if (!ws) {
      try {
        await resp.body?.cancel();
      } catch {
        /* ignore */
      }
      if (gen !== this.gen) return;
      if (resp.status === 401 || resp.status === 403) {
        this.refuse(`upgrade refused: HTTP ${resp.status}`);
      } else if (resp.status === 429) {
        this.reconnect("rate limited: HTTP 429 on upgrade");
      } else {
        this.reconnect(`upgrade failed: HTTP ${resp.status}`);
      }
      return;
    }

    try {
      ws.accept();
    } catch (e) {
      this.reconnect(`accept failed: ${errText(e)}`);
      return;
    }
    this.ws = ws;
    this.connectingSince = null;
    this.connectedAt = this.o.now();
    this.lastFrameAt = this.connectedAt;
    ws.addEventListener("message", (ev) => {
      try {
        this.onMessage(gen, ev.data);
      } catch (e) {
        this.log(`message handler: ${errText(e)}`);
      }
    });
    ws.addEventListener("close", (ev) => {
      try {
        this.onSocketGone(gen, `closed by server (code ${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`);
      } catch (e) {
        this.log(`close handler: ${errText(e)}`);
      }
    });
    ws.addEventListener("error", (ev) => {
      try {
        const msg = (ev as unknown as { message?: string }).message;
        this.onSocketGone(gen, `socket error${msg ? `: ${msg}` : ""}`);
      } catch (e) {
        this.log(`error handler: ${errText(e)}`);
      }
    });
    this.setState("connected");
    this.armWatchdog(gen);
    this.subscribe(token);
  }

  private subscribe(token: string): void {
    const qs = `qs_${this.randomId(12)}`;
    this.sessionId = qs;
    this.quotes = new QuoteState([this.o.symbol]);
    const sym = this.o.symbol;
    this.send(encodeMessage("set_auth_token", [token]));
    this.send(encodeMessage("quote_create_session", [qs]));
    this.send(encodeMessage("quote_set_fields", [qs, ...this.o.fields]));
    this.send(encodeMessage("quote_add_symbols", [qs, sym, { flags: ["force_permission"] }]));
    this.send(encodeMessage("quote_fast_symbols", [qs, sym]));
  }

  private randomId(n: number): string {
    const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let s = "";
    for (let i = 0; i < n; i++) {
      const r = this.o.random();
      s += abc[Math.min(abc.length - 1, Math.max(0, Math.floor(r * abc.length)))];
    }
    return s;
  }

  private send(text: string): boolean {
    const ws = this.ws;
    if (!ws) return false;
    try {
      ws.send(text);
      return true;
    } catch (e) {
      this.log(`send failed: ${errText(e)}`);
      return false;
    }
  }

  private armWatchdog(gen: number): void {
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => {
      this.watchdogTimer = null;
      try {
        if (gen === this.gen && this.ws) this.reconnect(`no frame for ${this.o.watchdogMs} ms (watchdog)`);
      } catch (e) {
        this.log(`watchdog: ${errText(e)}`);
      }
    }, this.o.watchdogMs);
  }

  private onMessage(gen: number, data: unknown): void {
    if (gen !== this.gen) return;
    this.lastFrameAt = this.o.now();
    this.armWatchdog(gen);
    let text: string;
    if (typeof data === "string") text = data;
    else if (data instanceof ArrayBuffer) text = this.decoder.decode(data);
    else if (ArrayBuffer.isView(data)) text = this.decoder.decode(data);
    else return;
    for (const f of decodeFrames(text)) {
      if (gen !== this.gen) return; // a frame caused a teardown: drop the rest of this socket's batch
      try {
        this.onFrame(f);
      } catch (e) {
        this.log(`frame handler: ${errText(e)}`);
      }
    }
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case "heartbeat":
        // An unanswered heartbeat gets us dropped by the server: treat a failed reply as a dead socket.
        if (!this.send(heartbeatReply(f))) this.reconnect("heartbeat reply failed");
        return;
      case "hello":
        return;
      case "malformed":
        this.malformedFrames++;
        this.log(`malformed frame (${f.reason}): ${f.raw.slice(0, 120)}`);
        return;
      case "message":
        break;
    }
    const { m, p } = f;
    // Messages for another (older) quote session are ignored.
    if ((m === "qsd" || m === "quote_completed") && p[0] !== this.sessionId) return;
    switch (m) {
      case "qsd":
        this.onEvents(this.quotes.applyQsd(p));
        return;
      case "quote_completed":
        this.onEvents(this.quotes.applyCompleted(p));
        return;
      case "protocol_error":
      case "critical_error": {
        const text = p.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ");
        const reason = `${m}: ${text}`;
        if (AUTH_PROBLEM.test(text)) this.refuse(reason);
        else this.reconnect(reason);
        return;
      }
      default:
        return;
    }
  }

  private onEvents(events: QuoteEvent[]): void {
    for (const ev of events) {
      if (ev.symbol !== this.o.symbol) continue;
      switch (ev.type) {
        case "price": {
          const now = this.o.now();
          const updateMode = ev.updateMode ?? this.st.updateMode;
          const marketMs = tickTimeMs(ev.lpTime, now, updateMode);
          const at = new Date(marketMs).toISOString();
          const live: LivePrice = { price: ev.price, at, receivedAtMs: now };
          this.connPrice = live;
          this.st.lastPrice = ev.price;
          this.st.lastTickAt = at;
          this.st.lastTickReceivedAt = new Date(now).toISOString();
          this.st.marketLagMs = now - marketMs;
          this.attemptsResetIfStable(now);
          this.setState("streaming", null);
          try {
            this.o.onPrice(ev.price, at, { receivedAtMs: now, marketLagMs: now - marketMs, updateMode, lpTimeInPacket: ev.lpTimeInPacket });
          } catch (e) {
            this.log(`onPrice threw: ${errText(e)}`);
          }
          this.resolveWaiters(live);
          break;
        }
        case "status":
          if (ev.status === "error") {
            this.st.error = `symbol error: ${ev.errmsg ?? "error"}`;
            this.emitState();
          } else if (this.st.error?.startsWith("symbol error")) {
            this.st.error = null;
            this.emitState();
          }
          break;
        case "update_mode":
          this.st.updateMode = ev.updateMode;
          this.st.delayed = isDelayedMode(ev.updateMode);
          this.emitState();
          break;
        case "completed":
          break;
      }
    }
  }

  private attemptsResetIfStable(now: number): void {
    if (this.connectedAt !== null && now - this.connectedAt >= this.o.stableResetMs) this.attempts = 0;
  }

  private onSocketGone(gen: number, reason: string): void {
    if (gen !== this.gen) return;
    this.ws = null;
    this.reconnect(reason);
  }

  /** Drops the current socket (if any) and schedules a reconnect with backoff. */
  private reconnect(reason: string): void {
    const s = this.st.state;
    if (s === "stopped" || s === "refused") return;
    this.attemptsResetIfStable(this.o.now());
    this.closeSocket(false);
    this.clearReconnect();
    const exp = Math.min(this.o.backoffCapMs, this.o.backoffBaseMs * 2 ** this.attempts);
    this.attempts = Math.min(this.attempts + 1, 30);
    const delay = Math.round(exp / 2 + this.o.random() * (exp / 2));
    this.log(`reconnect in ${delay} ms: ${reason}`);
    this.reconnectDueAt = this.o.now() + delay;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnectDueAt = null;
      if (this.st.state === "backoff") this.connectNow();
    }, delay);
    this.setState("backoff", reason);
  }

  /** The server refused our credentials: stop, and do not retry until start()/restart(). */
  private refuse(reason: string): void {
    this.log(`refused: ${reason}`);
    this.closeSocket(false);
    this.clearReconnect();
    this.setState("refused", reason);
    this.resolveWaiters(null);
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.reconnectDueAt = null;
  }

  /** Closes the current socket; with `teardown`, first removes the symbol and deletes the quote session. */
  private closeSocket(teardown: boolean, reason = "reconnect"): void {
    this.gen++;
    this.connPrice = null; // a price is live only on the connection that received it
    if (this.watchdogTimer) clearTimeout(this.watchdogTimer);
    this.watchdogTimer = null;
    const ws = this.ws;
    this.ws = null;
    this.connectedAt = null;
    this.connectingSince = null;
    if (!ws) {
      this.sessionId = null;
      return;
    }
    try {
      if (teardown && this.sessionId && ws.readyState === WS_OPEN) {
        ws.send(encodeMessage("quote_remove_symbols", [this.sessionId, this.o.symbol]));
        ws.send(encodeMessage("quote_delete_session", [this.sessionId]));
      }
    } catch {
      /* ignore */
    }
    this.sessionId = null;
    try {
      ws.close(1000, reason);
    } catch {
      /* already closed */
    }
  }
}
