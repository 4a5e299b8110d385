// Equity curve + drawdown (lightweight-charts v5, loaded lazily so the first screen stays small) and an
// MAE-vs-result scatter drawn as plain SVG.
import type { IChartApi, UTCTimestamp } from "lightweight-charts";
import type { EquityPoint, Trade } from "./api";
import { h } from "./dom";
import { money } from "./format";

const GRID = "#1e2530";
const TEXT = "#8b95a5";
const GREEN = "#26a69a";
const RED = "#ef5350";
const BLUE = "#4c8dff";

/** Chart times must be strictly increasing seconds; trades closing in the same second get nudged apart.
 * lightweight-charts labels its axis in UTC, while every table of the dashboard shows local time: each time is
 * shifted by the local offset of its own moment, so the axis reads the same clock as the tables. */
function seconds(points: { time: string }[]): UTCTimestamp[] {
  const out: number[] = [];
  let prev = -Infinity;
  for (const p of points) {
    const ms = new Date(p.time).getTime();
    let t = Math.floor(ms / 1000) - (Number.isFinite(ms) ? new Date(ms).getTimezoneOffset() * 60 : 0);
    if (!Number.isFinite(t)) t = prev + 1;
    if (t <= prev) t = prev + 1;
    out.push(t);
    prev = t;
  }
  return out as UTCTimestamp[];
}

export async function equityChart(container: HTMLElement, points: EquityPoint[]): Promise<IChartApi> {
  const { createChart, LineSeries, HistogramSeries, AreaSeries } = await import("lightweight-charts");
  const chart = createChart(container, {
    autoSize: true,
    layout: { background: { color: "transparent" }, textColor: TEXT, fontSize: 11, panes: { separatorColor: GRID } },
    grid: { vertLines: { color: GRID }, horzLines: { color: GRID } },
    rightPriceScale: { borderColor: GRID },
    timeScale: { borderColor: GRID, timeVisible: true, secondsVisible: false },
    crosshair: { mode: 0 },
  });
  // Start the curve at 0 (as the Strategy Tester does) unless the API already sent its start point.
  const hasStart = points[0].tradeId == null && points[0].equity === 0;
  const times = seconds(points);
  const start = (times[0] - 1) as UTCTimestamp;
  const lead = <T,>(p: T) => (hasStart ? [] : [p]);

  const equity = chart.addSeries(AreaSeries, {
    lineColor: BLUE,
    topColor: "rgba(76,141,255,0.28)",
    bottomColor: "rgba(76,141,255,0.02)",
    lineWidth: 2,
    title: "Equity",
    priceFormat: { type: "price", precision: 2, minMove: 0.01 },
  });
  equity.setData([...lead({ time: start, value: 0 }), ...points.map((p, i) => ({ time: times[i], value: p.equity }))]);
  // Room above the highest value: its axis label and the "Equity" tag are drawn whole, not cut by the pane's edge.
  equity.priceScale().applyOptions({ scaleMargins: { top: 0.12, bottom: 0.06 } });

  if (points.some((p) => typeof p.peak === "number")) {
    // No axis tag: at a new high the peak equals the equity, and its tag was drawn on top of the "Equity" one.
    const peak = chart.addSeries(LineSeries, { color: "rgba(139,149,165,0.55)", lineWidth: 1, lineStyle: 2, title: "", lastValueVisible: false, priceLineVisible: false, crosshairMarkerVisible: false });
    peak.setData([...lead({ time: start, value: 0 }), ...points.map((p, i) => ({ time: times[i], value: p.peak ?? p.equity }))]);
  }

  const dd = chart.addSeries(
    HistogramSeries,
    { color: RED, title: "Drawdown", priceFormat: { type: "price", precision: 2, minMove: 0.01 }, priceLineVisible: false },
    1,
  );
  dd.setData([...lead({ time: start, value: 0 }), ...points.map((p, i) => ({ time: times[i], value: -Math.abs(p.drawdown ?? 0), color: (p.drawdown ?? 0) === 0 ? "rgba(38,166,154,0.5)" : RED }))]);
  // The drawdown's 0 is the top of its pane and its deepest value the bottom: margins at both ends keep the
  // "Drawdown" tag off the pane separator and the time axis, and off the scale's own labels (they overlapped at
  // 90 px with no margin).
  dd.priceScale().applyOptions({ scaleMargins: { top: 0.22, bottom: 0.16 } });
  const panes = chart.panes();
  if (panes[1]) panes[1].setHeight(110);
  chart.timeScale().fitContent();
  return chart;
}

/** Scatter: x = MAE (worst unrealized P&L, ≤ 0), y = net result. Winners green, losers red. */
export function maeScatter(trades: Trade[]): SVGSVGElement | HTMLElement {
  const pts = trades.filter((t) => Number.isFinite(t.maxAdverse) && Number.isFinite(t.pnl));
  if (!pts.length) return h("p", { class: "muted" }, "No closed trades yet.");
  const W = 520;
  const H = 300;
  const m = { l: 64, r: 14, t: 12, b: 34 };
  const xs = pts.map((t) => t.maxAdverse as number);
  const ys = pts.map((t) => t.pnl);
  const xmin = Math.min(0, ...xs);
  const xmax = Math.max(0, ...xs);
  const ymin = Math.min(0, ...ys);
  const ymax = Math.max(0, ...ys);
  // keep a sensible scale when every MAE (or result) is 0
  const spanY = Math.max(ymax - ymin, 1);
  const spanX = Math.max(xmax - xmin, spanY * 0.25, 1);
  const padX = spanX * 0.06 + (spanX - (xmax - xmin)) / 2;
  const padY = spanY * 0.08 + (spanY - (ymax - ymin)) / 2;
  const x0 = xmin - padX;
  const x1 = xmax + padX;
  const y0 = ymin - padY;
  const y1 = ymax + padY;
  const sx = (v: number) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (v: number) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);

  const NS = "http://www.w3.org/2000/svg";
  const el = <K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, class: "scatter", role: "img", "aria-label": "MAE versus trade result", "data-testid": "mae-scatter" });
  // "nice" round tick values (1, 2, 5 × 10^k) inside [a, b]
  const ticks = (a: number, b: number, n = 5) => {
    const raw = (b - a) / n;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
    const out: number[] = [];
    for (let v = Math.ceil(a / step) * step; v <= b + 1e-9; v += step) out.push(Math.abs(v) < 1e-9 ? 0 : v);
    return out;
  };
  for (const v of ticks(y0, y1)) {
    svg.appendChild(el("line", { x1: m.l, x2: W - m.r, y1: sy(v), y2: sy(v), stroke: GRID }));
    svg.appendChild(el("text", { x: m.l - 6, y: sy(v) + 3, "text-anchor": "end", fill: TEXT, "font-size": 10 }, money(v)));
  }
  for (const v of ticks(x0, x1)) {
    svg.appendChild(el("line", { x1: sx(v), x2: sx(v), y1: m.t, y2: H - m.b, stroke: GRID }));
    svg.appendChild(el("text", { x: sx(v), y: H - m.b + 14, "text-anchor": "middle", fill: TEXT, "font-size": 10 }, money(v)));
  }
  // zero axes
  svg.appendChild(el("line", { x1: m.l, x2: W - m.r, y1: sy(0), y2: sy(0), stroke: "#3a4456" }));
  svg.appendChild(el("line", { x1: sx(0), x2: sx(0), y1: m.t, y2: H - m.b, stroke: "#3a4456" }));
  svg.appendChild(el("text", { x: (m.l + W - m.r) / 2, y: H - 4, "text-anchor": "middle", fill: TEXT, "font-size": 11 }, "MAE (worst unrealized P&L)"));
  const yl = el("text", { x: 12, y: (m.t + H - m.b) / 2, "text-anchor": "middle", fill: TEXT, "font-size": 11, transform: `rotate(-90 12 ${(m.t + H - m.b) / 2})` }, "Result (net P&L)");
  svg.appendChild(yl);
  for (const t of pts) {
    const c = el("circle", { cx: sx(t.maxAdverse as number), cy: sy(t.pnl), r: 4, fill: t.pnl > 0 ? GREEN : t.pnl < 0 ? RED : TEXT, "fill-opacity": 0.8, stroke: "#0b0f14", "stroke-width": 1 });
    c.appendChild(el("title", {}, `${t.symbol} ${t.side} · MAE ${money(t.maxAdverse)} · result ${money(t.pnl)} · ${t.closedAt}`));
    svg.appendChild(c);
  }
  return svg;
}

/** One cumulative P&L line of an overlay: points in time order, each the running total after a trade. */
export interface CurveLine {
  title: string;
  color: string;
  points: { time: string; value: number }[];
}

export const CURVE_COLORS = { backtest: "#f0b429", live: BLUE };

/** Several cumulative P&L curves on one time axis (backtest beside live), each starting at 0 just before its first
 * point, so where they part is where the results part. Lines without points are left out. */
export async function curvesChart(container: HTMLElement, lines: CurveLine[]): Promise<IChartApi> {
  const { createChart, LineSeries } = await import("lightweight-charts");
  const chart = createChart(container, {
    autoSize: true,
    layout: { background: { color: "transparent" }, textColor: TEXT, fontSize: 11 },
    grid: { vertLines: { color: GRID }, horzLines: { color: GRID } },
    rightPriceScale: { borderColor: GRID },
    timeScale: { borderColor: GRID, timeVisible: true, secondsVisible: false },
    crosshair: { mode: 0 },
  });
  for (const line of lines) {
    if (!line.points.length) continue;
    const times = seconds(line.points);
    const series = chart.addSeries(LineSeries, {
      color: line.color,
      lineWidth: 2,
      title: line.title,
      priceFormat: { type: "price", precision: 2, minMove: 0.01 },
    });
    series.setData([{ time: (times[0] - 1) as UTCTimestamp, value: 0 }, ...line.points.map((p, i) => ({ time: times[i], value: p.value }))]);
  }
  chart.timeScale().fitContent();
  return chart;
}
