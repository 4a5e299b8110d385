// Every recorder setting the API accepts (CONTRACT "POST /api/recorders" and second round "Exits and risk
// rules", "More than one recorder per alert"), grouped as the form and the detail panel show them, each with a
// short help text: what it does, its unit and its default. `def` is the API's default (what an absent field
// means), taken from the table the API's schema uses (src/api/recorder-defaults.ts), so the form sends only what
// differs from it.
import { RECORDER_DEFAULTS as D } from "../../../src/api/recorder-defaults";
import type { Recorder, TakeProfitLeg, TradingSession } from "../api";
import { DASH, money, plain } from "../format";

export type SettingKind =
  | "text"
  | "int"
  | "num"
  | "bool"
  | "select"
  | "time"
  | "timezone"
  | "legs"
  | "sessions"
  | "trailing"
  | "breakEven"
  | "follows";

export type SettingKey = keyof Recorder & string;

export interface SettingDef {
  key: SettingKey;
  label: string;
  kind: SettingKind;
  /** What it does, unit, default. */
  help: string;
  /** Placeholder. */
  hint?: string;
  /** kind "select": [value, label]. */
  options?: [string, string][];
  /** Empty means null ("none"). */
  nullable?: boolean;
  /** The API's default (undefined: none / null). */
  def?: unknown;
  min?: number;
  /** The field takes a whole form row. */
  wide?: boolean;
  /** A USD amount (shown as money). */
  usd?: boolean;
}

export interface SettingGroup {
  id: string;
  title: string;
  blurb?: string;
  fields: SettingDef[];
}

export const GROUPS: SettingGroup[] = [
  {
    id: "general",
    title: "General",
    fields: [
      { key: "name", label: "Name", kind: "text", hint: "e.g. NQ breakout 5m", help: "Shown in lists and reports. Required." },
      {
        key: "symbol",
        label: "Symbol",
        kind: "text",
        nullable: true,
        hint: "optional, e.g. MNQ1!",
        help: "Ticker used when an alert has none, e.g. MNQ1! or CME_MINI:MNQ1!. Empty (default): the alert's ticker.",
      },
      { key: "enabled", label: "Enabled", kind: "bool", def: D.enabled, help: "Off: the webhook answers 404 and nothing is recorded. Default on." },
    ],
  },
  {
    id: "entries",
    title: "Entries & sizing",
    fields: [
      { key: "initialQuantity", label: "Initial quantity", kind: "num", def: D.initialQuantity, min: 0, help: "Contracts a buy/sell opens when flat and the alert gives no quantity. Default 1." },
      { key: "addQuantity", label: "Add quantity", kind: "num", def: D.addQuantity, min: 0, help: "Contracts a same-side signal adds (DCA) when the alert gives no quantity. Default 1." },
      { key: "allowAdd", label: "Allow adds (DCA)", kind: "bool", def: D.allowAdd, help: "A buy while long (sell while short) adds to the position; off: ignored (add_not_allowed). Default on." },
      { key: "reverseOnOpposite", label: "Reverse on opposite signal", kind: "bool", def: D.reverseOnOpposite, help: "A sell while long closes and opens short (and vice versa); off: it only closes. Default on." },
      {
        key: "directionFilter",
        label: "Direction",
        kind: "select",
        def: D.directionFilter,
        options: [
          ["both", "long and short (default)"],
          ["long", "long only"],
          ["short", "short only"],
        ],
        help: "Entries on the other side are ignored (direction_filtered); exits always apply, and a reversal into it only closes. Default both.",
      },
      { key: "maxContracts", label: "Max contracts", kind: "num", nullable: true, min: 0, hint: "no cap", help: "Cap on the open quantity; a fill that would go above it is cut to the cap. Empty (default): no cap." },
      { key: "quantityStep", label: "Quantity step", kind: "num", def: D.quantityStep, min: 0, help: "Smallest quantity a signal may use: 1 = whole contracts, 0.001 allows fractions. Default 1." },
      { key: "cooldownSeconds", label: "Cooldown (s)", kind: "int", def: D.cooldownSeconds, min: 0, help: "Seconds after an entry during which new entries (opens, adds) are ignored (cooldown); exits never are. Default 0 (off)." },
    ],
  },
  {
    id: "exits",
    title: "Exits",
    fields: [
      { key: "takeProfitTicks", label: "Take profit (ticks)", kind: "num", nullable: true, min: 0, hint: "none", help: "One take-profit this many ticks from the average entry. Empty (default): none. Legs below override it." },
      { key: "stopLossTicks", label: "Stop loss (ticks)", kind: "num", nullable: true, min: 0, hint: "none", help: "Stop this many ticks from the average entry (recomputed after an add). Empty (default): none." },
      {
        key: "takeProfitLegs",
        label: "Take-profit legs (scale out)",
        kind: "legs",
        wide: true,
        help: "Each leg exits its percent of the quantity held at entry at avg entry ± ticks (rounded down to the quantity step; the last leg takes the rest). 1–10 legs, ticks ascending, percents summing to 100. None (default): off.",
      },
      {
        key: "trailingStop",
        label: "Trailing stop",
        kind: "trailing",
        wide: true,
        help: "Once price is trigger ticks beyond the avg entry (0 = at once), the stop follows the best price distance ticks behind it and only tightens (trailing_stop). Whole ticks. Default off.",
      },
      {
        key: "breakEven",
        label: "Break-even",
        kind: "breakEven",
        wide: true,
        help: "Once price is trigger ticks beyond the avg entry, the stop moves to entry + offset ticks in your favour, when tighter (break_even). Whole ticks, offset below trigger. Default off.",
      },
      {
        key: "slippageTicks",
        label: "Slippage (ticks)",
        kind: "int",
        def: D.slippageTicks,
        min: 0,
        help: "Adverse ticks added to every market fill (signals, stops, manual, session and daily-limit closes), never to take-profits. Default 0.",
      },
    ],
  },
  {
    id: "risk",
    title: "Risk & sessions",
    fields: [
      { key: "timezone", label: "Time zone", kind: "timezone", def: D.timezone, help: "IANA name for sessions, the trading day and the times in an imported backtest CSV (use the chart's zone), e.g. Europe/London. Default America/New_York." },
      { key: "tradingDayStart", label: "Trading day starts", kind: "time", def: D.tradingDayStart, help: "HH:MM in the time zone; daily limits count from here. Default 18:00." },
      {
        key: "sessions",
        label: "Sessions",
        kind: "sessions",
        wide: true,
        def: D.sessions,
        help: "Windows in which entries are taken; outside all of them entries are ignored (outside_session). An end before the start ends the next day. None (default): always open.",
      },
      { key: "flattenAtSessionEnd", label: "Flatten at session end", kind: "bool", def: D.flattenAtSessionEnd, help: "At a session's end an open position closes at the last feed price (session_end). Default off." },
      { key: "dailyLossLimit", label: "Daily loss limit ($)", kind: "num", nullable: true, usd: true, min: 0, hint: "none", help: "USD, positive. When the day's realized net P&L reaches −limit, entries stop until the next trading day (daily_limit). Empty (default): none." },
      { key: "dailyProfitTarget", label: "Daily profit target ($)", kind: "num", nullable: true, usd: true, min: 0, hint: "none", help: "USD, positive. The same at +target. Empty (default): none." },
      { key: "flattenOnDailyLimit", label: "Flatten on daily limit", kind: "bool", def: D.flattenOnDailyLimit, help: "Also close an open position on the tick where realized + unrealized reaches the limit or target. Default off." },
      { key: "maxSignalAgeSeconds", label: "Max signal age (s)", kind: "int", nullable: true, min: 1, hint: "no check", help: "A signal whose time is older than this on arrival is refused (422 stale_signal). Empty (default): no check." },
    ],
  },
  {
    id: "followers",
    title: "Followers",
    fields: [
      {
        key: "followsRecorderId",
        label: "Follows recorder",
        kind: "follows",
        wide: true,
        help: "Also record every signal that reaches that recorder's webhook, with this recorder's own settings. A follower cannot be followed, and a recorder with followers cannot follow. None (default): own webhook only.",
      },
    ],
  },
  {
    id: "advanced",
    title: "Advanced",
    blurb: "Costs, instrument overrides, report capital and webhook housekeeping.",
    fields: [
      { key: "commissionPerContract", label: "Commission / contract ($)", kind: "num", def: D.commissionPerContract, min: 0, usd: true, help: "USD per contract, charged on every fill (entries and exits). Default 0." },
      { key: "tickSize", label: "Tick size override", kind: "num", nullable: true, min: 0, hint: "from instrument", help: "Price increment; overrides the instrument table (makes unknown symbols usable). Empty (default): the instrument's." },
      { key: "tickValue", label: "Tick value override ($)", kind: "num", nullable: true, min: 0, usd: true, hint: "from instrument", help: "USD per tick per contract; overrides the instrument table. Empty (default): the instrument's." },
      { key: "initialCapital", label: "Initial capital ($)", kind: "num", nullable: true, min: 0, usd: true, hint: "none", help: "USD. Gives the report its percent figures (net profit %, drawdown %) and Sharpe / Sortino. Empty (default): none." },
      { key: "dedupeWindowSeconds", label: "Dedupe window (s)", kind: "int", def: D.dedupeWindowSeconds, min: 0, hint: "0 disables", help: "Seconds: an identical alert body without an id within this window is a duplicate. 0 disables. Default 10." },
      { key: "maxSignalsPerMinute", label: "Max signals / minute", kind: "int", def: D.maxSignalsPerMinute, min: 1, help: "Beyond this (accepted and rejected alike) the webhook answers 429 rate_limited. Default 60." },
      { key: "signalLogRetentionDays", label: "Signal log kept (days)", kind: "int", def: D.signalLogRetentionDays, min: 1, help: "Signal-log rows older than this are deleted. Default 90." },
      {
        key: "delayedFeed",
        label: "Delayed feed",
        kind: "select",
        def: D.delayedFeed,
        options: [
          ["align", "align (default)"],
          ["immediate", "immediate"],
        ],
        wide: true,
        help: "With a delayed TradingView feed (no real-time subscription), align applies each signal when the feed's 15-minute-late prices reach its time, so MAE/MFE come from the prices of the trade itself; immediate applies at once. Default align.",
      },
    ],
  },
];

export const SETTINGS: SettingDef[] = GROUPS.flatMap((g) => g.fields);

/** The value a recorder has for a setting, its API default when the API does not return it. */
export function currentValue(r: Recorder, f: SettingDef): unknown {
  const v = r[f.key];
  return v === undefined ? (f.def ?? null) : v;
}

/** JSON equality with null == undefined (setting values are plain JSON). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

// ---- read-only rendering (detail panel, list tags) --------------------------------------------------------

const DAY_LABEL: Record<string, string> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };
const ORDER = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** "Mon–Fri", "Mon, Wed", "every day". */
export function daysText(days: string[]): string {
  const idx = [...new Set(days)].map((d) => ORDER.indexOf(d)).filter((i) => i >= 0).sort((a, b) => a - b);
  if (idx.length === 7) return "every day";
  if (!idx.length) return "no days";
  const runs: string[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    const a = DAY_LABEL[ORDER[idx[i]]];
    const b = DAY_LABEL[ORDER[idx[j]]];
    runs.push(j - i >= 2 ? `${a}–${b}` : j > i ? `${a}, ${b}` : a);
    i = j + 1;
  }
  return runs.join(", ");
}

export function legsText(legs: TakeProfitLeg[]): string {
  return legs.map((l, i) => `TP${i + 1} ${plain(l.ticks)}t ${plain(l.percent)}%`).join(" · ");
}

export function sessionsText(sessions: TradingSession[]): string {
  return sessions.map((s) => `${daysText(s.days ?? [])} ${s.start}–${s.end}${s.end <= s.start ? " (+1 day)" : ""}`).join("; ");
}

/** A setting's value as text for the detail panel. `names` resolves recorder ids. */
export function settingText(r: Recorder, f: SettingDef, names: (id: string) => string): string {
  const v = currentValue(r, f);
  switch (f.kind) {
    case "bool":
      return v === null ? DASH : v ? "yes" : "no";
    case "legs":
      return Array.isArray(v) && v.length ? legsText(v as TakeProfitLeg[]) : "off";
    case "sessions":
      return Array.isArray(v) && v.length ? sessionsText(v as TradingSession[]) : "always open";
    case "trailing": {
      const t = v as Recorder["trailingStop"];
      return t ? `trigger ${plain(t.triggerTicks)}t, distance ${plain(t.distanceTicks)}t` : "off";
    }
    case "breakEven": {
      const b = v as Recorder["breakEven"];
      return b ? `trigger ${plain(b.triggerTicks)}t, offset ${plain(b.offsetTicks)}t` : "off";
    }
    case "follows":
      return typeof v === "string" && v ? names(v) : "none";
    case "select":
      return f.options?.find(([value]) => value === v)?.[1] ?? plain(v);
    default:
      if (v === null || v === "") return f.hint ?? DASH;
      return f.usd ? money(v) : plain(v);
  }
}
