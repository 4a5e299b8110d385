// Number/time formatting. Money is USD to the cent; null/undefined/NaN render as "—".
import { h } from "./dom";

export const DASH = "—";

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const num = new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 });
const num2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function isNum(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

export function money(v: unknown, signed = false): string {
  if (!isNum(v)) return DASH;
  const s = usd.format(Math.abs(v) < 0.005 ? 0 : v);
  return signed && v > 0.004 ? `+${s}` : s;
}

export function price(v: unknown): string {
  return isNum(v) ? num.format(v) : DASH;
}

export function plain(v: unknown): string {
  return isNum(v) ? num.format(v) : v === null || v === undefined || v === "" ? DASH : String(v);
}

export function fixed2(v: unknown): string {
  return isNum(v) ? num2.format(v) : DASH;
}

export function pct(v: unknown): string {
  return isNum(v) ? `${num2.format(v)}%` : DASH;
}

/** A coloured money cell: green above 0, red below. */
export function pnl(v: unknown, signed = true): HTMLSpanElement {
  const cls = !isNum(v) || Math.abs(v) < 0.005 ? "flat" : v > 0 ? "pos" : "neg";
  return h("span", { class: `num ${cls}` }, money(v, signed));
}

export function pnlClass(v: unknown): string {
  return !isNum(v) || Math.abs(v) < 0.005 ? "flat" : v > 0 ? "pos" : "neg";
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Local time "YYYY-MM-DD HH:MM:SS"; the title attribute keeps the ISO UTC string. */
export function dateTime(iso: unknown): string {
  if (typeof iso !== "string" || !iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local time of day "HH:MM:SS" (the user's time zone). */
export function clock(iso: unknown): string {
  if (typeof iso !== "string" || !iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** How far a feed's market time is behind the wall clock: "15 min behind", "3 s behind", "—" when unknown. */
export function lag(seconds: unknown): string {
  if (!isNum(seconds)) return DASH;
  const s = Math.abs(seconds);
  const dir = seconds < 0 ? "ahead" : "behind";
  if (s < 1) return "in step";
  if (s < 90) return `${Math.round(s)} s ${dir}`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ${dir}`;
  return `${(s / 3600).toFixed(1)} h ${dir}`;
}

export function timeCell(iso: unknown): HTMLSpanElement {
  return h("span", { class: "time", title: typeof iso === "string" ? iso : null }, dateTime(iso));
}

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return DASH;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${pad(s % 60)}s`;
  const hr = Math.floor(m / 60);
  if (hr < 48) return `${hr}h ${pad(m % 60)}m`;
  return `${Math.floor(hr / 24)}d ${pad(hr % 24)}h`;
}

export function between(a: unknown, b: unknown): string {
  if (typeof a !== "string" || typeof b !== "string") return DASH;
  return duration(new Date(b).getTime() - new Date(a).getTime());
}

export function ago(iso: unknown, now = Date.now()): string {
  if (typeof iso !== "string" || !iso) return DASH;
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return DASH;
  return `${duration(Math.max(0, now - t))} ago`;
}

export function isDelayedMode(mode: unknown): boolean {
  return typeof mode === "string" && mode !== "" && mode !== "streaming" && /delay/i.test(mode);
}

/** A signed count with a unit: "+2 ticks", "-1 tick", "0 ticks". */
export function signedUnits(v: unknown, unit: string, plural = `${unit}s`): string {
  if (!isNum(v)) return DASH;
  const n = Math.abs(v) < 1e-9 ? 0 : v;
  const sign = n > 0 ? "+" : n < 0 ? "-" : "";
  return `${sign}${num.format(Math.abs(n))} ${Math.abs(n) === 1 ? unit : plural}`;
}

/** A signed time difference in seconds: "+42s", "-3m 10s", "0s". */
export function signedSeconds(v: unknown): string {
  if (!isNum(v)) return DASH;
  const s = Math.round(v);
  return `${s > 0 ? "+" : s < 0 ? "-" : ""}${duration(Math.abs(s) * 1000)}`;
}
