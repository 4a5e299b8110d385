// Recorder report: Strategy Tester metrics, equity curve with drawdown underneath, MAE-vs-result scatter.
// Stats, equity and the CSV count trades either as round trips (flat → flat, the default) or "as the Strategy
// Tester lists" them (one per entry, `?pairing=entries`), so a pyramiding strategy compares like for like with its
// backtest; the choice lives in the hash (#/report/:id?pairing=entries) so a link keeps it.
import type { IChartApi } from "lightweight-charts";
import { Api, type Pairing, type Recorder, type Trade } from "../api";
import { equityChart, maeScatter } from "../charts";
import { h, replace, toast } from "../dom";
import { DASH, duration, fixed2, isNum, money, pct, pnlClass, plain } from "../format";
import { errorBox, hashQuery, navigate, pageHeader, recorders, recorderSelect, setHashQuery } from "../shared";

type Kind = "money" | "pnl" | "pct" | "fraction" | "ratio" | "count" | "duration" | "text" | "plain";

/** Strategy Tester labels, in the Tester's order; any other numeric key the API adds is shown after these. */
const KNOWN: [string, string, Kind][] = [
  ["netProfit", "Net profit", "pnl"],
  ["grossProfit", "Gross profit", "money"],
  ["grossLoss", "Gross loss", "money"],
  ["maxRunup", "Max run-up", "money"],
  ["maxDrawdown", "Max drawdown", "money"],
  ["profitFactor", "Profit factor", "ratio"],
  ["commissionPaid", "Commission paid", "money"],
  ["openPnl", "Open P&L", "pnl"],
  ["totalClosedTrades", "Total closed trades", "count"],
  ["totalOpenTrades", "Total open trades", "count"],
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
  ["avgMfeCaptured", "Avg MFE captured", "fraction"],
  ["scratchedTrades", "Scratched at breakeven", "count"],
];
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

function fmt(v: unknown, kind: Kind): HTMLElement {
  if (v === null || v === undefined) return h("span", { class: "value num flat" }, DASH);
  switch (kind) {
    case "pnl":
      return h("span", { class: `value num ${pnlClass(v)}` }, money(v, true));
    case "money":
      return h("span", { class: "value num" }, money(v));
    case "pct":
      return h("span", { class: "value num" }, pct(v));
    case "fraction":
      return h("span", { class: "value num", title: String(v) }, isNum(v) ? pct(v * 100) : DASH);
    case "duration":
      return h("span", { class: "value num" }, isNum(v) ? duration(v) : DASH);
    case "text":
      return h("span", { class: "value" }, String(v));
    case "ratio":
      return h("span", { class: "value num" }, fixed2(v));
    case "count":
      return h("span", { class: "value num" }, plain(v));
    default:
      return h("span", { class: "value num" }, plain(v));
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
    let list: Recorder[] = [];
    try {
      list = await recorders();
    } catch (e) {
      replace(body, errorBox(e, "Could not load recorders"));
      return;
    }
    if (!alive) return;
    if (!list.length) {
      replace(body, h("p", { class: "muted" }, "No recorders yet."));
      return;
    }
    if (!id || !list.some((r) => r.id === id)) {
      navigate(`report/${encodeURIComponent(list[0].id)}`);
      return;
    }
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

    if (stats.status === "fulfilled") replace(statsBox, statsView(stats.value.stats ?? {}));
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

function statsView(stats: Record<string, unknown>): HTMLElement {
  const known = new Map(KNOWN.map(([k, label, kind]) => [k, { label, kind }]));
  const entries: [string, string, Kind][] = [];
  for (const [k, label, kind] of KNOWN) if (k in stats) entries.push([k, label, kind]);
  for (const k of Object.keys(stats)) {
    if (known.has(k)) continue;
    const v = stats[k];
    if (v === null || typeof v === "number") entries.push([k, humanize(k).replace(/ ms$/, ""), guessKind(k)]);
  }
  const head = HEADLINE.filter((k) => k in stats).map((k) => {
    const d = known.get(k)!;
    return h("div", { class: "stat big", "data-key": k }, h("span", { class: "label" }, d.label), fmt(stats[k], d.kind));
  });
  return h(
    "div",
    { "data-testid": "stats" },
    h("div", { class: "summary" }, head),
    h(
      "div",
      { class: "stats-grid" },
      entries.map(([k, label, kind]) => h("div", { class: "stat", "data-key": k, "data-testid": `stat-${k}` }, h("span", { class: "label" }, label), fmt(stats[k], kind))),
    ),
    entries.length ? null : h("p", { class: "muted" }, "No metrics yet."),
  );
}
