// Client for the Worker's JSON API (see CONTRACT.md). Every call carries `Authorization: Bearer <token>`;
// errors become ApiError with the API's own {code, message, details}; a 401 sends the user back to sign-in.

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEKDAYS: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** One take-profit leg: exits `percent` of the entry quantity at avgEntry ± `ticks` (percents sum to 100). */
export interface TakeProfitLeg {
  ticks: number;
  percent: number;
}

/** Trailing stop (whole ticks): follows the best price at `distanceTicks` once it is `triggerTicks` beyond entry. */
export interface TrailingStop {
  triggerTicks: number;
  distanceTicks: number;
}

/** Break-even (whole ticks): the stop moves to entry + `offsetTicks` once price is `triggerTicks` beyond entry. */
export interface BreakEven {
  triggerTicks: number;
  offsetTicks: number;
}

/** A trading window in the recorder's timezone; an `end` before `start` ends on the next day. */
export interface TradingSession {
  days: Weekday[];
  start: string;
  end: string;
}

export type DirectionFilter = "both" | "long" | "short";

export interface Recorder {
  id: string;
  name: string;
  symbol?: string | null;
  enabled: boolean;
  initialQuantity?: number;
  addQuantity?: number;
  allowAdd?: boolean;
  reverseOnOpposite?: boolean;
  takeProfitTicks?: number | null;
  stopLossTicks?: number | null;
  commissionPerContract?: number;
  tickSize?: number | null;
  tickValue?: number | null;
  dedupeWindowSeconds?: number;
  /** Smallest quantity increment (1 = whole contracts; 0.001 allows fractions). */
  quantityStep?: number;
  /** Signals a minute (accepted and rejected alike) before 429 rate_limited. */
  maxSignalsPerMinute?: number;
  /** Signal-log rows older than this are dropped. */
  signalLogRetentionDays?: number;
  /** With a delayed feed: "align" applies signals when the feed's market time reaches them; "immediate" at once. */
  delayedFeed?: "align" | "immediate";
  // ---- exits and risk rules (CONTRACT second round) ----
  /** Scale-out take-profit legs; overrides takeProfitTicks. null: off. */
  takeProfitLegs?: TakeProfitLeg[] | null;
  trailingStop?: TrailingStop | null;
  breakEven?: BreakEven | null;
  /** Which entries are taken (default "both"). */
  directionFilter?: DirectionFilter;
  /** Cap on the open quantity (null: none). */
  maxContracts?: number | null;
  /** Entries within this many seconds of the previous entry are ignored (default 0). */
  cooldownSeconds?: number;
  /** Signals whose time is older than this at receipt are refused 422 stale_signal (null: no check). */
  maxSignalAgeSeconds?: number | null;
  /** Adverse ticks added to every market fill (default 0). */
  slippageTicks?: number;
  /** IANA time zone of sessions and the trading day (default "America/New_York"). */
  timezone?: string;
  /** Entry windows (default []: always open). */
  sessions?: TradingSession[];
  flattenAtSessionEnd?: boolean;
  /** "HH:MM" in `timezone` (default "18:00"). */
  tradingDayStart?: string;
  dailyLossLimit?: number | null;
  dailyProfitTarget?: number | null;
  flattenOnDailyLimit?: boolean;
  initialCapital?: number | null;
  /** This recorder also records every signal that reaches that recorder's webhook (null: none). */
  followsRecorderId?: string | null;
  createdAt?: string;
  updatedAt?: string;
  webhookToken?: string;
  webhookPath?: string;
  [k: string]: unknown;
}

export interface Fill {
  at: string;
  side: "buy" | "sell";
  quantity: number;
  price: number;
  reason?: string;
  /** Where the price came from: the signal's own price, or the live feed. */
  priceSource?: "signal" | "feed";
  /** The live feed's last price at that moment (null: no live feed). */
  feedPrice?: number | null;
}

export interface Position {
  id: string;
  recorderId: string;
  symbol: string;
  feedSymbol?: string;
  side: "long" | "short";
  status: "open" | "closed";
  quantity: number;
  maxQuantity?: number;
  avgEntryPrice: number;
  lastPrice?: number | null;
  unrealizedPnl?: number | null;
  realizedPnl?: number | null;
  worstUnrealizedPnl?: number | null;
  bestUnrealizedPnl?: number | null;
  worstPrice?: number | null;
  bestPrice?: number | null;
  worstAt?: string | null;
  bestAt?: string | null;
  takeProfitPrice?: number | null;
  stopLossPrice?: number | null;
  commission?: number | null;
  openedAt: string;
  closedAt?: string | null;
  exitPrice?: number | null;
  exitReason?: string | null;
  fills?: Fill[];
  /** Opened while the symbol's feed reported delayed data (its excursions come from delayed prices). */
  delayedData?: boolean;
  /** False when a scheduled signal had to be applied without a tick of its time (excursions may miss a part). */
  aligned?: boolean;
  [k: string]: unknown;
}

export interface Trade {
  id: string;
  positionId?: string;
  recorderId: string;
  symbol: string;
  side: "long" | "short";
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  grossPnl?: number;
  commission?: number;
  pnl: number;
  maxFavorable?: number | null;
  maxAdverse?: number | null;
  openedAt: string;
  closedAt: string;
  exitReason?: string | null;
  [k: string]: unknown;
}

export interface SignalLog {
  id: string;
  recorderId?: string | null;
  receivedAt: string;
  status: "applied" | "duplicate" | "rejected" | "scheduled" | string;
  result?: string | null;
  reason?: string | null;
  error?: { code?: string; message?: string; details?: unknown } | string | null;
  /** A scheduled signal (delayed feed, recorder setting delayedFeed "align"): the market time it applies at. */
  appliesAt?: string | null;
  symbol?: string | null;
  positionId?: string | null;
  body?: unknown;
  /** The body was longer than 8 KiB: `body` holds its first 8 KiB as text. */
  bodyTruncated?: boolean;
  [k: string]: unknown;
}

export interface FeedSymbol {
  feedSymbol: string;
  openPositions?: number;
  feed?: {
    state?: string;
    lastTickAt?: string | null;
    lastPrice?: number | null;
    updateMode?: string | null;
    reconnects?: number;
    delayed?: boolean;
    /** How far the feed's market time is behind the wall clock at the last tick, in seconds (null: no tick). */
    marketLagSeconds?: number | null;
    error?: string | null;
    [k: string]: unknown;
  } | null;
  ticksProcessed?: number;
  /** Signals waiting for the delayed feed's market time to reach them. */
  scheduledSignals?: number;
  /** D1 statements refused for good and set aside. */
  deadLetters?: number;
  lastDeadLetterError?: string | null;
  /** D1 deliveries not made yet. */
  pendingDeliveries?: number;
  [k: string]: unknown;
}

export interface EquityPoint {
  time: string;
  tradeId?: string | null;
  pnl: number;
  equity: number;
  peak?: number;
  drawdown?: number;
}

/** One entry of a 400's `details`: the offending field (a dotted path, e.g. "takeProfitLegs.1.percent"). */
export interface FieldProblem {
  field: string;
  problem: string;
}

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
  if (opts.body !== undefined) {
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
export async function downloadFile(path: string, fallbackName: string): Promise<string> {
  const res = await send(path, {});
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
  status: () => api<{ ok: boolean; symbols: FeedSymbol[] }>("/status"),

  recorders: (opts?: RequestOpts) => api<{ recorders: Recorder[] }>("/api/recorders", opts),
  recorder: (id: string) => api<{ recorder: Recorder }>(`/api/recorders/${enc(id)}`),
  createRecorder: (body: Partial<Recorder>) => api<{ recorder: Recorder }>("/api/recorders", { method: "POST", body }),
  updateRecorder: (id: string, body: Partial<Recorder>) =>
    api<{ recorder: Recorder }>(`/api/recorders/${enc(id)}`, { method: "PATCH", body }),
  deleteRecorder: (id: string) => api<unknown>(`/api/recorders/${enc(id)}`, { method: "DELETE" }),
  rotateToken: (id: string) => api<{ recorder: Recorder }>(`/api/recorders/${enc(id)}/rotate-token`, { method: "POST" }),
  /** Same settings, new token (returned once, like create). */
  cloneRecorder: (id: string, name: string) =>
    api<{ recorder: Recorder }>(`/api/recorders/${enc(id)}/clone`, { method: "POST", body: { name } }),
  /** Deletes closed positions, trades and the signal log; 409 recorder_has_open_positions while one is open. */
  resetRecorder: (id: string) => api<{ ok: boolean; [k: string]: unknown }>(`/api/recorders/${enc(id)}/reset`, { method: "POST" }),

  positions: (query: Query, signal?: AbortSignal) => api<{ positions: Position[] }>("/api/positions", { query, signal }),
  closePosition: (id: string, price?: number) =>
    api<{ position?: Position; trade?: Trade }>(`/api/positions/${enc(id)}/close`, {
      method: "POST",
      body: price !== undefined ? { price } : {},
    }),

  trades: (query: Query) => api<{ trades: Trade[]; nextCursor?: string | null }>("/api/trades", { query }),
  signals: (query: Query, signal?: AbortSignal) => api<{ signals: SignalLog[] }>("/api/signals", { query, signal }),
  stats: (id: string) => api<{ stats: Record<string, unknown> }>(`/api/recorders/${enc(id)}/stats`),
  equity: (id: string) => api<{ points: EquityPoint[] }>(`/api/recorders/${enc(id)}/equity`),
  tradesCsv: (id: string, name: string) => downloadFile(`/api/recorders/${enc(id)}/trades.csv`, name),

  tvSession: () => api<Record<string, unknown>>("/api/tradingview/session"),
  setTvSession: (body: { sessionid: string; sessionid_sign?: string }) =>
    api<Record<string, unknown>>("/api/tradingview/session", { method: "POST", body }),
  deleteTvSession: () => api<Record<string, unknown>>("/api/tradingview/session", { method: "DELETE" }),
};

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
