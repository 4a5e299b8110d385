// Recorder report: Strategy Tester metrics (All / Long / Short columns), equity curve with drawdown underneath, MAE-vs-result scatter.
// Stats, equity and the CSV count trades either as round trips (flat → flat, the default) or "as the Strategy
// Tester lists" them (one per entry, `?pairing=entries`), so a pyramiding strategy compares like for like with its
// backtest; the choice lives in the hash (#/report/:id?pairing=entries) so a link keeps it.
import type { IChartApi } from "lightweight-charts";
import { Api, type Pairing, type Stats, type StatsResponse, type Trade } from "../api";
import { equityChart, maeScatter } from "../charts";
import { h, replace, toast } from "../dom";
import { DASH, duration, fixed2, isNum, money, pct, pnlClass, plain } from "../format";
import { errorBox, hashQuery, navigate, pageHeader, recorderSelect, screenRecorders, setHashQuery } from "../shared";

type Kind = "money" | "pnl" | "pct" | "fraction" | "ratio" | "count" | "duration" | "text" | "plain";

/** Strategy Tester labels, in the Tester's order (the percent figures beside their amounts; they need the
 * recorder's initial capital, else "—"); any other numeric key the API adds is shown after these. The optional
 * fourth element is the row's tooltip. */
const KNOWN: [keyof Stats, string, Kind, string?][] = [
  ["netProfit", "Net profit", "pnl"],
  ["netProfitPercent", "Net profit %", "pct", "Net profit as a percent of the recorder's initial capital (set it in the recorder's settings)"],
  ["grossProfit", "Gross profit", "money"],
  ["grossLoss", "Gross loss", "money"],
  ["maxRunup", "Max run-up", "money"],
  ["maxRunupPercent", "Max run-up %", "pct", "The largest rise of account equity as a percent of the low it rose from (needs the initial capital)"],
  ["maxDrawdown", "Max drawdown", "money"],
  ["maxDrawdownPercent", "Max drawdown %", "pct", "The largest fall of account equity as a percent of the peak it fell from (needs the initial capital)"],
  ["profitFactor", "Profit factor", "ratio"],
  ["commissionPaid", "Commission paid", "money"],
  ["openPnl", "Open P&L", "pnl"],
  ["totalClosedTrades", "Total closed trades", "count"],
  ["totalOpenTrades", "Total open trades", "count", "Positions open now"],
  ["winningTrades", "Winning trades", "count"],
  ["losingTrades", "Losing trades", "count"],
  ["breakevenTrades", "Breakeven trades", "count"],
  ["percentProfitable", "Percent profitable", "pct"],
  ["avgTrade", "Avg trade", "pnl"],
  ["avgWinningTrade", "Avg winning trade", "money"],
  ["avgLosingTrade", "Avg losing trade", "money"],
  ["ratioAvgWinAvgLoss", "Ratio avg win / avg loss", "ratio"],
  ["largestWinningTrade", "Largest winning trade", "money"],
  ["largestLosingTrade", "Largest losing trade", "money"],
  ["maxContractsHeld", "Max contracts held", "count"],
  ["avgTimeInTradeMs", "Avg time in trade", "duration"],
  ["avgTimeInWinningTradeMs", "Avg time in winning trade", "duration"],
  ["avgTimeInLosingTradeMs", "Avg time in losing trade", "duration"],
  ["sharpeRatio", "Sharpe ratio", "ratio"],
  ["sortinoRatio", "Sortino ratio", "ratio"],
  ["ratioPeriod", "Sharpe/Sortino period", "text"],
  ["avgMae", "Avg MAE (all trades)", "pnl"],
  ["avgMfe", "Avg MFE (all trades)", "pnl"],
  ["avgMaeWinners", "Avg MAE of winners", "pnl"],
  ["avgMfeLosers", "Avg MFE of losers", "pnl"],
  [
    "mfeCaptured",
    "Best open profit kept",
    "fraction",
    "Of all the open profit the trades reached at their best (MFE), the share kept at the close: Σ net P&L ÷ Σ MFE over the trades that were in profit at some point. Negative when they gave it all back and more.",
  ],
  ["scratchedTrades", "Scratched at breakeven", "count", "Trades that were in profit but closed within their commission of zero"],
];
/** Not shown: avgMfeCaptured is a mean of ratios, which one trade up $0.50 that closed at −$50 swamps
 * (mfeCaptured above replaces it). */
const HIDDEN = new Set<string>(["avgMfeCaptured"]);
const HEADLINE = ["netProfit", "totalClosedTrades", "percentProfitable", "profitFactor", "maxDrawdown", "avgTrade"];

function humanize(key: string): string {
  const s = key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/_/g, " ").toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1).replace(/\b(pnl|mae|mfe)\b/gi, (m) => m.toUpperCase());
}

function guessKind(key: string): Kind {
  if (/percent|pct/i.test(key)) return "pct";
  if (/ratio|factor/i.test(key)) return "ratio";
  if (/trades$|count|contracts|held|bars/i.test(key)) return "count";
  if (/Ms$/.test(key)) return "duration";
  if (/seconds|minutes|time|duration/i.test(key)) return "plain";
  return "money";
}

/** One figure; `cls` is "value" for the All column (and the headline tiles), "value-long" / "value-short" for the
 * side columns, so a test (or a user's stylesheet) can tell them apart. */
function fmt(v: unknown, kind: Kind, cls = "value"): HTMLElement {
  if (v === null || v === undefined) return h("span", { class: `${cls} num flat` }, DASH);
  switch (kind) {
    case "pnl":
      return h("span", { class: `${cls} num ${pnlClass(v)}` }, money(v, true));
    case "money":
      return h("span", { class: `${cls} num` }, money(v));
    case "pct":
      return h("span", { class: `${cls} num` }, pct(v));
    case "fraction":
      return h("span", { class: `${cls} num`, title: String(v) }, isNum(v) ? pct(v * 100) : DASH);
    case "duration":
      return h("span", { class: `${cls} num` }, isNum(v) ? duration(v) : DASH);
    case "text":
      return h("span", { class: cls }, String(v));
    case "ratio":
      return h("span", { class: `${cls} num` }, fixed2(v));
    case "count":
      return h("span", { class: `${cls} num` }, plain(v));
    default:
      return h("span", { class: `${cls} num` }, plain(v));
  }
}

export function reportView(root: HTMLElement, params: string[]): () => void {
  let alive = true;
  let chart: IChartApi | null = null;
  /** Bumped by every load, so an older load that finishes late does not draw over a newer one. */
  let generation = 0;
  const id = params[0] ?? "";
  let pairing: Pairing = hashQuery().get("pairing") === "entries" ? "entries" : "round_trips";
  const selSlot = h("span");
  const toggle = pairingToggle(pairing, (next) => {
    pairing = next;
    setHashQuery(next === "entries" ? { pairing: "entries" } : {});
    if (id) void load(id);
  });
  const csv = h("button", { class: "btn btn-sm", type: "button", "data-testid": "report-csv" }, "Download CSV");
  const compare = h("a", { class: "btn btn-sm", href: id ? `#/backtest/${encodeURIComponent(id)}` : "#/backtest", "data-testid": "open-backtest" }, "Backtest vs live");
  const body = h("div", { class: "report" });
  replace(root, pageHeader("Report", selSlot, toggle, csv, compare), body);

  csv.addEventListener("click", async () => {
    if (!id) return;
    csv.disabled = true;
    try {
      toast(`Downloaded ${await Api.tradesCsv(id, "List_of_trades.csv", pairing)}`, "ok");
    } catch (e) {
      body.prepend(errorBox(e, "CSV download failed"));
    } finally {
      csv.disabled = false;
    }
  });

  void (async () => {
    const list = await screenRecorders(body, "report", id, () => alive);
    if (!list || !id) return;
    const sel = recorderSelect(list, id, null, "report-recorder");
    sel.addEventListener("change", () => navigate(`report/${encodeURIComponent(sel.value)}${pairing === "entries" ? "?pairing=entries" : ""}`));
    replace(selSlot, sel);
    await load(id);
  })();

  async function load(recorderId: string): Promise<void> {
    const gen = ++generation;
    chart?.remove();
    chart = null;
    const statsBox = h("section", { class: "card" }, h("p", { class: "muted" }, "Loading metrics…"));
    const chartBox = h("div", { class: "chart", "data-testid": "equity-chart" });
    const equityCard = h("section", { class: "card" }, h("h2", null, "Equity curve & drawdown"), chartBox);
    const scatterCard = h("section", { class: "card" }, h("h2", null, "MAE vs result", pairing === "entries" ? h("span", { class: "muted small" }, "(round trips)") : null), h("p", { class: "muted small" }, "Each dot is a closed trade: how far it went against you (x) and how it ended (y). Winners far left ended well after deep heat; losers near 0 on x never had room."), h("div", { class: "scatter-wrap" }, h("p", { class: "muted" }, "Loading…")));
    replace(body, statsBox, h("div", { class: "report-grid" }, equityCard, scatterCard));

    const [stats, equity, trades] = await Promise.allSettled([Api.stats(recorderId, pairing), Api.equity(recorderId, pairing), allTrades(recorderId)]);
    if (!alive || gen !== generation) return;

    if (stats.status === "fulfilled") replace(statsBox, statsView(stats.value));
    else replace(statsBox, errorBox(stats.reason, "Could not load metrics"));

    if (equity.status === "fulfilled") {
      const pts = (equity.value.points ?? []).filter((p) => isNum(p.equity));
      if (!pts.length) replace(chartBox, h("p", { class: "muted" }, "No closed trades yet — the equity curve starts with the first one."));
      else {
        try {
          const c = await equityChart(chartBox, pts);
          if (!alive || gen !== generation) c.remove();
          else chart = c;
        } catch (e) {
          replace(chartBox, errorBox(e, "Chart failed"));
        }
      }
    } else replace(chartBox, errorBox(equity.reason, "Could not load equity"));

    const wrap = scatterCard.querySelector(".scatter-wrap")!;
    if (trades.status === "fulfilled") replace(wrap, maeScatter(trades.value));
    else replace(wrap, errorBox(trades.reason, "Could not load trades"));
  }

  return () => {
    alive = false;
    chart?.remove();
    chart = null;
  };
}

/** Two buttons, one pressed: how the report counts trades. */
function pairingToggle(initial: Pairing, change: (p: Pairing) => void): HTMLElement {
  const options: [Pairing, string, string][] = [
    ["round_trips", "Round trips", "One trade per position, flat to flat (adds and partial exits merged)"],
    ["entries", "As the Strategy Tester lists", "One trade per entry fill, exits matched first in, first out, as TradingView's Strategy Tester counts them"],
  ];
  const buttons = options.map(([value, label, title]) => {
    const b = h("button", { class: "btn btn-sm", type: "button", title, "data-testid": `pairing-${value}`, "aria-pressed": String(value === initial) }, label);
    b.addEventListener("click", () => {
      if (b.getAttribute("aria-pressed") === "true") return;
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === b));
      change(value);
    });
    return b;
  });
  return h("div", { class: "segmented", role: "group", "aria-label": "Count trades as", "data-testid": "pairing-toggle" }, buttons);
}

async function allTrades(recorderId: string, cap = 2000): Promise<Trade[]> {
  const out: Trade[] = [];
  let cursor: string | null = null;
  do {
    const res: { trades: Trade[]; nextCursor?: string | null } = await Api.trades({ recorderId, limit: 500, cursor });
    out.push(...(res.trades ?? []));
    cursor = res.nextCursor ?? null;
  } while (cursor && out.length < cap);
  return out;
}

/** The headline tiles, then the Performance Summary as a table with the Strategy Tester's All / Long / Short
 * columns. Each row is `stat-<key>`; the All figure has class `value`, the sides `value-long` / `value-short`. */
function statsView(res: StatsResponse): HTMLElement {
  const all = (res.stats ?? {}) as unknown as Record<string, unknown>;
  const long = (res.bySide?.long ?? {}) as unknown as Record<string, unknown>;
  const short = (res.bySide?.short ?? {}) as unknown as Record<string, unknown>;
  const known = new Map(KNOWN.map(([k, label, kind]) => [k as string, { label, kind }]));
  const rows: [string, string, Kind, string?][] = [];
  for (const [k, label, kind, title] of KNOWN) if (k in all) rows.push([k, label, kind, title]);
  for (const k of Object.keys(all)) {
    if (known.has(k) || HIDDEN.has(k)) continue;
    const v = all[k];
    if (v === null || typeof v === "number") rows.push([k, humanize(k).replace(/ ms$/, ""), guessKind(k)]);
  }
  const head = HEADLINE.filter((k) => k in all).map((k) => {
    const d = known.get(k)!;
    // Net profit's tile also gives it as a percent of the initial capital, as the Strategy Tester's header does.
    const sub = k === "netProfit" && isNum(all.netProfitPercent) ? h("span", { class: "sub num", "data-testid": "headline-netProfitPercent" }, pct(all.netProfitPercent)) : null;
    return h("div", { class: "stat big", "data-key": k }, h("span", { class: "label" }, d.label), h("span", null, fmt(all[k], d.kind), sub));
  });
  const table = (part: typeof rows) =>
    h(
      "div",
      { class: "stats-scroll" },
      h(
        "table",
        { class: "grid stats-table" },
        h("thead", null, h("tr", null, h("th", null, "Metric"), h("th", { class: "r" }, "All"), h("th", { class: "r" }, "Long"), h("th", { class: "r" }, "Short"))),
        h(
          "tbody",
          null,
          part.map(([k, label, kind, title]) =>
            h(
              "tr",
              { class: "stat-row", "data-key": k, "data-testid": `stat-${k}` },
              h("th", { scope: "row", class: title ? "label has-hint" : "label", title: title ?? null }, label),
              h("td", { class: "r" }, fmt(all[k], kind)),
              h("td", { class: "r" }, fmt(long[k], kind, "value-long")),
              h("td", { class: "r" }, fmt(short[k], kind, "value-short")),
            ),
          ),
        ),
      ),
    );
  // Two tables side by side on a desk (the summary stays one screen high), one under the other below 1000 px.
  const half = Math.ceil(rows.length / 2);
  return h(
    "div",
    { "data-testid": "stats" },
    h("div", { class: "summary" }, head),
    // each table scrolls in its own box: on a phone the page never scrolls sideways
    rows.length ? h("div", { class: "stats-tables", "data-testid": "stats-table" }, table(rows.slice(0, half)), table(rows.slice(half))) : h("p", { class: "muted" }, "No metrics yet."),
  );
}
