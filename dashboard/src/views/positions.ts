// Open positions with live unrealized P&L, worst (MAE) / best (MFE) so far, TP/SL, and manual close; above them
// the signals scheduled for a delayed feed (recorder setting delayedFeed "align"), until the feed's market time
// reaches them.
//
// Why polling (every 1 s, only while the tab is visible): it is the simplest robust choice. Plain GETs work the
// same whether the dashboard is served by the Worker or from Pages on another origin (CORS, no sticky
// connection), survive Worker/DO restarts and deploys without reconnect logic, and open positions come from
// several per-symbol Durable Objects that the API gathers per request, so there is no single stream to
// subscribe to. One small JSON request per second per visible tab is cheap; hidden tabs stop polling.
import { Api, errorMessage, type Position, type Recorder, type SignalLog } from "../api";
import { h, replace, toast } from "../dom";
import { ago, clock, dateTime, DASH, isDelayedMode, isNum, money, pnlClass, price, timeCell } from "../format";
import { emptyRow, errorSlot, fillsTable, hashQuery, pageHeader, recorderName, recorders, recorderSelect, setHashQuery, sideBadge, signalAction } from "../shared";

const POLL_MS = 1000;

interface Row {
  tr: HTMLTableRowElement;
  /** Expanded fills/excursion details (click the row), or null. */
  detail: HTMLTableRowElement | null;
  cells: Record<string, HTMLTableCellElement>;
  last: Record<string, string>;
}

const VALUE_COLS = ["qty", "avg", "last", "upnl", "worst", "best", "tp", "sl", "age", "data"] as const;

type Badge = [text: string, cls: string, title: string];

/** "scheduled, applies at 14:32:05 market time" (local time of day). */
export function scheduledText(s: SignalLog): string {
  return `scheduled, applies at ${clock(s.appliesAt ?? s.receivedAt)} market time`;
}

export function positionsView(root: HTMLElement): () => void {
  let alive = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: AbortController | undefined;
  let recs: Recorder[] = [];
  const rows = new Map<string, Row>();
  // Feed state per feed symbol (delayed data flag), refreshed from GET /status every 10 s.
  const feeds = new Map<string, { delayed: boolean; updateMode: string | null; state: string }>();
  let feedsAt = 0;
  const lastSeen = new Map<string, Position>();
  const q = hashQuery();
  let recorderId = q.get("recorderId") ?? "";

  const err = errorSlot();
  const tbody = h("tbody");
  const summary = h("div", { class: "summary", "data-testid": "positions-summary" });
  // Signals waiting for a delayed feed: shown only while there are some.
  const scheduledBody = h("tbody");
  const scheduledCard = h(
    "section",
    { class: "card table-card", "data-testid": "scheduled-signals", hidden: true },
    h("h2", { class: "section-title" }, "Scheduled signals ", h("span", { class: "muted small" }, "— waiting for the delayed feed's market time to reach them")),
    h(
      "table",
      { class: "grid" },
      h("thead", null, h("tr", null, h("th", null, "Recorder"), h("th", null, "Symbol"), h("th", null, "Signal"), h("th", null, "Status"), h("th", null, "Received"))),
      scheduledBody,
    ),
  );
  let scheduled: SignalLog[] = [];
  const live = h("span", { class: "live", "data-testid": "poll-state" }, "…");
  const filterSlot = h("span");

  replace(
    root,
    pageHeader("Open positions", filterSlot, live),
    err.el,
    summary,
    scheduledCard,
    h(
      "section",
      { class: "card table-card" },
      h(
        "table",
        { class: "grid", "data-testid": "positions-table" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", null, "Recorder"),
            h("th", null, "Symbol"),
            h("th", null, "Side"),
            h("th", { class: "r" }, "Qty"),
            h("th", { class: "r" }, "Avg entry"),
            h("th", { class: "r" }, "Last"),
            h("th", { class: "r" }, "Unrealized P&L"),
            h("th", { class: "r", title: "Worst unrealized P&L so far (MAE)" }, "Worst (MAE)"),
            h("th", { class: "r", title: "Best unrealized P&L so far (MFE)" }, "Best (MFE)"),
            h("th", { class: "r" }, "TP"),
            h("th", { class: "r" }, "SL"),
            h("th", null, "Opened"),
            h("th", null, "Data"),
            h("th", { class: "r" }, ""),
          ),
        ),
        tbody,
      ),
    ),
  );

  function useRecorders(list: Recorder[]): void {
    recs = list;
    const sel = recorderSelect(list, recorderId, "All recorders", "positions-recorder");
    sel.addEventListener("change", () => {
      recorderId = sel.value;
      setHashQuery({ recorderId });
      for (const r of rows.values()) r.tr.remove();
      rows.clear();
      void tick();
    });
    replace(filterSlot, sel);
  }

  recorders()
    .then(useRecorders)
    .catch(() => {
      /* names are cosmetic; the poll shows API errors */
    });

  function renderRows(list: Position[]): void {
    const seen = new Set<string>();
    let totalU = 0;
    let totalWorst = 0;
    for (const p of list) {
      seen.add(p.id);
      let row = rows.get(p.id);
      if (!row) {
        row = createRow(p);
        rows.set(p.id, row);
      }
      updateRow(row, p);
      if (isNum(p.unrealizedPnl)) totalU += p.unrealizedPnl;
      if (isNum(p.worstUnrealizedPnl)) totalWorst += p.worstUnrealizedPnl;
    }
    for (const [id, row] of rows) {
      if (!seen.has(id)) {
        row.tr.remove();
        row.detail?.remove();
        rows.delete(id);
        lastSeen.delete(id);
      }
    }
    // keep table order = API order
    const empty = tbody.querySelector("tr.empty");
    if (list.length) {
      empty?.remove();
      let i = 0;
      for (const p of list) {
        const r = rows.get(p.id)!;
        for (const el of r.detail ? [r.tr, r.detail] : [r.tr]) {
          if (tbody.children[i] !== el) tbody.insertBefore(el, tbody.children[i] ?? null);
          i++;
        }
      }
    } else if (!empty) {
      tbody.appendChild(emptyRow(14, "No open positions. They appear here as soon as a webhook signal opens one."));
    }
    replace(
      summary,
      h("div", { class: "stat" }, h("span", { class: "label" }, "Open positions"), h("span", { class: "value num" }, String(list.length))),
      h("div", { class: "stat" }, h("span", { class: "label" }, "Unrealized P&L"), h("span", { class: `value num ${pnlClass(totalU)}`, "data-testid": "total-unrealized" }, money(totalU, true))),
      h("div", { class: "stat" }, h("span", { class: "label" }, "Sum of worst so far"), h("span", { class: `value num ${pnlClass(totalWorst)}` }, money(totalWorst, true))),
      scheduled.length ? h("div", { class: "stat" }, h("span", { class: "label" }, "Scheduled signals"), h("span", { class: "value num", "data-testid": "scheduled-count" }, String(scheduled.length))) : null,
    );
  }

  /** A recorder created since the names were loaded (another tab, the API): reload the names, at most every 5 s. */
  let namesAt = 0;
  function ensureNames(ids: (string | null | undefined)[]): void {
    if (Date.now() - namesAt < 5_000 || ids.every((id) => !id || recs.some((r) => r.id === id))) return;
    namesAt = Date.now();
    recorders(true)
      .then((list) => alive && useRecorders(list))
      .catch(() => undefined);
  }

  function renderScheduled(list: SignalLog[]): void {
    scheduled = list;
    scheduledCard.hidden = list.length === 0;
    const key = list.map((s) => `${s.id}:${s.appliesAt}:${recorderName(recs, s.recorderId)}`).join(",");
    if (scheduledBody.dataset.key === key) return;
    scheduledBody.dataset.key = key;
    // Oldest first: the order the feed will apply them in.
    const ordered = [...list].sort((a, b) => String(a.receivedAt).localeCompare(String(b.receivedAt)));
    replace(
      scheduledBody,
      ordered.map((s) =>
        h(
          "tr",
          { "data-testid": "scheduled-row", "data-id": s.id },
          h("td", null, recorderName(recs, s.recorderId ?? null)),
          h("td", null, h("strong", null, s.symbol ?? DASH)),
          h("td", { class: "mono" }, signalAction(s.body) || DASH),
          h(
            "td",
            { title: `Applied when the feed's market time reaches ${s.appliesAt ?? s.receivedAt} (or with its own price if no such tick arrives in time)` },
            h("span", { class: "badge status-scheduled", "data-testid": "scheduled-status" }, scheduledText(s)),
          ),
          h("td", null, timeCell(s.receivedAt)),
        ),
      ),
    );
  }

  function createRow(p: Position): Row {
    const cells: Record<string, HTMLTableCellElement> = {};
    const td = (key: string, cls = "r num") => (cells[key] = h("td", { class: cls }));
    const action = h("td", { class: "r actions" });
    const tr = h(
      "tr",
      { "data-id": p.id, "data-testid": "position-row" },
      (cells.rec = h("td", { "data-recorder": p.recorderId }, recorderName(recs, p.recorderId))),
      h("td", null, h("strong", null, p.symbol), p.feedSymbol ? h("div", { class: "muted small" }, p.feedSymbol) : null),
      h("td", null, sideBadge(p.side)),
      VALUE_COLS.map((k) => td(k, k === "age" || k === "data" ? "" : "r num")),
      action,
    );
    cells.upnl.setAttribute("data-testid", "upnl");
    cells.worst.setAttribute("data-testid", "worst");
    cells.best.setAttribute("data-testid", "best");
    cells.last.setAttribute("data-testid", "last");
    closeControls(action, p);
    const row: Row = { tr, detail: null, cells, last: {} };
    tr.classList.add("clickable");
    tr.title = "Click for fills and excursion details";
    tr.addEventListener("click", (ev) => {
      if ((ev.target as HTMLElement).closest("button, input")) return;
      if (row.detail) {
        row.detail.remove();
        row.detail = null;
      } else {
        row.detail = h("tr", { class: "detail-row" }, h("td", { colspan: 14 }));
        tr.after(row.detail);
        if (lastSeen.has(p.id)) renderDetail(row, lastSeen.get(p.id)!);
      }
    });
    return row;
  }

  /** "live" only when the symbol's feed streams real-time prices; otherwise say what the price is. Plus "not
   * aligned" when a scheduled signal of this position was applied without a tick of its time. */
  function dataBadges(p: Position, feedDelayed: boolean, state: string | undefined, mode: string | undefined): Badge[] {
    const out = [dataBadge(p.delayedData === true, feedDelayed, state, p.lastPrice, mode)];
    if (p.aligned === false) out.push(["not aligned", "badge badge-err", "A scheduled signal was applied with its own price because no feed tick of its time arrived: the excursions may miss part of the path"]);
    return out;
  }

  function dataBadge(openedDelayed: boolean, feedDelayed: boolean, state: string | undefined, last: unknown, mode: string | undefined): Badge {
    const title = `feed ${state || "unknown"}${mode ? ` · update mode ${mode}` : ""}`;
    if (openedDelayed) return ["delayed", "badge badge-warn", `Opened while the feed sent delayed prices: worst/best come from delayed data · ${title}`];
    if (feedDelayed) return ["delayed", "badge badge-warn", `The feed sends delayed prices now · ${title}`];
    if (last == null) return ["no price", "badge badge-muted", title];
    if (!state || state === "streaming") return ["live", "badge badge-ok", title];
    if (state === "connected") return ["connected", "badge badge-ok", title];
    return [`feed ${state}`, state === "refused" || state === "backoff" ? "badge badge-err" : "badge badge-muted", `${title} — last price is from the last signal or tick`];
  }

  function renderDetail(row: Row, p: Position): void {
    if (!row.detail) return;
    const fills = p.fills ?? [];
    replace(
      row.detail.firstElementChild!,
      h(
        "div",
        { class: "detail-box" },
        h(
          "div",
          { class: "kv-grid" },
          h("span", { class: "muted" }, "Worst"),
          h("span", { class: "num" }, `${money(p.worstUnrealizedPnl, true)} at ${price(p.worstPrice)} · ${dateTime(p.worstAt)}`),
          h("span", { class: "muted" }, "Best"),
          h("span", { class: "num" }, `${money(p.bestUnrealizedPnl, true)} at ${price(p.bestPrice)} · ${dateTime(p.bestAt)}`),
          h("span", { class: "muted" }, "Realized / commission"),
          h("span", { class: "num" }, `${money(p.realizedPnl, true)} / ${money(p.commission)}`),
          h("span", { class: "muted" }, "Data"),
          h("span", null, `${p.delayedData ? "opened on delayed data" : "opened on real-time data (or before the feed reported its mode)"}${p.aligned === false ? "; not aligned: applied without a tick of its time" : ""}`),
          h("span", { class: "muted" }, "Position id"),
          h("span", { class: "mono small" }, p.id),
        ),
        fillsTable(fills),
      ),
    );
  }

  function updateRow(row: Row, p: Position): void {
    lastSeen.set(p.id, p);
    renderDetail(row, p);
    const feed = p.feedSymbol ? feeds.get(p.feedSymbol) : undefined;
    const mode = typeof p.updateMode === "string" ? p.updateMode : (feed?.updateMode ?? undefined);
    const feedDelayed = isDelayedMode(mode) || feed?.delayed === true;
    const badges = dataBadges(p, feedDelayed, feed?.state, mode);
    const values: Record<string, [string, string?, string?]> = {
      qty: [p.maxQuantity && p.maxQuantity !== p.quantity ? `${p.quantity} (max ${p.maxQuantity})` : String(p.quantity)],
      avg: [price(p.avgEntryPrice)],
      last: [price(p.lastPrice)],
      upnl: [money(p.unrealizedPnl, true), pnlClass(p.unrealizedPnl)],
      worst: [money(p.worstUnrealizedPnl, true), pnlClass(p.worstUnrealizedPnl), p.worstPrice != null ? `at ${price(p.worstPrice)}${p.worstAt ? ` · ${p.worstAt}` : ""}` : undefined],
      best: [money(p.bestUnrealizedPnl, true), pnlClass(p.bestUnrealizedPnl), p.bestPrice != null ? `at ${price(p.bestPrice)}${p.bestAt ? ` · ${p.bestAt}` : ""}` : undefined],
      tp: [price(p.takeProfitPrice)],
      sl: [price(p.stopLossPrice)],
      age: [ago(p.openedAt), undefined, p.openedAt],
      data: [badges.map((b) => `${b[0]}:${b[2]}`).join("|")],
    };
    const name = recorderName(recs, p.recorderId);
    if (row.cells.rec.textContent !== name) row.cells.rec.textContent = name;
    for (const k of VALUE_COLS) {
      const [text, cls, title] = values[k];
      const cell = row.cells[k];
      const prev = row.last[k];
      if (prev === text) continue;
      row.last[k] = text;
      if (k === "data") {
        replace(cell, h("span", { class: "badges", "data-testid": "data-badges" }, badges.map(([t, c, ti]) => h("span", { class: c, title: ti }, t))));
        continue;
      }
      cell.textContent = text;
      if (title) cell.title = title;
      if (cls !== undefined) cell.className = `r num ${cls}`;
      if (prev !== undefined && (k === "last" || k === "upnl") && text !== DASH) {
        cell.classList.remove("flash");
        void cell.offsetWidth; // restart the animation
        cell.classList.add("flash");
      }
    }
  }

  function closeControls(cell: HTMLTableCellElement, p: Position): void {
    const btn = h("button", { class: "btn btn-sm", type: "button", "data-testid": "close-position" }, "Close…");
    btn.addEventListener("click", () => {
      const px = h("input", { type: "number", step: "any", class: "input-sm", placeholder: "last price", title: "Exit price (empty = last feed price)", "data-testid": "close-price" });
      const go = h("button", { class: "btn btn-sm btn-danger", type: "button", "data-testid": "confirm-close" }, "Close now");
      const cancel = h("button", { class: "btn btn-sm btn-ghost", type: "button" }, "×");
      cancel.addEventListener("click", () => replace(cell, btn));
      go.addEventListener("click", async () => {
        const v = px.value.trim();
        const n = v === "" ? undefined : Number(v);
        if (n !== undefined && !(Number.isFinite(n) && n > 0)) {
          toast("Exit price must be a positive number", "error");
          return;
        }
        go.disabled = true;
        go.textContent = "Closing…";
        try {
          const res = await Api.closePosition(p.id, n);
          const t = res.trade;
          toast(t ? `Closed ${p.symbol}: ${money(t.pnl, true)}` : `Closed ${p.symbol}`, "ok");
          void tick();
        } catch (e) {
          toast(errorMessage(e), "error");
          go.disabled = false;
          go.textContent = "Close now";
        }
      });
      replace(cell, h("span", { class: "inline-form" }, px, go, cancel));
      px.focus();
    });
    replace(cell, btn);
  }

  async function refreshFeeds(): Promise<void> {
    try {
      const st = await Api.status();
      for (const s of st.symbols ?? []) {
        const f = s.feed ?? {};
        feeds.set(s.feedSymbol, { delayed: f.delayed === true || isDelayedMode(f.updateMode), updateMode: (f.updateMode as string | null) ?? null, state: String(f.state ?? "") });
      }
    } catch {
      /* the flag is best effort; position errors are shown by the poll */
    }
  }

  async function tick(): Promise<void> {
    clearTimeout(timer);
    if (!alive) return;
    if (document.visibilityState !== "visible") {
      live.textContent = "paused (tab hidden)";
      live.className = "live paused";
      return;
    }
    inflight?.abort();
    const ctrl = new AbortController();
    inflight = ctrl;
    try {
      // Scheduled signals come from the signal log; a failure there must not hide the positions.
      const [res, sched] = await Promise.all([
        Api.positions({ status: "open", recorderId }, ctrl.signal),
        Api.signals({ status: "scheduled", recorderId, limit: 200 }, ctrl.signal).catch((e) => {
          if ((e as Error)?.name === "AbortError") throw e;
          return null;
        }),
      ]);
      if (!alive || ctrl.signal.aborted) return;
      const list = res.positions ?? [];
      ensureNames([...list.map((p) => p.recorderId), ...(sched?.signals ?? []).map((s) => s.recorderId)]);
      if (sched) renderScheduled(sched.signals ?? []);
      if (list.length && Date.now() - feedsAt > 10_000) {
        feedsAt = Date.now();
        void refreshFeeds();
      }
      renderRows(list);
      err.clear();
      live.textContent = `live · ${new Date().toLocaleTimeString()}`;
      live.className = "live on";
    } catch (e) {
      if ((e as Error)?.name === "AbortError" || !alive) return;
      err.show(e, "Could not refresh positions");
      live.textContent = "error — retrying";
      live.className = "live err";
    }
    if (alive && inflight === ctrl) timer = setTimeout(tick, POLL_MS);
  }

  const onVisibility = () => {
    if (document.visibilityState === "visible") void tick();
    else {
      clearTimeout(timer);
      inflight?.abort();
      live.textContent = "paused (tab hidden)";
      live.className = "live paused";
    }
  };
  document.addEventListener("visibilitychange", onVisibility);
  void tick();

  return () => {
    alive = false;
    clearTimeout(timer);
    inflight?.abort();
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
