// The one live hub (`liveHubStub(env)`): every open dashboard's WebSocket (GET /api/live), fanned in, so the
// symbol objects' work does not grow with the number of dashboards. Hibernatable: the sockets are the platform's
// (acceptWebSocket), `ping` is answered `pong` by the platform without waking the hub, and nothing kept in memory
// here is needed for correctness (a cache of what was sent, and a snapshot being built, which only live while a
// request is running).
//
// - A dashboard connects (fetch, the Worker checked the token): the hub builds a snapshot — the directory's
//   active symbols and each one's state, asking each symbol object to watch(until) (a lease: it publishes while
//   `now < until`) and telling the directory too, whose reply to a symbol's setActive(true) then carries the
//   lease (a symbol that becomes active while dashboards watch publishes from its first position, without one
//   more request on the signal's path). Dashboards connecting together share one build.
// - A symbol object publishes a change (publish(update)): sent to every socket as a `symbol` message, one JSON
//   text for all; the answer says whether anyone listens (if not, the symbol drops its lease early).
// - While it has sockets, the alarm renews the leases every ~20 s (60 s leases): one directory call and one call
//   per active symbol, never per dashboard. Each renewal's answer is sent on as `symbol` messages too, which heals
//   a publish that was lost. With no socket left, nothing is renewed and the leases lapse.
//
// Ordering: a symbol's updates carry an increasing `seq`. Publishes that arrive while a snapshot is being built
// are kept, and the newer of them and the symbol's watch() answer goes into the snapshot: the snapshot is never
// older than a change the hub has seen, and a socket gets no `symbol` message before its snapshot (it is accepted
// in the same synchronous step that sends the snapshot).
import { DurableObject } from "cloudflare:workers";
import { LIVE_SUBPROTOCOL, type ApiPosition, type LiveSnapshotMessage, type LiveSymbolMessage } from "../api/types";
import { errorBody } from "../lib/errors";
import type { SymbolLive } from "./protocol";
import { directoryStub, symbolStub } from "./stubs";

/** How long one lease lasts, and how often the hub renews it while it has sockets. */
export const LIVE_LEASE_MS = 60_000;
export const LIVE_RENEW_MS = 20_000;
/** A renewal that failed is tried again this soon. */
const RENEW_RETRY_MS = 5_000;

interface Build {
  /** Publishes received while the build runs, the newest per symbol. */
  log: Map<string, SymbolLive>;
  /** Sockets to accept, with the snapshot, when it is ready. */
  waiters: WebSocket[];
  done: Promise<void>;
}

export class LiveHub extends DurableObject<Env> {
  /** Seams for tests (test subclass): lease and renewal period. */
  protected leaseMs = LIVE_LEASE_MS;
  protected renewEveryMs = LIVE_RENEW_MS;
  private build: Build | null = null;
  /** The newest seq sent per symbol (a cache: lost on hibernation, then the next update is simply sent). */
  private readonly sentSeq = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keepalives are answered by the platform, without waking the hub.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** A dashboard's WebSocket upgrade, forwarded by the Worker once it checked the admin token. */
  override async fetch(req: Request): Promise<Response> {
    if (req.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(errorBody({ code: "upgrade_required", message: "Connect with a WebSocket." }), { status: 426 });
    }
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    try {
      await this.join(server);
    } catch (err) {
      console.warn(`live: snapshot failed, connection refused: ${String(err)}`);
      return Response.json(errorBody({ code: "internal_error", message: "Temporary server error; connect again." }), { status: 503 });
    }
    await this.keepRenewing();
    return new Response(null, { status: 101, webSocket: client, headers: { "Sec-WebSocket-Protocol": LIVE_SUBPROTOCOL } });
  }

  /** A symbol object's change. Returns whether anyone listens (an open socket, or one being connected). */
  async publish(update: SymbolLive): Promise<boolean> {
    const building = this.build;
    if (building) keepNewest(building.log, update);
    const sockets = this.ctx.getWebSockets();
    if (sockets.length > 0) this.broadcast(sockets, update);
    return sockets.length > 0 || building !== null;
  }

  override async alarm(): Promise<void> {
    // No dashboard left: nothing renewed, the symbols' leases lapse by themselves.
    if (this.ctx.getWebSockets().length === 0) return;
    try {
      const states = await this.watchAll();
      const sockets = this.ctx.getWebSockets();
      for (const s of states) if (sockets.length > 0) this.broadcast(sockets, s);
    } catch (err) {
      console.warn(`live: lease renewal failed, retried in ${RENEW_RETRY_MS / 1000} s: ${String(err)}`);
      await this.ctx.storage.setAlarm(Date.now() + RENEW_RETRY_MS);
      return;
    }
    await this.ctx.storage.setAlarm(Date.now() + this.renewEveryMs);
  }

  // Dashboards have nothing to say (ping is answered by the platform): other messages are ignored.
  override async webSocketMessage(): Promise<void> {}

  override async webSocketClose(ws: WebSocket): Promise<void> {
    try {
      ws.close();
    } catch {
      // already closed
    }
  }

  override async webSocketError(): Promise<void> {}

  // --- internals ----------------------------------------------------------------------------------------

  /** Sends one symbol's state to every socket, unless a newer one of that symbol was sent already. */
  private broadcast(sockets: WebSocket[], update: SymbolLive): void {
    if (update.seq <= (this.sentSeq.get(update.feedSymbol) ?? -Infinity)) return;
    this.sentSeq.set(update.feedSymbol, update.seq);
    const message: LiveSymbolMessage = { type: "symbol", feedSymbol: update.feedSymbol, positions: update.positions, feed: update.feed, at: update.at };
    const text = JSON.stringify(message);
    for (const ws of sockets) {
      try {
        ws.send(text);
      } catch {
        // closing: its close event removes it
      }
    }
  }

  /** Renews every lease (the directory's and each active symbol's) and returns the symbols' states. (Protected:
   * a test subclass holds it to race publishes against a snapshot.) */
  protected async watchAll(): Promise<SymbolLive[]> {
    const until = Date.now() + this.leaseMs;
    const active = await directoryStub(this.env).watch(until);
    // One symbol object failing must not take every dashboard down: the others are listed, it is retried at the
    // next renewal (its own lease lapses meanwhile, so it publishes nothing until then).
    const settled = await Promise.allSettled(active.map((s) => symbolStub(this.env, s).watch(until) as Promise<SymbolLive>));
    const states: SymbolLive[] = [];
    settled.forEach((r, i) => {
      if (r.status === "rejected") return console.warn(`live: ${active[i]} did not answer watch: ${String(r.reason)}`);
      // An object that never learned its name (cannot happen for a listed symbol) still answers under it.
      const s = r.value;
      states.push(s.feedSymbol ? s : { ...s, feedSymbol: active[i], feed: { ...s.feed, feedSymbol: active[i] } });
    });
    return states;
  }

  /** Joins the snapshot being built (or starts one); resolves once `ws` is accepted and has its snapshot. */
  private join(ws: WebSocket): Promise<void> {
    const build = this.build ?? this.startBuild();
    build.waiters.push(ws);
    return build.done;
  }

  private startBuild(): Build {
    const build: Build = { log: new Map(), waiters: [], done: Promise.resolve() };
    this.build = build;
    build.done = this.runBuild(build);
    return build;
  }

  private async runBuild(build: Build): Promise<void> {
    let states: SymbolLive[];
    try {
      states = await this.watchAll();
    } finally {
      // From here on, one synchronous step: nothing else runs until the sockets are accepted with their snapshot.
      if (this.build === build) this.build = null;
    }
    const latest = new Map<string, SymbolLive>();
    for (const s of states) keepNewest(latest, s);
    for (const s of build.log.values()) keepNewest(latest, s);
    const text = JSON.stringify(snapshotOf([...latest.values()]));
    for (const ws of build.waiters) {
      this.ctx.acceptWebSocket(ws);
      ws.send(text);
    }
  }

  /** The renewal alarm runs while the hub has sockets (it stops itself when none is left). */
  private async keepRenewing(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.renewEveryMs);
  }
}

function keepNewest(map: Map<string, SymbolLive>, s: SymbolLive): void {
  const prev = map.get(s.feedSymbol);
  if (!prev || s.seq > prev.seq) map.set(s.feedSymbol, s);
}

/** Every symbol with open positions: its positions (all of them newest first, as GET /api/positions) and feed. */
function snapshotOf(states: SymbolLive[]): LiveSnapshotMessage {
  const withPositions = states.filter((s) => s.positions.length > 0).sort((a, b) => a.feedSymbol.localeCompare(b.feedSymbol));
  const positions: ApiPosition[] = withPositions.flatMap((s) => s.positions).sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  return { type: "snapshot", positions, feeds: withPositions.map((s) => s.feed), at: new Date().toISOString() };
}
