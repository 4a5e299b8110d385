// A protocol-faithful fake of TradingView's quote WebSocket (wss://data.tradingview.com/socket.io/websocket),
// plus an HTTP control API on the same port so tests running inside workerd can drive it with fetch.
// Plain Node ESM; `ws` is loaded with createRequire (a plain ESM import resolves its browser build).
//
// All test files share one server: every control call can be scoped by `symbol` (connections that subscribed
// that exact string), `tag` (the `tag` query parameter of the socket URL) or `token`. Connection-scoped knobs
// come from the socket URL's query string, so concurrent tests never change each other's settings:
//   ?tag=NAME        label the connection (filter for /control/state, drop, silence...)
//   ?hb=MS           heartbeat interval for this connection (default: config.heartbeatMs)
//   ?reject=STATUS   refuse the upgrade with this HTTP status (401, 403, 429...)
//   ?rejectTimes=N   ...only for the first N upgrades carrying this tag (default: always)
//
// Delayed data: `delaySeconds` (config, per symbol `{ "SYM": N }` or global `globalDelaySeconds: N`, or
// POST /control/delay {symbol?, seconds}) makes the server report `update_mode: "delayed_streaming_<N>"` for that
// symbol (whatever the token) and stamp every `lp_time` it chooses itself N seconds behind wall time, as
// TradingView's delayed CME data does. A change is pushed at once (a qsd delta with the new update_mode) to open
// sessions of the affected symbols. `seconds: null` removes it. Without it, anonymous connections still get
// "delayed_streaming_900" with a current lp_time (and `delayedSymbols` forces that mode), as before.
//
// lp_time: a tick's `time` (epoch s / ms / ISO) is sent only when it changed (TradingView sends deltas);
// `lpTime: <epoch seconds>` is sent verbatim in that packet even when unchanged; `lpTime: null` sends the price
// with NO lp_time and makes later snapshots of the symbol omit lp_time too (until a tick sets one again).
//
// Prices: a snapshot carries `lp` only for a symbol whose price was set (control tick / config.prices), so tests
// that drive a Durable Object's tick() directly never see a price they did not ask for. `inventPrices`
// (symbol prefixes, "" = all) gives other symbols a realistic starting price, as feed-sim does.
//
// Login (the www.tradingview.com home page, for the session-cookie -> auth-token exchange): GET / with a
// `Cookie: sessionid=...; sessionid_sign=...` of a configured session (config.sessions) answers HTML holding
// `"auth_token":"<JWT>"` (after `redirects` hops of 302, if configured); any other GET / is the status page,
// which holds no token, like a logged-out home page. A session's JWT is minted on first use (exp = now + ttlSec)
// and becomes a valid quote token (or a refused one with `refused: true`). `/control/sessions` lists the tokens.
import { createRequire } from "node:module";
import http from "node:http";
import { randomBytes } from "node:crypto";

const require = createRequire(import.meta.url);
const { WebSocketServer } = require("ws");

const WS_PATH = "/socket.io/websocket";
const ANON = "unauthorized_user_token";

// ---- framing (same rules as src/feed/codec.ts: length = JS string length, parse by declared length) ----
export function frame(payload) {
  return `~m~${payload.length}~m~${payload}`;
}
export function frameMessage(m, p, extra) {
  return frame(JSON.stringify({ m, p, ...(extra ?? {}) }));
}
export function parseFrames(data) {
  const out = [];
  let i = 0;
  const header = /~m~(\d{1,9})~m~/y;
  while (i < data.length) {
    header.lastIndex = i;
    const h = header.exec(data);
    if (!h) {
      out.push({ type: "malformed", raw: data.slice(i) });
      break;
    }
    const start = i + h[0].length;
    const len = Number(h[1]);
    if (start + len > data.length) {
      out.push({ type: "malformed", raw: data.slice(i) });
      break;
    }
    const payload = data.slice(start, start + len);
    i = start + len;
    if (payload.startsWith("~h~")) {
      out.push({ type: "heartbeat", payload });
      continue;
    }
    try {
      const v = JSON.parse(payload);
      if (v && typeof v === "object" && typeof v.m === "string") out.push({ type: "message", m: v.m, p: Array.isArray(v.p) ? v.p : [] });
      else out.push({ type: "malformed", raw: payload });
    } catch {
      out.push({ type: "malformed", raw: payload });
    }
  }
  return out;
}

// ---- instruments: realistic starting prices and ticks by root ----
export const ROOTS = {
  NQ: { price: 25600, tick: 0.25 },
  MNQ: { price: 25600, tick: 0.25 },
  ES: { price: 6850, tick: 0.25 },
  MES: { price: 6850, tick: 0.25 },
  YM: { price: 47500, tick: 1 },
  MYM: { price: 47500, tick: 1 },
  RTY: { price: 2450, tick: 0.1 },
  M2K: { price: 2450, tick: 0.1 },
  CL: { price: 62.5, tick: 0.01 },
  MCL: { price: 62.5, tick: 0.01 },
  GC: { price: 4050, tick: 0.1 },
  MGC: { price: 4050, tick: 0.1 },
  SI: { price: 48.5, tick: 0.005 },
  "6E": { price: 1.16, tick: 0.00005 },
  ZB: { price: 117, tick: 0.03125 },
  ZN: { price: 112.5, tick: 0.015625 },
};

/** Root of a feed symbol: "CME_MINI:MNQ1!" -> "MNQ", "CME_MINI:MNQZ2025" -> "MNQ"; null if unknown. */
export function rootOf(symbol) {
  let s = String(symbol);
  if (s.startsWith("=")) {
    try {
      s = JSON.parse(s.slice(1)).symbol ?? "";
    } catch {
      return null;
    }
  }
  const ticker = s.includes(":") ? s.slice(s.indexOf(":") + 1) : s;
  const m = /^([A-Z0-9]+?)(?:\d{1,2}!|[FGHJKMNQUVXZ]\d{1,4})$/.exec(ticker);
  const root = m ? m[1] : ticker;
  return ROOTS[root] ? root : null;
}
export function instrumentOf(symbol) {
  const r = rootOf(symbol);
  return r ? ROOTS[r] : { price: 100, tick: 0.01 };
}

function isWellFormedSymbol(sym) {
  if (typeof sym !== "string") return false;
  if (sym.startsWith("=")) {
    try {
      const o = JSON.parse(sym.slice(1));
      return typeof o.symbol === "string" && /^[A-Za-z0-9_.]+:\S+$/.test(o.symbol);
    } catch {
      return false;
    }
  }
  return /^[A-Za-z0-9_.]+:\S+$/.test(sym);
}

function defaultConfig() {
  return {
    heartbeatMs: 10_000,
    validTokens: new Set(),
    refusedTokens: new Set(["refused_token"]),
    unknownSymbols: new Set(),
    delayedSymbols: new Set(),
    /** symbol -> N: "delayed_streaming_N" and lp_time N s behind (see the header). */
    delays: new Map(),
    /** Delay for every symbol without its own entry in `delays`; null = none. */
    globalDelaySeconds: null,
    requireOrigin: true,
    /** When true, any token that is neither anonymous nor in validTokens is refused. */
    strictTokens: false,
    /** Symbol prefixes whose snapshot gets a default price when none was set ("" = every symbol). */
    inventPrices: [],
    /** sessionid -> { sign, ttlSec, redirects, refused, token, homeHits } (see the header). */
    sessions: new Map(),
    log: false,
  };
}

/**
 * @param {{ port?: number, host?: string, heartbeatMs?: number, validTokens?: string[], refusedTokens?: string[],
 *   unknownSymbols?: string[], requireOrigin?: boolean, log?: boolean }} [opts]
 */
export async function startFakeTradingView(opts = {}) {
  const { port = 0, host = "127.0.0.1" } = opts;
  const config = defaultConfig();

  let nextId = 1;
  /** @type {Map<number, any>} all connections ever seen (closed ones kept for history) */
  const conns = new Map();
  /** upgrade attempts, accepted or rejected */
  const upgrades = [];
  /** per-tag count of rejected upgrades (for ?rejectTimes) */
  const rejectedByTag = new Map();
  /** last known price / lp_time per symbol string */
  const prices = new Map();
  const lpTimes = new Map();

  const log = (...a) => config.log && console.log("[fake-tv]", ...a);
  applyConfig(config, opts);

  /** Applies a config patch; returns the symbols whose delay changed ("*" when the global one did). */
  function applyConfig(c, patch) {
    const delayChanged = new Set();
    if (!patch || typeof patch !== "object") return delayChanged;
    const delayValue = (v) => {
      if (v === null) return null;
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`delay seconds must be a number >= 0 or null, got ${JSON.stringify(v)}`);
      return Math.round(n);
    };
    const setGlobalDelay = (v) => {
      const n = delayValue(v);
      if (n !== c.globalDelaySeconds) delayChanged.add("*");
      c.globalDelaySeconds = n;
    };
    const setSymbolDelay = (sym, v) => {
      const n = delayValue(v);
      const prev = c.delays.has(sym) ? c.delays.get(sym) : null;
      if (prev !== n) delayChanged.add(sym);
      if (n === null) c.delays.delete(sym);
      else c.delays.set(sym, n);
    };
    if (patch.delaySeconds !== undefined) {
      if (patch.delaySeconds === null || typeof patch.delaySeconds === "number") setGlobalDelay(patch.delaySeconds);
      else if (typeof patch.delaySeconds === "object") for (const [sym, v] of Object.entries(patch.delaySeconds)) setSymbolDelay(sym, v);
    }
    if (patch.globalDelaySeconds !== undefined) setGlobalDelay(patch.globalDelaySeconds);
    if (Array.isArray(patch.removeDelaySeconds)) for (const sym of patch.removeDelaySeconds) setSymbolDelay(String(sym), null);
    if (typeof patch.heartbeatMs === "number") c.heartbeatMs = patch.heartbeatMs;
    if (typeof patch.requireOrigin === "boolean") c.requireOrigin = patch.requireOrigin;
    if (typeof patch.log === "boolean") c.log = patch.log;
    if (typeof patch.strictTokens === "boolean") c.strictTokens = patch.strictTokens;
    for (const k of ["validTokens", "refusedTokens", "unknownSymbols", "delayedSymbols"]) {
      if (Array.isArray(patch[k])) for (const v of patch[k]) c[k].add(String(v));
    }
    for (const k of ["validTokens", "refusedTokens", "unknownSymbols", "delayedSymbols"]) {
      const rm = patch[`remove${k[0].toUpperCase()}${k.slice(1)}`];
      if (Array.isArray(rm)) for (const v of rm) c[k].delete(String(v));
    }
    if (Array.isArray(patch.inventPrices)) c.inventPrices = patch.inventPrices.map(String);
    if (Array.isArray(patch.sessions)) {
      for (const x of patch.sessions) {
        if (!x || typeof x.sessionid !== "string") continue;
        c.sessions.set(x.sessionid, {
          sign: typeof x.sessionid_sign === "string" ? x.sessionid_sign : null,
          ttlSec: Number(x.ttlSec ?? 14_400),
          redirects: Number(x.redirects ?? 0),
          refused: x.refused === true,
          token: null,
          homeHits: 0,
        });
      }
    }
    if (Array.isArray(patch.removeSessions)) for (const id of patch.removeSessions) c.sessions.delete(String(id));
    if (patch.prices && typeof patch.prices === "object") {
      for (const [s, p] of Object.entries(patch.prices)) prices.set(s, Number(p));
    }
    return delayChanged;
  }

  /** Applies a config patch and pushes update_mode deltas for symbols whose delay changed. */
  function configure(patch) {
    const changed = applyConfig(config, patch);
    if (changed.size) pushModes(changed);
  }

  /** The symbol's delay in seconds (its own, else the global one), null when it is not delayed by the knob. */
  function delayFor(sym) {
    if (config.delays.has(sym)) return config.delays.get(sym);
    return config.globalDelaySeconds;
  }
  /** lp_time the server stamps by itself for `sym` now: wall time minus the symbol's delay. */
  function nowLpTime(sym) {
    return Math.floor(Date.now() / 1000) - (delayFor(sym) ?? 0);
  }

  /** Sends `{update_mode}` to every open session of the given symbols whose mode changed ("*" = all symbols). */
  function pushModes(symbols) {
    const all = symbols.has("*");
    for (const c of conns.values()) {
      if (!c.open || c.refused) continue;
      let out = "";
      for (const sess of Object.values(c.sessions)) {
        if (sess.deleted) continue;
        for (const sym of sess.symbols) {
          if (!all && !symbols.has(sym)) continue;
          const mode = updateModeFor(c, sym);
          if (sess.modes?.[sym] === mode) continue;
          sess.modes = { ...(sess.modes ?? {}), [sym]: mode };
          if (sess.fields && !sess.fields.includes("update_mode")) continue;
          const v = { update_mode: mode };
          if (!sess.fields || sess.fields.includes("status")) v.status = mode === "streaming" ? "streaming" : "delayed_streaming";
          out += frameMessage("qsd", [sess.id, { n: sym, s: "ok", v }]);
        }
      }
      if (out) sendRaw(c, out);
    }
  }

  // ---- connection bookkeeping ----
  function subscribedSymbols(c) {
    const s = new Set();
    for (const sess of Object.values(c.sessions)) if (!sess.deleted) for (const sym of sess.symbols) s.add(sym);
    return s;
  }
  function everSubscribed(c, sym) {
    return c.everSymbols.has(sym);
  }
  function matches(c, f) {
    if (!f) return true;
    if (f.symbol !== undefined && f.symbol !== null && !everSubscribed(c, String(f.symbol))) return false;
    if (f.tag !== undefined && f.tag !== null && c.tag !== String(f.tag)) return false;
    if (f.token !== undefined && f.token !== null && c.token !== String(f.token)) return false;
    if (f.id !== undefined && f.id !== null && c.id !== Number(f.id)) return false;
    return true;
  }
  function select(f, { openOnly = true } = {}) {
    return [...conns.values()].filter((c) => (!openOnly || c.open) && matches(c, f));
  }
  function isSilenced(c) {
    return c.silencedUntil > Date.now();
  }
  function sendRaw(c, data) {
    if (!c.open || isSilenced(c)) return false;
    try {
      c.ws.send(data);
      c.sentMessages++;
      return true;
    } catch {
      return false;
    }
  }
  function violation(c, msg) {
    c.violations.push(msg);
    log(`conn ${c.id} violation: ${msg}`);
  }

  // ---- the www.tradingview.com home page (session cookies -> auth token) ----
  function b64url(obj) {
    return Buffer.from(JSON.stringify(obj)).toString("base64url");
  }
  function mintToken(sess) {
    const iat = Math.floor(Date.now() / 1000);
    const claims = { user_id: 4242, exp: iat + sess.ttlSec, iat, plan: "pro_premium", perm: "cme_mini", max_connections: 10 };
    const token = `${b64url({ alg: "RS512", kid: "fake", typ: "JWT" })}.${b64url(claims)}.${randomBytes(32).toString("base64url")}`;
    (sess.refused ? config.refusedTokens : config.validTokens).add(token);
    sess.token = token;
    sess.tokens = [...(sess.tokens ?? []), token];
    return token;
  }
  function parseCookies(header) {
    const out = {};
    for (const part of String(header ?? "").split(";")) {
      const i = part.indexOf("=");
      if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
    }
    return out;
  }
  /** GET / (or a redirect hop): true when answered as the logged-in home page or a redirect. */
  function homePage(req, res, url) {
    const cookies = parseCookies(req.headers.cookie);
    const sess = cookies.sessionid ? config.sessions.get(cookies.sessionid) : undefined;
    if (!sess || (sess.sign !== null && cookies.sessionid_sign !== sess.sign)) return false;
    const hop = url.pathname.startsWith("/_hop/") ? Number(url.pathname.slice(6)) : 0;
    if (hop === 0) sess.homeHits++;
    if (hop < sess.redirects) {
      res.writeHead(302, { location: `/_hop/${hop + 1}` });
      res.end();
      return true;
    }
    const token = mintToken(sess); // a fresh token per visit, so tests can tell a refresh from a cached token
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!DOCTYPE html><html><head><title>TradingView (fake)</title></head><body><script>window.initData = {};
window.user = {"username":"fake_user","is_pro":true,"auth_token":"${token}","pro_plan":"pro_premium"};</script></body></html>`);
    return true;
  }

  function hello() {
    const now = Date.now();
    return frame(
      JSON.stringify({
        session_id: `<0.${Math.floor(Math.random() * 90000) + 10000}.${Math.floor(Math.random() * 9000)}>_fake-tv-${randomBytes(3).toString("hex")}`,
        timestamp: Math.floor(now / 1000),
        timestampMs: now,
        release: "registry.tradingview.com/tvbs:release_206-21",
        studies_metadata_hash: randomBytes(20).toString("hex"),
        auth_scheme_vsn: 2,
        protocol: "json",
        via: "127.0.0.1:443",
        javastudies: ["3.66"],
      }),
    );
  }

  function updateModeFor(c, sym) {
    const d = delayFor(sym);
    if (d !== null) return `delayed_streaming_${d}`;
    if (config.delayedSymbols.has(sym)) return "delayed_streaming_900";
    if (c.token && config.validTokens.has(c.token)) return "streaming";
    return "delayed_streaming_900";
  }

  function snapshotFor(c, sess, sym) {
    const inst = instrumentOf(sym);
    if (!prices.has(sym) && config.inventPrices.some((prefix) => sym.startsWith(prefix))) prices.set(sym, inst.price);
    if (prices.has(sym) && !lpTimes.has(sym)) lpTimes.set(sym, nowLpTime(sym));
    // No price known for this symbol: the snapshot has no lp (TradingView too omits what it does not have).
    const lp = prices.has(sym) ? prices.get(sym) : null;
    // null: the last tick was sent without lp_time (tick lpTime: null)
    const lpTime = lp !== null ? (lpTimes.get(sym) ?? null) : null;
    // lp_time last sent to this session per symbol (deltas: a tick repeats it only when it changed)
    const seesLpTime = !sess.fields || sess.fields.includes("lp_time");
    sess.sentLpTimes = { ...(sess.sentLpTimes ?? {}), [sym]: seesLpTime ? lpTime : null };
    const mode = updateModeFor(c, sym);
    sess.modes = { ...(sess.modes ?? {}), [sym]: mode };
    const bare = sym.startsWith("=") ? (() => { try { return JSON.parse(sym.slice(1)).symbol; } catch { return sym; } })() : sym;
    const [exchange, short] = bare.includes(":") ? bare.split(":", 2) : ["", bare];
    const all = {
      ...(lp !== null ? { lp, ...(lpTime !== null ? { lp_time: lpTime } : {}), bid: lp - inst.tick, ask: lp + inst.tick } : {}),
      volume: 1000 + Math.floor(Math.random() * 1000),
      ch: 0,
      chp: 0,
      update_mode: mode,
      current_session: "market",
      status: mode === "streaming" ? "streaming" : "delayed_streaming",
      type: "futures",
      description: `${short} (fake)`,
      short_name: short,
      pro_name: bare,
      exchange,
      currency_code: "USD",
      minmov: 1,
      pricescale: Math.round(1 / inst.tick),
    };
    // Like TradingView: only the fields the session asked for (all of them if quote_set_fields was skipped).
    if (!sess.fields) return all;
    const v = {};
    for (const f of sess.fields) if (f in all) v[f] = all[f];
    return v;
  }

  function onClientMessage(c, m, p) {
    c.received.push({ m, p, at: Date.now() });
    if (c.received.length > 500) c.received.splice(0, c.received.length - 500);
    c.methods.push(m);
    const first = c.methods.length === 1;
    if (c.refused) return; // everything after a refused token is ignored
    const sessionOf = (id) => {
      const s = c.sessions[id];
      if (!s || s.deleted) {
        violation(c, `${m} for unknown quote session ${JSON.stringify(id)}`);
        return null;
      }
      return s;
    };
    switch (m) {
      case "set_auth_token": {
        if (!first) violation(c, "set_auth_token is not the first message");
        const token = p[0];
        c.token = typeof token === "string" ? token : null;
        if (!c.token) violation(c, "set_auth_token without a token");
        if (c.token && config.refusedTokens.has(c.token)) {
          c.refused = true;
          sendRaw(c, frameMessage("protocol_error", ["bad auth token"]));
          setTimeout(() => {
            try {
              c.ws.close(1000);
            } catch {}
          }, 20);
        } else if (c.token && c.token !== ANON && !config.validTokens.has(c.token) && config.strictTokens) {
          c.refused = true;
          sendRaw(c, frameMessage("protocol_error", ["bad auth token"]));
          setTimeout(() => {
            try {
              c.ws.close(1000);
            } catch {}
          }, 20);
        }
        return;
      }
      case "quote_create_session": {
        if (!c.token) violation(c, "quote_create_session before set_auth_token");
        const id = p[0];
        if (typeof id !== "string" || !/^qs_[A-Za-z0-9]{12}$/.test(id)) violation(c, `bad quote session id ${JSON.stringify(id)}`);
        if (c.sessions[id] && !c.sessions[id].deleted) violation(c, `quote session ${id} created twice`);
        c.sessions[id] = { id, fields: null, symbols: [], fast: [], deleted: false, createdAt: Date.now() };
        return;
      }
      case "quote_set_fields": {
        const s = sessionOf(p[0]);
        if (!s) return;
        s.fields = p.slice(1).filter((x) => typeof x === "string");
        if (!s.fields.includes("lp")) violation(c, "quote_set_fields without lp");
        return;
      }
      case "quote_add_symbols": {
        const s = sessionOf(p[0]);
        if (!s) return;
        if (!s.fields) violation(c, "quote_add_symbols before quote_set_fields");
        const syms = p.slice(1).filter((x) => typeof x === "string");
        const flags = p.slice(1).find((x) => x && typeof x === "object");
        s.flags = flags?.flags ?? null;
        for (const sym of syms) {
          if (!s.symbols.includes(sym)) s.symbols.push(sym);
          c.everSymbols.add(sym);
          c.subscriptions.push({ session: s.id, symbol: sym, at: Date.now() });
        }
        // Reply: a snapshot per symbol, then quote_completed (batched in one message, as TradingView does).
        let out = "";
        for (const sym of syms) {
          if (!isWellFormedSymbol(sym) || config.unknownSymbols.has(sym)) {
            out += frameMessage("qsd", [s.id, { n: sym, s: "error", errmsg: "no_such_symbol", v: {} }]);
          } else {
            out += frameMessage("qsd", [s.id, { n: sym, s: "ok", v: snapshotFor(c, s, sym) }]);
          }
          out += frameMessage("quote_completed", [s.id, sym]);
        }
        if (out) setTimeout(() => sendRaw(c, out), 5);
        return;
      }
      case "quote_fast_symbols": {
        const s = sessionOf(p[0]);
        if (!s) return;
        s.fast = p.slice(1).filter((x) => typeof x === "string");
        for (const sym of s.fast) if (!s.symbols.includes(sym)) violation(c, `quote_fast_symbols for unsubscribed ${sym}`);
        return;
      }
      case "quote_remove_symbols": {
        const s = sessionOf(p[0]);
        if (!s) return;
        const rm = new Set(p.slice(1).filter((x) => typeof x === "string"));
        s.symbols = s.symbols.filter((x) => !rm.has(x));
        s.fast = s.fast.filter((x) => !rm.has(x));
        c.removed.push(...rm);
        return;
      }
      case "quote_delete_session": {
        const s = sessionOf(p[0]);
        if (!s) return;
        s.deleted = true;
        return;
      }
      case "quote_hibernate_all":
      case "set_locale":
      case "set_data_quality":
        return;
      default:
        violation(c, `unknown method ${m}`);
    }
  }

  function startHeartbeats(c) {
    c.hbTimer = setInterval(() => {
      if (!c.open || isSilenced(c)) return;
      const k = ++c.hbCounter;
      c.hbOutstanding.add(`~h~${k}`);
      if (sendRaw(c, frame(`~h~${k}`))) c.heartbeatsSent++;
    }, c.heartbeatMs);
  }

  // ---- HTTP: control API ----
  async function readJson(req) {
    const chunks = [];
    for await (const ch of req) chunks.push(ch);
    const text = Buffer.concat(chunks).toString("utf8");
    if (!text) return {};
    return JSON.parse(text);
  }
  function reply(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=utf-8", "access-control-allow-origin": "*" });
    res.end(text);
  }
  function filterFrom(src) {
    const f = {};
    for (const k of ["symbol", "tag", "token", "id"]) {
      const v = src instanceof URLSearchParams ? src.get(k) : src?.[k];
      if (v !== undefined && v !== null && v !== "") f[k] = v;
    }
    return f;
  }

  function describe(c) {
    return {
      id: c.id,
      tag: c.tag,
      url: c.url,
      open: c.open,
      openedAt: new Date(c.openedAt).toISOString(),
      closedAt: c.closedAt ? new Date(c.closedAt).toISOString() : null,
      closeCode: c.closeCode,
      closedBy: c.closedBy,
      headers: c.headers,
      token: c.token,
      refused: c.refused,
      heartbeatMs: c.heartbeatMs,
      heartbeatsSent: c.heartbeatsSent,
      heartbeatsEchoed: c.heartbeatsEchoed,
      heartbeatsMismatched: c.heartbeatsMismatched,
      sentMessages: c.sentMessages,
      silenced: isSilenced(c),
      sessions: Object.values(c.sessions).map((s) => ({ ...s })),
      symbols: [...subscribedSymbols(c)],
      subscriptions: c.subscriptions,
      removed: c.removed,
      methods: c.methods,
      received: c.received,
      malformedFromClient: c.malformed,
      violations: c.violations,
    };
  }

  function state(f) {
    const all = select(f, { openOnly: false });
    const ups = upgrades.filter((u) => (f.tag === undefined || u.tag === f.tag) && f.symbol === undefined && f.token === undefined);
    return {
      connections: all.map(describe),
      openConnections: all.filter((c) => c.open).length,
      connectionCount: all.length,
      connectionHistory: all.map((c) => ({ id: c.id, openedAt: new Date(c.openedAt).toISOString(), closedAt: c.closedAt ? new Date(c.closedAt).toISOString() : null })),
      upgrades: ups,
      heartbeatsSent: all.reduce((a, c) => a + c.heartbeatsSent, 0),
      heartbeatsEchoed: all.reduce((a, c) => a + c.heartbeatsEchoed, 0),
      prices: f.symbol !== undefined ? { [f.symbol]: prices.get(f.symbol) ?? null } : Object.fromEntries(prices),
      config: {
        heartbeatMs: config.heartbeatMs,
        validTokens: [...config.validTokens],
        refusedTokens: [...config.refusedTokens],
        unknownSymbols: [...config.unknownSymbols],
        delayedSymbols: [...config.delayedSymbols],
        delaySeconds: Object.fromEntries(config.delays),
        globalDelaySeconds: config.globalDelaySeconds,
        requireOrigin: config.requireOrigin,
      },
    };
  }

  /**
   * Sends a last-price update to every open session subscribed to `symbol`.
   * `batch`: several updates in ONE WebSocket message ([price, ...] or [{price, time?, lpTime?, fields?}, ...]);
   * `heartbeat: true` slips a heartbeat frame into the middle of that message.
   * lp_time: `lpTime` (epoch seconds) is sent verbatim, `lpTime: null` sends none; else `time` (or now minus the
   * symbol's delay) is sent when it changed.
   */
  function tick({ symbol, price, time, lpTime, fields, batch, heartbeat } = {}) {
    if (typeof symbol !== "string") throw new Error("symbol required");
    const items = Array.isArray(batch)
      ? batch.map((b) => (typeof b === "number" ? { price: b } : b))
      : [{ price, time, lpTime, fields }];
    for (const it of items) {
      if (it.lpTime !== undefined && it.lpTime !== null && !Number.isFinite(Number(it.lpTime))) throw new Error("lpTime must be epoch seconds or null");
    }
    /** [lp_time to store, explicit?] for one item: explicit lpTime wins, then time, then now − delay. */
    const lpTimeOf = (it) => {
      if (it.lpTime === null) return [null, true];
      if (it.lpTime !== undefined) return [Number(it.lpTime), true];
      return [it.time !== undefined ? toEpochSeconds(it.time) : nowLpTime(symbol), false];
    };
    let delivered = 0;
    for (const c of select({ symbol })) {
      for (const sess of Object.values(c.sessions)) {
        if (sess.deleted || !sess.symbols.includes(symbol)) continue;
        const frames = [];
        let prevTime = sess.sentLpTimes?.[symbol] ?? null;
        for (const it of items) {
          const v = {};
          if (it.price !== undefined && it.price !== null) v.lp = Number(it.price);
          const [t, explicit] = lpTimeOf(it);
          // deltas only: lp_time is sent only when it changed (or when given explicitly)
          if (t !== null && (explicit || t !== prevTime)) v.lp_time = t;
          if (t !== null) prevTime = t;
          const mode = updateModeFor(c, symbol);
          if (sess.modes?.[symbol] !== mode) v.update_mode = mode; // e.g. a delay set since the snapshot
          v.volume = 1000 + Math.floor(Math.random() * 5000);
          Object.assign(v, it.fields ?? {});
          if (typeof v.update_mode === "string") sess.modes = { ...(sess.modes ?? {}), [symbol]: v.update_mode };
          if (sess.fields) for (const k of Object.keys(v)) if (!sess.fields.includes(k)) delete v[k];
          if ("lp_time" in v) sess.sentLpTimes = { ...(sess.sentLpTimes ?? {}), [symbol]: v.lp_time };
          frames.push(frameMessage("qsd", [sess.id, { n: symbol, s: "ok", v }]));
        }
        if (heartbeat && c.open && !isSilenced(c)) {
          const k = ++c.hbCounter;
          c.hbOutstanding.add(`~h~${k}`);
          c.heartbeatsSent++;
          frames.splice(Math.ceil(frames.length / 2), 0, frame(`~h~${k}`));
        }
        if (sendRaw(c, frames.join(""))) delivered++;
      }
    }
    for (const it of items) {
      if (it.price !== undefined && it.price !== null) prices.set(symbol, Number(it.price));
      lpTimes.set(symbol, lpTimeOf(it)[0]);
    }
    return delivered;
  }

  function toEpochSeconds(t) {
    if (typeof t === "number") return t > 1e11 ? Math.floor(t / 1000) : t;
    const ms = Date.parse(String(t));
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : Math.floor(Date.now() / 1000);
  }

  /** Sends an exact raw WebSocket message. `{qs}` in data is replaced by each connection's quote session id. */
  function raw({ data, ...f } = {}) {
    if (typeof data !== "string") throw new Error("data (string) required");
    let n = 0;
    for (const c of select(filterFrom(f))) {
      const sess = Object.values(c.sessions).filter((s) => !s.deleted && (f.symbol === undefined || s.symbols.includes(f.symbol)));
      const ids = sess.length ? sess.map((s) => s.id) : [null];
      for (const id of ids) {
        let out = data;
        if (id && data.includes("{qs}")) {
          // Re-frame: substituting the session id changes payload lengths.
          out = parseFramesLoose(data).map((p) => (p.framed ? frame(p.payload.replaceAll("{qs}", id)) : p.text)).join("");
        }
        if (sendRaw(c, out)) n++;
      }
    }
    return n;
  }

  function drop({ code, ...f } = {}) {
    let n = 0;
    for (const c of select(filterFrom(f))) {
      c.closedBy = "server";
      try {
        if (code) c.ws.close(Number(code));
        else c.ws.terminate();
      } catch {}
      n++;
    }
    return n;
  }

  function silence({ ms, ...f } = {}) {
    let n = 0;
    for (const c of select(filterFrom(f))) {
      c.silencedUntil = Date.now() + Number(ms ?? 60_000);
      n++;
    }
    return n;
  }

  function reset(f = {}) {
    const filter = filterFrom(f);
    const scoped = Object.keys(filter).length > 0;
    for (const c of select(filter, { openOnly: false })) {
      if (c.open) {
        c.closedBy = "server";
        try {
          c.ws.terminate();
        } catch {}
      }
      conns.delete(c.id);
    }
    if (!scoped) {
      upgrades.length = 0;
      rejectedByTag.clear();
      prices.clear();
      lpTimes.clear();
      Object.assign(config, defaultConfig());
    } else {
      if (filter.symbol) {
        prices.delete(filter.symbol);
        lpTimes.delete(filter.symbol);
        config.delays.delete(filter.symbol);
      }
      if (filter.tag) {
        rejectedByTag.delete(filter.tag);
        for (let i = upgrades.length - 1; i >= 0; i--) if (upgrades[i].tag === filter.tag) upgrades.splice(i, 1);
      }
    }
  }

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      const path = url.pathname;
      if (req.method === "GET" && (path === "/" || path.startsWith("/_hop/")) && homePage(req, res, url)) return;
      if (req.method === "GET" && path === "/control/sessions") {
        return reply(res, 200, {
          sessions: [...config.sessions.entries()].map(([sessionid, x]) => ({ sessionid, homeHits: x.homeHits, token: x.token, tokens: x.tokens ?? [], refused: x.refused })),
        });
      }
      if (req.method === "GET" && (path === "/" || path === "/index.html")) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end(indexHtml());
        return;
      }
      if (req.method === "GET" && path === "/control/state") return reply(res, 200, state(filterFrom(url.searchParams)));
      if (req.method === "GET" && path === "/health") return reply(res, 200, { ok: true });
      if (req.method === "POST" && path.startsWith("/control/")) {
        const body = await readJson(req);
        switch (path) {
          case "/control/tick":
            return reply(res, 200, { ok: true, delivered: tick(body) });
          case "/control/raw":
            return reply(res, 200, { ok: true, delivered: raw(body) });
          case "/control/drop":
            return reply(res, 200, { ok: true, dropped: drop(body) });
          case "/control/silence":
            return reply(res, 200, { ok: true, silenced: silence(body) });
          case "/control/config":
            configure(body);
            return reply(res, 200, { ok: true, config: state({}).config });
          case "/control/delay": {
            // {symbol?, seconds}: that symbol's delay, or the global one without a symbol; seconds null removes.
            if (!("seconds" in body)) throw new Error("seconds (number or null) required");
            const sym = typeof body.symbol === "string" && body.symbol !== "" ? body.symbol : null;
            configure(sym ? { delaySeconds: { [sym]: body.seconds } } : { globalDelaySeconds: body.seconds });
            const c = state({}).config;
            return reply(res, 200, { ok: true, delaySeconds: c.delaySeconds, globalDelaySeconds: c.globalDelaySeconds });
          }
          case "/control/reset":
            // Test files share one server and run in parallel: a reset must name what it resets (symbol, tag,
            // token, id), or say {all: true}. A filter that came out empty (an undefined symbol) is refused.
            if (Object.keys(filterFrom(body)).length === 0 && body.all !== true) throw new Error("reset needs a filter (symbol, tag, token, id) or {all: true}");
            reset(body);
            return reply(res, 200, { ok: true });
        }
      }
      reply(res, 404, { ok: false, error: "not found" });
    } catch (e) {
      reply(res, 400, { ok: false, error: String(e?.message ?? e) });
    }
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const tag = url.searchParams.get("tag");
    const rejectWith = (status, text) => {
      upgrades.push({ at: new Date().toISOString(), tag, status });
      socket.write(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
      socket.destroy();
    };
    if (url.pathname !== WS_PATH) return rejectWith(404, "Not Found");
    const origin = req.headers.origin;
    if (config.requireOrigin && origin !== "https://www.tradingview.com") return rejectWith(403, "Forbidden");
    const reject = Number(url.searchParams.get("reject") ?? 0);
    if (reject) {
      const times = url.searchParams.get("rejectTimes");
      const done = rejectedByTag.get(tag ?? "") ?? 0;
      if (times === null || done < Number(times)) {
        rejectedByTag.set(tag ?? "", done + 1);
        return rejectWith(reject, reject === 429 ? "Too Many Requests" : reject === 401 ? "Unauthorized" : "Refused");
      }
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      upgrades.push({ at: new Date().toISOString(), tag, status: 101 });
      onConnection(ws, req, url);
    });
  });

  function onConnection(ws, req, url) {
    const hb = Number(url.searchParams.get("hb") ?? 0);
    const c = {
      id: nextId++,
      ws,
      tag: url.searchParams.get("tag"),
      url: req.url,
      open: true,
      openedAt: Date.now(),
      closedAt: null,
      closeCode: null,
      closedBy: null,
      headers: {
        origin: req.headers.origin ?? null,
        userAgent: req.headers["user-agent"] ?? null,
        cacheControl: req.headers["cache-control"] ?? null,
      },
      token: null,
      refused: false,
      heartbeatMs: hb > 0 ? hb : config.heartbeatMs,
      hbCounter: 0,
      hbTimer: null,
      hbOutstanding: new Set(),
      heartbeatsSent: 0,
      heartbeatsEchoed: 0,
      heartbeatsMismatched: 0,
      sentMessages: 0,
      silencedUntil: 0,
      sessions: {},
      everSymbols: new Set(),
      subscriptions: [],
      removed: [],
      methods: [],
      received: [],
      malformed: [],
      violations: [],
    };
    conns.set(c.id, c);
    log(`conn ${c.id} open ${req.url}`);
    sendRaw(c, hello());
    startHeartbeats(c);
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? Buffer.from(data).toString("utf8") : data.toString("utf8");
      for (const f of parseFrames(text)) {
        if (f.type === "heartbeat") {
          if (c.hbOutstanding.delete(f.payload)) c.heartbeatsEchoed++;
          else c.heartbeatsMismatched++;
        } else if (f.type === "message") {
          try {
            onClientMessage(c, f.m, f.p);
          } catch (e) {
            violation(c, `server error: ${e?.message ?? e}`);
          }
        } else {
          c.malformed.push(f.raw.slice(0, 200));
          violation(c, "malformed frame from client");
        }
      }
    });
    ws.on("close", (code) => {
      c.open = false;
      c.closedAt = Date.now();
      c.closeCode = code;
      if (!c.closedBy) c.closedBy = "client";
      clearInterval(c.hbTimer);
      log(`conn ${c.id} closed ${code}`);
    });
    ws.on("error", () => {});
  }

  function indexHtml() {
    const s = state({});
    const rows = s.connections
      .map((c) => `<tr><td>${c.id}</td><td>${esc(c.tag ?? "")}</td><td>${c.open ? "open" : "closed"}</td><td>${esc(c.symbols.join(", "))}</td><td>${esc(c.token === ANON ? "anonymous" : c.token ? "token" : "")}</td><td>${c.heartbeatsEchoed}/${c.heartbeatsSent}</td><td>${c.violations.length}</td></tr>`)
      .join("");
    const px = Object.entries(s.prices).map(([k, v]) => `<li>${esc(k)}: ${v}</li>`).join("");
    return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="2"><title>fake TradingView</title>
<style>body{font:14px system-ui;margin:2em}td,th{padding:2px 8px;border-bottom:1px solid #ddd}</style>
<h1>fake TradingView quote server</h1><p>WebSocket: <code>http://${host}:${actualPort}${WS_PATH}</code></p>
<h2>Prices</h2><ul>${px}</ul><h2>Connections</h2>
<table><tr><th>id</th><th>tag</th><th>state</th><th>symbols</th><th>auth</th><th>heartbeats</th><th>violations</th></tr>${rows}</table>`;
  }
  function esc(t) {
    return String(t).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
  }

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const actualPort = server.address().port;

  return {
    port: actualPort,
    host,
    url: `http://${host}:${actualPort}${WS_PATH}`,
    tick,
    raw,
    drop,
    silence,
    reset,
    state: (f = {}) => state(filterFrom(f)),
    config: (patch) => configure(patch),
    /** A symbol's delay (or the global one with symbol null); seconds null removes it. */
    setDelay: (symbol, seconds) => configure(symbol ? { delaySeconds: { [symbol]: seconds } } : { globalDelaySeconds: seconds }),
    /** Symbols currently subscribed by at least one open, live session. */
    subscribedSymbols() {
      const s = new Set();
      for (const c of conns.values()) if (c.open && !c.refused) for (const sym of subscribedSymbols(c)) s.add(sym);
      return [...s];
    },
    lastPrice: (symbol) => prices.get(symbol) ?? null,
    close: () =>
      new Promise((resolve) => {
        for (const c of conns.values()) {
          clearInterval(c.hbTimer);
          try {
            c.ws.terminate();
          } catch {}
        }
        wss.close();
        server.closeAllConnections?.();
        server.close(() => resolve(undefined));
      }),
  };
}

/** Splits raw text into frames, keeping anything unframed as-is (used to re-frame after substitution). */
function parseFramesLoose(data) {
  const out = [];
  let i = 0;
  const header = /~m~(\d{1,9})~m~/y;
  while (i < data.length) {
    header.lastIndex = i;
    const h = header.exec(data);
    if (!h) {
      out.push({ framed: false, text: data.slice(i) });
      break;
    }
    const start = i + h[0].length;
    const len = Number(h[1]);
    if (start + len > data.length) {
      out.push({ framed: false, text: data.slice(i) });
      break;
    }
    out.push({ framed: true, payload: data.slice(start, start + len) });
    i = start + len;
  }
  return out;
}
