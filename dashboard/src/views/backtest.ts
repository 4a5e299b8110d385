// "Backtest vs live" for one recorder (#/backtest/:id?tolerance=300): import the Strategy Tester's "List of trades",
// then see both cumulative P&L curves on one time axis, the summary (how many trades matched, were missed or extra,
// and how backtest net + missed + extra + slippage adds up to live net) and the trade-by-trade differences.
import type { IChartApi } from "lightweight-charts";
import { Api, type Comparison, type ComparisonSummary, type Recorder } from "../api";
import { comparisonCurves } from "../backtest-curves";
import { curvesChart } from "../charts";
import { h, replace } from "../dom";
import { isNum, money, pnlClass, plain } from "../format";
import { errorBox, hashQuery, navigate, pageHeader, recorderSelect, screenRecorders, setHashQuery } from "../shared";
import { comparisonTable } from "./backtest-table";
import { importBox } from "./backtest-import";

/** The contract's example tolerance: a live entry up to 5 minutes from the backtest's still counts as the same. */
const DEFAULT_TOLERANCE = 300;
/** The API's bound (one day). */
const MAX_TOLERANCE = 86_400;
const validTolerance = (v: number) => Number.isInteger(v) && v >= 0 && v <= MAX_TOLERANCE;

export function backtestView(root: HTMLElement, params: string[]): () => void {
  let alive = true;
  let chart: IChartApi | null = null;
  let disposeImport: (() => void) | null = null;
  const id = params[0] ?? "";
  const q = hashQuery();
  const given = Number(q.get("tolerance"));
  let tolerance = q.get("tolerance") !== null && validTolerance(given) ? given : DEFAULT_TOLERANCE;

  const selSlot = h("span");
  const tol = h("input", { type: "number", min: 0, max: MAX_TOLERANCE, step: 1, value: String(tolerance), class: "input-sm tol-input", id: "bt-tolerance", "data-testid": "tolerance", inputmode: "numeric" });
  const tolForm = h(
    "form",
    { class: "inline-form", "data-testid": "tolerance-form" },
    h("label", { for: "bt-tolerance", title: "A live trade matches a backtest trade of the same side whose entry is at most this far away" }, "Match entries within"),
    tol,
    h("span", { class: "muted" }, "s"),
    h("button", { class: "btn btn-sm", type: "submit" }, "Apply"),
  );
  const report = h("a", { class: "btn btn-sm", href: id ? `#/report/${encodeURIComponent(id)}?pairing=entries` : "#/report" }, "Report");
  const body = h("div", { class: "backtest" });
  replace(root, pageHeader("Backtest vs live", selSlot, tolForm, report), body);

  // a custom error would block every later submit until cleared
  tol.addEventListener("input", () => tol.setCustomValidity(""));
  tolForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = Number(tol.value);
    if (!tol.value.trim() || !validTolerance(v)) {
      tol.setCustomValidity(`Whole seconds from 0 to ${MAX_TOLERANCE} (one day)`);
      tol.reportValidity();
      return;
    }
    tol.setCustomValidity("");
    tolerance = v;
    setHashQuery({ tolerance: String(v) });
    void refresh();
  });

  const summaryBox = h("section", { class: "card", "data-testid": "compare-summary" }, h("p", { class: "muted" }, "Loading…"));
  const chartBox = h("div", { class: "chart chart-short", "data-testid": "compare-chart" });
  const tableBox = h("div", { class: "table-scroll" });
  let imports: ReturnType<typeof importBox> | null = null;
  let recorder: Recorder | null = null;
  /** Bumped by every refresh, so an older answer that arrives late (a quick tolerance change) draws nothing. */
  let generation = 0;

  void (async () => {
    const list = await screenRecorders(body, "backtest", id, () => alive);
    if (!list || !id) return;
    const sel = recorderSelect(list, id, null, "backtest-recorder");
    sel.addEventListener("change", () => navigate(`backtest/${encodeURIComponent(sel.value)}?tolerance=${tolerance}`));
    replace(selSlot, sel);
    recorder = list.find((r) => r.id === id)!;
    imports = importBox(recorder, refresh);
    disposeImport = imports.dispose;
    replace(
      body,
      imports.el,
      summaryBox,
      h("section", { class: "card" }, h("h2", null, "Cumulative P&L: backtest and live"), h("p", { class: "muted small" }, "Backtest trades by exit time, live trades by close time, each as the Strategy Tester lists them (one trade per entry)."), chartBox),
      h("section", { class: "card table-card" }, h("h2", { class: "section-title" }, "Trade by trade"), tableBox),
    );
    await refresh();
  })();

  async function refresh(): Promise<void> {
    const gen = ++generation;
    const current = () => alive && gen === generation;
    let cmp: Comparison;
    void imports?.showCurrent();
    try {
      cmp = await Api.comparison(id, tolerance);
    } catch (e) {
      if (current()) replace(summaryBox, errorBox(e, "Could not load the comparison"));
      return;
    }
    if (!current()) return;
    replace(summaryBox, summaryView(cmp.summary, tolerance));
    replace(tableBox, comparisonTable(cmp.trades ?? [], recorder!));
    await drawChart(cmp, current);
  }

  async function drawChart(cmp: Comparison, current: () => boolean): Promise<void> {
    chart?.remove();
    chart = null;
    const lines = comparisonCurves(cmp);
    replace(chartBox);
    if (lines.every((l) => !l.points.length)) return replace(chartBox, h("p", { class: "muted" }, "No closed trades on either side yet."));
    try {
      const c = await curvesChart(chartBox, lines);
      if (!current()) c.remove();
      else chart = c;
    } catch (e) {
      replace(chartBox, errorBox(e, "Chart failed"));
    }
  }

  return () => {
    alive = false;
    disposeImport?.();
    chart?.remove();
    chart = null;
  };
}

function stat(key: string, label: string, value: HTMLElement, title?: string): HTMLElement {
  return h("div", { class: "stat", "data-testid": `cmp-${key}`, title: title ?? null }, h("span", { class: "label" }, label), value);
}

const count = (v: unknown) => h("span", { class: "value num" }, plain(v));
const signedMoney = (v: unknown) => h("span", { class: `value num ${pnlClass(v)}` }, money(v, true));

/** Counts, then the P&L bridge written as the sum it is: backtest + missed + extra + slippage = live. */
function summaryView(s: ComparisonSummary, tolerance: number): HTMLElement {
  const parts = [s.netProfitBacktest, s.pnlFromMissed, s.pnlFromExtra, s.pnlFromSlippage];
  const sumCents = parts.reduce((a, v) => a + (isNum(v) ? Math.round(v * 100) : 0), 0);
  const off = isNum(s.netProfitLive) ? Math.round(s.netProfitLive * 100) - sumCents : 0;
  const op = (sign: string) => h("span", { class: "bridge-op", "aria-hidden": "true" }, sign);
  return h(
    "div",
    null,
    h(
      "div",
      { class: "summary compare-counts" },
      stat("backtestTrades", "Backtest trades", count(s.backtestTrades)),
      stat("liveTrades", "Live trades", count(s.liveTrades)),
      stat("matched", "Matched", count(s.matched), `Same side, entries at most ${tolerance} s apart`),
      stat("missedInLive", "Missed in live", count(s.missedInLive), "Backtest trades with no live trade"),
      stat("extraInLive", "Extra in live", count(s.extraInLive), "Live trades the backtest does not have"),
    ),
    h(
      "div",
      { class: "bridge", "data-testid": "pnl-bridge", role: "group", "aria-label": "Backtest net profit plus the differences equals live net profit" },
      stat("netProfitBacktest", "Backtest net", signedMoney(s.netProfitBacktest)),
      op("+"),
      stat("pnlFromMissed", "Missed trades", signedMoney(s.pnlFromMissed), "Minus the P&L of backtest trades not taken live"),
      op("+"),
      stat("pnlFromExtra", "Extra trades", signedMoney(s.pnlFromExtra), "The P&L of live trades the backtest does not have"),
      op("+"),
      stat("pnlFromSlippage", "Slippage & fills", signedMoney(s.pnlFromSlippage), "Live − backtest P&L over the matched trades"),
      op("="),
      stat("netProfitLive", "Live net", signedMoney(s.netProfitLive)),
    ),
    s.backtestTrades === 0
      ? h("p", { class: "muted small", "data-testid": "no-import" }, "No closed backtest trades to compare (import a List of trades above): every live trade counts as extra.")
      : null,
    off !== 0 ? h("div", { class: "alert alert-warn", role: "alert" }, `These parts do not add up to the live net profit (off by ${money(off / 100)}).`) : null,
  );
}
