// Closed trades with recorder/symbol/date filters, cursor paging ("Load more") and the CSV export of exactly
// what the filters select (GET /api/trades.csv). A click on a trade shows its position's fills (with where each
// price came from: the signal or the live feed). The filters live in the hash (#/trades?recorderId=…), so the
// recorder panel's "Trades" link opens this recorder's trades; prices show the instrument's decimals and exit
// reasons are words. Under 600 px each trade is a card (desk-phone.css).
import { Api, errorMessage, type Position, type Recorder, type Trade } from "../api";
import { h, replace, toast } from "../dom";
import { between, money, pnl, timeCell } from "../format";
import { reasonClass, reasonText } from "../reasons";
import { cardLabels, emptyRow, errorBox, errorSlot, fillsTable, hashQuery, pageHeader, recorderName, recorders, recorderSelect, setHashQuery, sideBadge } from "../shared";
import { tickPrice, tickSizeOf } from "../ticks";

const LABELS = ["Closed", "Recorder", "Symbol", "Side", "Qty", "Entry", "Exit", "Result (net)", "MAE", "MFE", "Comm.", "Exit reason", "Duration"];

const PAGE = 50;

/** datetime-local value (local time) -> ISO UTC, or "" */
function toIso(v: string): string {
  if (!v) return "";
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

function toLocalInput(iso: string | null): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}

export function tradesView(root: HTMLElement): () => void {
  let alive = true;
  let recs: Recorder[] = [];
  let cursor: string | null = null;
  let loaded: Trade[] = [];
  let gen = 0;
  const q = hashQuery();
  /** Closed positions per recorder + symbol (the trade's fills live in its position), loaded on first click. */
  const closedCache = new Map<string, Promise<Position[]>>();

  const err = errorSlot();
  const recorderSlot = h("span");
  // The recorder filter is kept here, not read back from the <select>: until the recorders have loaded the select
  // has no option for it, and reading it then would quietly widen the list (and the CSV) to every recorder.
  let recorderId = q.get("recorderId") ?? "";
  let recorderSel: HTMLSelectElement = recorderSelect([], recorderId, "All recorders");
  const symbol = h("input", { type: "text", placeholder: "Symbol (e.g. MNQ)", value: q.get("symbol") ?? "", class: "input-sm", "data-testid": "trades-symbol" });
  const from = h("input", { type: "datetime-local", value: toLocalInput(q.get("from")), title: "From (local time)", class: "input-sm" });
  const to = h("input", { type: "datetime-local", value: toLocalInput(q.get("to")), title: "To (local time)", class: "input-sm" });
  const apply = h("button", { class: "btn btn-sm btn-primary", type: "submit" }, "Apply");
  const csv = h("button", { class: "btn btn-sm", type: "button", "data-testid": "download-csv" }, "Download CSV");
  const more = h("button", { class: "btn", type: "button", "data-testid": "load-more" }, "Load more");
  const tbody = h("tbody");
  const count = h("span", { class: "muted small", "data-testid": "trades-count" });
  replace(recorderSlot, recorderSel);

  const filters = h(
    "form",
    { class: "filters" },
    recorderSlot,
    symbol,
    h("label", { class: "inline" }, "From ", from),
    h("label", { class: "inline" }, "To ", to),
    apply,
  );
  filters.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void reload();
  });

  replace(
    root,
    pageHeader("Closed trades", csv),
    filters,
    err.el,
    h(
      "section",
      { class: "card table-card" },
      h(
        "table",
        { class: "grid cards", "data-testid": "trades-table" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", null, "Closed"),
            h("th", null, "Recorder"),
            h("th", null, "Symbol"),
            h("th", null, "Side"),
            h("th", { class: "r" }, "Qty"),
            h("th", { class: "r" }, "Entry"),
            h("th", { class: "r" }, "Exit"),
            h("th", { class: "r" }, "Result (net)"),
            h("th", { class: "r", title: "Worst unrealized P&L during the trade" }, "MAE"),
            h("th", { class: "r", title: "Best unrealized P&L during the trade" }, "MFE"),
            h("th", { class: "r" }, "Comm."),
            h("th", null, "Exit reason"),
            h("th", null, "Duration"),
          ),
        ),
        tbody,
      ),
      h("div", { class: "table-foot" }, count, more),
    ),
  );

  csv.addEventListener("click", async () => {
    csv.disabled = true;
    try {
      // The filters as applied to the list (the hash), not half-typed ones: the file matches what is shown.
      const f = applied;
      const name = (f.recorderId ? recorderName(recs, f.recorderId) : "all_recorders").replace(/[^\w.-]+/g, "_");
      const file = await Api.tradesCsvFiltered(f, `${name}_List_of_trades.csv`);
      toast(`Downloaded ${file}`, "ok");
    } catch (e) {
      err.show(e, "CSV download failed");
    } finally {
      csv.disabled = false;
    }
  });
  more.addEventListener("click", () => void page());

  /** The filters the list on screen was loaded with (the CSV downloads exactly these). */
  let applied = query();

  function query() {
    return { recorderId, symbol: symbol.value.trim(), from: toIso(from.value), to: toIso(to.value) };
  }

  async function reload(): Promise<void> {
    const qq = query();
    applied = qq;
    setHashQuery(qq);
    cursor = null;
    loaded = [];
    closedCache.clear();
    gen++;
    replace(tbody, emptyRow(13, "Loading…"));
    await page();
  }

  async function page(): Promise<void> {
    const my = gen;
    more.disabled = true;
    try {
      const res = await Api.trades({ ...query(), limit: PAGE, cursor });
      if (!alive || my !== gen) return;
      err.clear();
      const trades = res.trades ?? [];
      if (!loaded.length) replace(tbody);
      loaded.push(...trades);
      for (const t of trades) tbody.appendChild(row(t));
      if (!loaded.length) replace(tbody, emptyRow(13, "No closed trades match these filters."));
      cursor = res.nextCursor ?? null;
      more.style.display = cursor ? "" : "none";
      const net = loaded.reduce((s, t) => s + (Number.isFinite(t.pnl) ? t.pnl : 0), 0);
      count.textContent = `${loaded.length} trade${loaded.length === 1 ? "" : "s"} shown${cursor ? " (more available)" : ""} · net ${money(net, true)}`;
    } catch (e) {
      if (!alive || my !== gen) return;
      err.show(e, "Could not load trades");
      if (!loaded.length) replace(tbody, emptyRow(13, errorMessage(e)));
    } finally {
      more.disabled = false;
    }
  }

  function closedPositionOf(t: Trade): Promise<Position | undefined> {
    const key = `${t.recorderId}|${t.symbol}`;
    let list = closedCache.get(key);
    if (!list) {
      list = Api.positions({ status: "closed", recorderId: t.recorderId, symbol: t.symbol }).then((r) => r.positions ?? []);
      list.catch(() => closedCache.delete(key));
      closedCache.set(key, list);
    }
    return list.then((ps) => ps.find((p) => p.id === t.positionId));
  }

  async function toggleDetail(tr: HTMLTableRowElement, t: Trade): Promise<void> {
    const open = tr.nextElementSibling;
    if (open?.classList.contains("detail-row")) {
      open.remove();
      return;
    }
    const cell = h("td", { colspan: 13 }, h("span", { class: "muted" }, "Loading fills…"));
    tr.after(h("tr", { class: "detail-row", "data-testid": "trade-detail" }, cell));
    try {
      const p = await closedPositionOf(t);
      if (!p) return replace(cell, h("span", { class: "muted" }, "The fills of this trade are not available (only the latest 500 closed positions are listed)."));
      replace(
        cell,
        h(
          "div",
          { class: "detail-box" },
          h(
            "div",
            { class: "kv-grid" },
            h("span", { class: "muted" }, "Opened / closed"),
            h("span", null, timeCell(p.openedAt), " → ", timeCell(p.closedAt)),
            h("span", { class: "muted" }, "Worst / best"),
            h("span", { class: "num" }, `${money(p.worstUnrealizedPnl, true)} at ${tickPrice(p.worstPrice, tickOf(t))} / ${money(p.bestUnrealizedPnl, true)} at ${tickPrice(p.bestPrice, tickOf(t))}`),
            h("span", { class: "muted" }, "Data"),
            h("span", null, `${p.delayedData ? "delayed prices" : "real-time prices"}${p.aligned === false ? " · not aligned (applied without a tick of its time)" : ""}`),
          ),
          fillsTable(p.fills ?? [], tickOf(t)),
        ),
      );
    } catch (e) {
      replace(cell, errorBox(e, "Could not load the fills"));
    }
  }

  function tickOf(t: Trade): number | null {
    return tickSizeOf(t.symbol, recs.find((r) => r.id === t.recorderId));
  }

  function row(t: Trade): HTMLTableRowElement {
    const tick = tickOf(t);
    const tr = h(
      "tr",
      { "data-id": t.id, "data-testid": "trade-row", class: t.positionId ? "clickable" : null, title: t.positionId ? "Click for the fills" : null },
      h("td", null, timeCell(t.closedAt)),
      h("td", null, recorderName(recs, t.recorderId)),
      h("td", null, h("strong", null, t.symbol)),
      h("td", null, sideBadge(t.side)),
      h("td", { class: "r num" }, String(t.quantity)),
      h("td", { class: "r num", title: `opened ${t.openedAt} · exact average ${t.entryPrice}`, "data-testid": "trade-entry" }, tickPrice(t.entryPrice, tick)),
      h("td", { class: "r num", title: `exact average ${t.exitPrice}`, "data-testid": "trade-exit" }, tickPrice(t.exitPrice, tick)),
      h("td", { class: "r", "data-testid": "trade-pnl", title: `gross ${money(t.grossPnl)} − commission ${money(t.commission)}` }, pnl(t.pnl)),
      h("td", { class: "r" }, pnl(t.maxAdverse)),
      h("td", { class: "r" }, pnl(t.maxFavorable)),
      h("td", { class: "r num" }, money(t.commission)),
      h("td", null, h("span", { class: `badge ${reasonClass(t.exitReason)}`, title: t.exitReason ?? "", "data-reason": t.exitReason ?? "", "data-testid": "exit-reason" }, reasonText(t.exitReason))),
      h("td", { class: "num" }, between(t.openedAt, t.closedAt)),
    );
    cardLabels(LABELS, tr);
    if (t.positionId) tr.addEventListener("click", () => void toggleDetail(tr, t));
    return tr;
  }

  recorders()
    .then((list) => {
      if (!alive) return;
      recs = list;
      const sel = recorderSelect(list, recorderId, "All recorders", "trades-recorder");
      sel.addEventListener("change", () => {
        recorderId = sel.value;
        void reload();
      });
      recorderSel = sel;
      replace(recorderSlot, sel);
      void reload();
    })
    .catch((e) => {
      err.show(e, "Could not load recorders");
      void reload();
    });

  return () => {
    alive = false;
  };
}
