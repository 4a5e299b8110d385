// Helpers for the live-dashboard tests (GET /api/live): a WebSocket client as the dashboard opens it, and the
// test subclasses' hooks (test/worker.ts) on the live hub and the symbol objects.
import { env, exports } from "cloudflare:workers";
import { waitFor } from "../feed/helpers";
import { ADMIN, symbolStub } from "../helpers";
import type { LiveMessage, LiveSnapshotMessage, LiveSymbolMessage } from "../../src/api/types";

const LIVE_URL = "http://recorder.test/api/live";

/** `auth.` + base64url(UTF-8 token), no padding: as the dashboard offers it. */
export function authProtocol(token: string): string {
  let bin = "";
  for (const b of new TextEncoder().encode(token)) bin += String.fromCharCode(b);
  return `auth.${btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** The upgrade request as a browser sends it (subprotocols only: a browser's WebSocket has no other header). */
export function upgrade(protocols: string[] | null, headers: Record<string, string> = {}): Promise<Response> {
  return exports.default.fetch(LIVE_URL, {
    headers: { Upgrade: "websocket", ...(protocols ? { "Sec-WebSocket-Protocol": protocols.join(", ") } : {}), ...headers },
  });
}

/** An open live socket and everything it received, parsed. */
export class LiveClient {
  readonly messages: LiveMessage[] = [];
  readonly texts: string[] = [];
  closed = false;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      const text = typeof e.data === "string" ? e.data : "";
      this.texts.push(text);
      if (text.startsWith("{")) this.messages.push(JSON.parse(text) as LiveMessage);
    });
    ws.addEventListener("close", () => (this.closed = true));
    ws.accept();
  }

  snapshot(): LiveSnapshotMessage | undefined {
    return this.messages.find((m): m is LiveSnapshotMessage => m.type === "snapshot");
  }

  /** `symbol` messages of a feed symbol, in arrival order. */
  updates(feedSymbol: string): LiveSymbolMessage[] {
    return this.messages.filter((m): m is LiveSymbolMessage => m.type === "symbol" && m.feedSymbol === feedSymbol);
  }

  /** The first `symbol` message of the feed symbol (after `after` of them) that satisfies `pred`. */
  async update(feedSymbol: string, pred: (m: LiveSymbolMessage) => boolean, label: string, after = 0): Promise<LiveSymbolMessage> {
    return waitFor(() => this.updates(feedSymbol).slice(after).find(pred), 15_000, label);
  }

  async snapshotReady(): Promise<LiveSnapshotMessage> {
    return waitFor(() => this.snapshot(), 15_000, "snapshot");
  }

  close(): void {
    try {
      this.ws.close(1000, "done");
    } catch {
      // already closed
    }
  }
}

/** Connects as the dashboard does and waits for the snapshot. */
export async function connect(): Promise<LiveClient> {
  const res = await upgrade(["recorder-live", authProtocol(ADMIN)]);
  if (res.status !== 101 || !res.webSocket) throw new Error(`GET /api/live -> ${res.status} ${await res.text()}`);
  const client = new LiveClient(res.webSocket);
  await client.snapshotReady();
  return client;
}

/** The live hub's test hooks (TestLiveHub). */
export interface HubRpc {
  publishCount(feedSymbol: string): Promise<number>;
  resetPublishCount(feedSymbol: string): Promise<void>;
  socketCount(): Promise<number>;
  setRenewEvery(ms: number): Promise<void>;
  renewNow(): Promise<void>;
  holdSnapshots(): Promise<void>;
  heldSnapshots(): Promise<number>;
  releaseSnapshots(): Promise<void>;
}

export function hub(): HubRpc {
  return env.LIVE.getByName("live") as unknown as HubRpc;
}

/** A symbol object's live test hooks (TestSymbolObject). */
export interface LiveSymbolRpc {
  tick(price: number, at?: string): Promise<void>;
  rpcCounts(): Promise<Record<string, number>>;
  resetRpcCounts(): Promise<void>;
  setLiveClock(ms: number | null): Promise<void>;
  advanceLiveClock(ms: number): Promise<void>;
  liveInfo(): Promise<{ watching: boolean; pending: boolean; manualTimers: number }>;
}

export function liveSymbol(feedSymbol: string): LiveSymbolRpc {
  return symbolStub(feedSymbol) as unknown as LiveSymbolRpc;
}

/** Until the hub has seen `n` sockets (a close reaches it asynchronously). */
export async function hubSockets(n: number): Promise<void> {
  await waitFor(async () => (await hub().socketCount()) === n, 15_000, `${n} sockets at the hub`);
}
