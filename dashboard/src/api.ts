// Client for the Worker's JSON API (see CONTRACT.md). Every call carries `Authorization: Bearer <token>`;
// errors become ApiError with the API's own {code, message, details}; a 401 sends the user back to sign-in.

// The API's JSON types come from ONE module the Worker compiles too (src/api/types.ts): a field the API renames
// breaks this build instead of a badge silently never showing.
import type {
  ApiPosition,
  EquityPoint,
  NotificationDeleteResponse,
  NotificationTargetInput,
  NotificationTargetPatch,
  NotificationTargetResponse,
  NotificationTargetsResponse,
  NotificationTestResponse,
  Recorder,
  RecorderSummary,
  RecorderWithToken,
  ResetResponse,
  SignalLog,
  StatsResponse,
  StatusResponse,
  SymbolStatus,
  Trade,
  TradeFilters,
  TvSessionState,
  Weekday,
} from "../../src/api/types";
export type {
  ApiPosition,
  BreakEven,
  DirectionFilter,
  EquityPoint,
  FeedHealth,
  FeedHealthState,
  FeedView,
  Fill,
  LiveFeed,
  LiveMessage,
  LiveSnapshotMessage,
  LiveSymbolMessage,
  NotificationEvent,
  NotificationKind,
  NotificationTarget,
  NotificationTargetInput,
  NotificationTargetPatch,
  Recorder,
  RecorderSettingsInput,
  RecorderSummary,
  RecorderWithToken,
  SignalLog,
  Stats,
  StatsResponse,
  StatusResponse,
  SymbolStatus,
  TakeProfitLeg,
  Trade,
  TradeFilters,
  TradingSession,
  TrailingStop,
  TvSessionState,
  WebhookReply,
  Weekday,
} from "../../src/api/types";

/** GET /api/live's subprotocols (dashboard/src/live.ts). */
export { LIVE_AUTH_PREFIX, LIVE_SUBPROTOCOL } from "../../src/api/types";

export const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** A position as the API lists it (the contract's fields + delayedData / aligned). */
export type Position = ApiPosition;
/** One symbol of GET /status (its feed, and `health`: live / delayed / stale / down). */
export type FeedSymbol = SymbolStatus;

/** How closed positions are counted: one trade per round trip (flat → flat), or one per entry fill as the Strategy
 * Tester lists them (CONTRACT "Backtest beside live", `?pairing=entries`). */
export type Pairing = "round_trips" | "entries";

/** The backtest types are the Worker's own (src/backtest, shared through src/api/types.ts); the dashboard calls
 * the current import `BacktestImport`. */
export type { BacktestTrade, Comparison, ComparisonRow, ComparisonSummary } from "../../src/api/types";
export type { BacktestImportInfo as BacktestImport } from "../../src/api/types";
import type { BacktestImportInfo as BacktestImport, Comparison } from "../../src/api/types";

/** One entry of a 400's `details`: the offending field (a dotted path, e.g. "takeProfitLegs.1.percent"). */
export type { FieldProblem } from "../../src/api/types";
import type { FieldProblem } from "../../src/api/types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

// ---- configuration: token + API origin ----------------------------------------------------------------

const TOKEN_KEY = "tr.adminToken";
const ORIGIN_KEY = "tr.apiOrigin";
const BUILD_ORIGIN = (import.meta.env.VITE_API_ORIGIN ?? "").trim();

function normOrigin(o: string): string {
  return o.trim().replace(/\/+$/, "");
}

export const config = {
  /** Origin the API is called on: the sign-in field, else the build-time VITE_API_ORIGIN, else same origin (""). */
  apiOrigin(): string {
    return normOrigin(localStorage.getItem(ORIGIN_KEY) ?? BUILD_ORIGIN);
  },
  buildOrigin(): string {
    return normOrigin(BUILD_ORIGIN);
  },
  setApiOrigin(origin: string): void {
    const o = normOrigin(origin);
    if (!o || o === normOrigin(BUILD_ORIGIN)) localStorage.removeItem(ORIGIN_KEY);
    else localStorage.setItem(ORIGIN_KEY, o);
  },
  /** Absolute origin for display (webhook URLs): the API origin or this page's origin. */
  publicOrigin(): string {
    return config.apiOrigin() || location.origin;
  },
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY) ?? localStorage.getItem(TOKEN_KEY);
  },
  setToken(token: string, remember: boolean): void {
    config.clearToken();
    (remember ? localStorage : sessionStorage).setItem(TOKEN_KEY, token);
  },
  clearToken(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(TOKEN_KEY);
  },
};

// ---- fetch wrapper ------------------------------------------------------------------------------------

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOpts {
  method?: string;
  body?: unknown;
  /** A body sent as is (the backtest CSV), with this Content-Type; instead of `body`. */
  raw?: { text: string; contentType: string };
  query?: Query;
  signal?: AbortSignal;
  /** Do not redirect to sign-in on 401 (the sign-in form checks the token itself). */
  no401Redirect?: boolean;
}

/** Fired on window when the API answers 401; main.ts shows the sign-in screen with the message. */
export const AUTH_EVENT = "tr:unauthorized";

export function buildUrl(path: string, query?: Query): string {
  const qs = new URLSearchParams();
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === "") continue;
      qs.set(k, String(v));
    }
  }
  const q = qs.toString();
  return `${config.apiOrigin()}${path}${q ? `?${q}` : ""}`;
}

async function send(path: string, opts: RequestOpts): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = config.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw) {
    headers["Content-Type"] = opts.raw.contentType;
    body = opts.raw.text;
  } else if (opts.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.body);
  }
  const url = buildUrl(path, opts.query);
  let res: Response;
  try {
    res = await fetch(url, { method: opts.method ?? "GET", headers, body, signal: opts.signal, cache: "no-store" });
  } catch (e) {
    if ((e as Error)?.name === "AbortError") throw e;
    const where = config.apiOrigin() || location.origin;
    throw new ApiError(0, "network_error", `Network error: could not reach the API at ${where} (${(e as Error)?.message ?? e}).`);
  }
  if (!res.ok) throw await toError(res, opts);
  return res;
}

async function toError(res: Response, opts: RequestOpts): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let err: ApiError;
  try {
    const j = JSON.parse(text);
    const e = j?.error;
    if (e && typeof e === "object") err = new ApiError(res.status, String(e.code ?? `http_${res.status}`), String(e.message ?? res.statusText), e.details);
    else if (typeof e === "string") err = new ApiError(res.status, `http_${res.status}`, e);
    else err = new ApiError(res.status, `http_${res.status}`, `HTTP ${res.status} ${res.statusText}`);
  } catch {
    const snippet = text.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 200);
    err = new ApiError(res.status, `http_${res.status}`, `HTTP ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ""}`);
  }
  if (res.status === 401 && !opts.no401Redirect) {
    window.dispatchEvent(new CustomEvent(AUTH_EVENT, { detail: err.message }));
  }
  return err;
}

export async function api<T>(path: string, opts: RequestOpts = {}): Promise<T> {
  const res = await send(path, opts);
  if (res.status === 204) return {} as T;
  const text = await res.text();
  if (!text) return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, "bad_response", `The API answered with something that is not JSON (HTTP ${res.status}). Is the API origin right?`);
  }
}

/** Download an authenticated file (the CSV needs the Authorization header, so a plain link will not do). */
export async function downloadFile(path: string, fallbackName: string, query?: Query): Promise<string> {
  const res = await send(path, { query });
  const blob = await res.blob();
  const cd = res.headers.get("Content-Disposition") ?? "";
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  const name = m ? decodeURIComponent(m[1]) : fallbackName;
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  a.style.display = "none";
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}

// ---- endpoints ----------------------------------------------------------------------------------------

const enc = encodeURIComponent;

export const Api = {
  health: () => api<{ ok: boolean }>("/health"),
  status: () => api<StatusResponse>("/status"),

  recorders: (opts?: RequestOpts) => api<{ recorders: Recorder[] }>("/api/recorders", opts),
  /** Each recorder with its one-line summary (net P&L, trades, open, max drawdown, last signal). */
  recordersWithSummary: () =>
    api<{ recorders: (Recorder & { summary: RecorderSummary })[] }>("/api/recorders", { query: { summary: "true" } }),
  recorder: (id: string) => api<{ recorder: Recorder }>(`/api/recorders/${enc(id)}`),
  createRecorder: (body: Partial<Recorder>) => api<{ recorder: RecorderWithToken }>("/api/recorders", { method: "POST", body }),
  updateRecorder: (id: string, body: Partial<Recorder>) =>
    api<{ recorder: Recorder }>(`/api/recorders/${enc(id)}`, { method: "PATCH", body }),
  deleteRecorder: (id: string) => api<unknown>(`/api/recorders/${enc(id)}`, { method: "DELETE" }),
  rotateToken: (id: string) => api<{ recorder: RecorderWithToken }>(`/api/recorders/${enc(id)}/rotate-token`, { method: "POST" }),
  /** Same settings, new token (returned once, like create). */
  cloneRecorder: (id: string, name: string) =>
    api<{ recorder: RecorderWithToken }>(`/api/recorders/${enc(id)}/clone`, { method: "POST", body: { name } }),
  /** Deletes closed positions, trades and the signal log; 409 recorder_has_open_positions while one is open. */
  resetRecorder: (id: string) => api<ResetResponse>(`/api/recorders/${enc(id)}/reset`, { method: "POST" }),

  positions: (query: Query, signal?: AbortSignal) => api<{ positions: Position[] }>("/api/positions", { query, signal }),
  closePosition: (id: string, price?: number) =>
    api<{ position?: Position; trade?: Trade }>(`/api/positions/${enc(id)}/close`, {
      method: "POST",
      body: price !== undefined ? { price } : {},
    }),

  trades: (query: Query) => api<{ trades: Trade[]; nextCursor: string | null }>("/api/trades", { query }),
  /** The trades screen's filters as one "List of trades" CSV (GET /api/trades.csv). */
  tradesCsvFiltered: (filters: TradeFilters, name: string) => downloadFile("/api/trades.csv", name, { ...filters }),
  signals: (query: Query, signal?: AbortSignal) => api<{ signals: SignalLog[] }>("/api/signals", { query, signal }),
  stats: (id: string, pairing: Pairing = "round_trips") =>
    api<StatsResponse>(`/api/recorders/${enc(id)}/stats`, { query: pairingQuery(pairing) }),
  equity: (id: string, pairing: Pairing = "round_trips") =>
    api<{ points: EquityPoint[] }>(`/api/recorders/${enc(id)}/equity`, { query: pairingQuery(pairing) }),
  tradesCsv: (id: string, name: string, pairing: Pairing = "round_trips") =>
    downloadFile(`/api/recorders/${enc(id)}/trades.csv`, name, pairingQuery(pairing)),

  /** Replaces the recorder's backtest with this "List of trades" CSV; 400 invalid_csv names the first bad line. */
  importBacktest: (id: string, csv: string) =>
    api<{ imported: number }>(`/api/recorders/${enc(id)}/backtest`, { method: "POST", raw: { text: csv, contentType: "text/csv" } }),
  backtestImport: (id: string) => api<{ backtest: BacktestImport | null }>(`/api/recorders/${enc(id)}/backtest`),
  removeBacktest: (id: string) => api<{ ok: boolean; deleted: number }>(`/api/recorders/${enc(id)}/backtest`, { method: "DELETE" }),
  comparison: (id: string, toleranceSeconds: number) =>
    api<Comparison>(`/api/recorders/${enc(id)}/comparison`, { query: { toleranceSeconds } }),

  /** A recorder's notification targets: destinations masked (`shown`), never the URL or bot token. */
  notifications: (id: string) => api<NotificationTargetsResponse>(`/api/recorders/${enc(id)}/notifications`),
  addNotification: (id: string, body: NotificationTargetInput) =>
    api<NotificationTargetResponse>(`/api/recorders/${enc(id)}/notifications`, { method: "POST", body }),
  updateNotification: (id: string, targetId: string, body: NotificationTargetPatch) =>
    api<NotificationTargetResponse>(`/api/recorders/${enc(id)}/notifications/${enc(targetId)}`, { method: "PATCH", body }),
  deleteNotification: (id: string, targetId: string) =>
    api<NotificationDeleteResponse>(`/api/recorders/${enc(id)}/notifications/${enc(targetId)}`, { method: "DELETE" }),
  /** Sends a test message now: `{ok, status}` when the target answered 2xx, else ApiError 502 target_failed. */
  testNotification: (id: string, targetId: string) =>
    api<NotificationTestResponse>(`/api/recorders/${enc(id)}/notifications/${enc(targetId)}/test`, { method: "POST" }),

  tvSession: () => api<{ ok: true; session: TvSessionState }>("/api/tradingview/session"),
  setTvSession: (body: { sessionid: string; sessionid_sign?: string }) =>
    api<{ ok: true; session: TvSessionState }>("/api/tradingview/session", { method: "POST", body }),
  deleteTvSession: () => api<{ ok: true; session: TvSessionState }>("/api/tradingview/session", { method: "DELETE" }),
};

/** Round trips are the API's default, so they send no parameter (links stay as before). */
function pairingQuery(pairing: Pairing): Query | undefined {
  return pairing === "entries" ? { pairing: "entries" } : undefined;
}

/** The `{field, problem}` list of a 400 (empty when the error has none). */
export function fieldProblems(e: unknown): FieldProblem[] {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return [];
  return e.details
    .filter((d): d is Record<string, unknown> => !!d && typeof d === "object")
    .map((d) => ({
      field: String(Array.isArray(d.path) ? d.path.join(".") : (d.field ?? d.path ?? "")),
      problem: String(d.problem ?? d.message ?? ""),
    }));
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.status ? `${e.message} (${e.code}, HTTP ${e.status})` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
