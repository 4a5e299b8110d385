// The pushed feed of open positions: one WebSocket to GET /api/live (src/api/routes/live.ts, the LiveHub Durable
// Object), so an open dashboard costs the symbol objects nothing per second — the hub hears each change once and
// fans it out to every socket.
//
// Protocol (src/api/types.ts, "live updates"):
//   - auth: the token cannot go in a header (browsers' WebSocket has none), and a URL would be logged, so it rides
//     in the subprotocol list: `recorder-live` and `auth.<base64url(token), no padding>`; the server answers
//     `recorder-live`. A wrong token is refused before the upgrade (the page only sees the socket fail).
//   - server → client: `snapshot` (every open position and each active symbol's feed) right after connecting, then
//     `symbol` (one symbol's open positions and feed: replace that symbol's list) whenever they change.
//   - client → server: the text `ping` every 30 s; the hub answers `pong` without waking (hibernation). A socket
//     that has heard nothing (no pong either) for 75 s is taken for dead and reopened.
// On close or failure (or no snapshot 10 s after opening) it reconnects with backoff (1 s, 2 s, 4 s … 30 s, each
// jittered between half and one and a half of it); the screen polls meanwhile.
import { config, LIVE_AUTH_PREFIX, LIVE_SUBPROTOCOL, type LiveMessage } from "./api";

const PING_MS = 30_000;
const SILENT_MS = 75_000;
/** An open socket whose snapshot has not come within this is given up (and retried). */
const SNAPSHOT_MS = 10_000;
const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

export type LiveState = "live" | "down";

export interface LiveHandlers {
  /** A parsed `snapshot` or `symbol` message. */
  onMessage(msg: LiveMessage): void;
  /** `live` once the snapshot has arrived; `down` when the socket failed or closed (a retry is scheduled). */
  onState(state: LiveState): void;
}

export interface LiveConnection {
  close(): void;
}

/** ws(s)://<API origin>/api/live: the API's origin (sign-in field / VITE_API_ORIGIN) or this page's. */
export function liveUrl(): string {
  const u = new URL("/api/live", config.apiOrigin() || location.origin);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

/** `auth.` + the token's UTF-8 bytes in base64url without padding (a subprotocol must be an HTTP token). */
export function authProtocol(token: string): string {
  const bytes = new TextEncoder().encode(token);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `${LIVE_AUTH_PREFIX}${btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** A message from the hub, or null for anything else (`pong`, an unknown type, malformed JSON). */
export function parseLiveMessage(data: unknown): LiveMessage | null {
  if (typeof data !== "string" || data === "pong") return null;
  try {
    const m = JSON.parse(data) as Partial<LiveMessage> | null;
    if (m?.type === "snapshot" && Array.isArray(m.positions) && Array.isArray(m.feeds)) return m as LiveMessage;
    if (m?.type === "symbol" && typeof m.feedSymbol === "string" && Array.isArray(m.positions)) return m as LiveMessage;
  } catch {
    /* not JSON */
  }
  return null;
}

/** Opens the socket and keeps it open (reconnecting with backoff) until close(). */
export function connectLive(handlers: LiveHandlers): LiveConnection {
  let ws: WebSocket | null = null;
  let closed = false;
  let attempt = 0;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let waiting: ReturnType<typeof setTimeout> | undefined;
  let heardAt = 0;

  const stopTimers = () => {
    clearTimeout(retry);
    clearTimeout(waiting);
    clearInterval(ping);
  };

  const fail = (sock: WebSocket) => {
    if (sock !== ws) return; // an old socket's late event
    ws = null;
    stopTimers();
    try {
      sock.close();
    } catch {
      /* already closing */
    }
    if (closed) return;
    handlers.onState("down");
    const base = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)];
    attempt++;
    retry = setTimeout(open, base / 2 + Math.random() * base);
  };

  function open(): void {
    const token = config.token();
    if (closed || !token) return;
    let sock: WebSocket;
    try {
      sock = new WebSocket(liveUrl(), [LIVE_SUBPROTOCOL, authProtocol(token)]);
    } catch {
      // a malformed API origin: stay on polling, try again later
      ws = null;
      handlers.onState("down");
      retry = setTimeout(open, BACKOFF_MS.at(-1));
      return;
    }
    ws = sock;
    heardAt = Date.now();
    sock.onmessage = (ev) => {
      if (sock !== ws) return;
      heardAt = Date.now();
      const msg = parseLiveMessage(ev.data);
      if (!msg) return;
      if (msg.type === "snapshot") {
        clearTimeout(waiting);
        attempt = 0;
        handlers.onState("live");
      }
      handlers.onMessage(msg);
    };
    sock.onopen = () => {
      if (sock !== ws) return;
      if (sock.protocol !== LIVE_SUBPROTOCOL) return fail(sock); // not our server (a proxy answering something else)
      waiting = setTimeout(() => fail(sock), SNAPSHOT_MS);
      ping = setInterval(() => {
        if (Date.now() - heardAt > SILENT_MS) return fail(sock);
        try {
          sock.send("ping");
        } catch {
          fail(sock);
        }
      }, PING_MS);
    };
    sock.onerror = () => fail(sock);
    sock.onclose = () => fail(sock);
  }

  open();
  return {
    close() {
      closed = true;
      stopTimers();
      const sock = ws;
      ws = null;
      sock?.close(1000, "bye");
    },
  };
}
