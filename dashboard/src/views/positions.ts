// Open positions with live unrealized P&L, worst (MAE) / best (MFE) so far, TP/SL, and manual close; above them
// the signals scheduled for a delayed feed (recorder setting delayedFeed "align"), until the feed's market time
// reaches them.
//
// Each row's "Data" says where its prices come from NOW — live, delayed (how far behind), stale (connected but no
// tick for 30 s: a frozen last price) or feed down — from the symbol's feed view (src/api/feed-health.ts has the
// rules). Prices show the instrument's decimals. Under 600 px the table turns into one card per position
// (desk-phone.css, labels from data-label).
//
// Pushed, not polled (issue #13): while the screen is shown and the tab visible, one WebSocket to /api/live
// (../live.ts) brings a snapshot of every open position and each active symbol's feed, then one message per symbol
// whenever its open positions change (at once for opens and closes, at most once a second for ticks). The hub
// (LiveHub Durable Object) hears each change once, however many dashboards are open, so the symbol objects' work
// no longer grows with the number of open tabs, as it did when every tab polled GET /api/positions each second
// and GET /status every 2 s. The feed's "stale" (30 s without a tick) is recomputed here every second from the
// last tick's time, since a quiet feed sends nothing. The signals scheduled for a delayed feed come from the signal
// log (D1, no object): reloaded when a symbol's set of positions changes, and every 10 s (2 s while some wait).
//
// Polling stays as the fallback: when the socket cannot connect or drops (a proxy without WebSocket, a deploy,
// a restarted object), the screen polls as before (GET /api/positions every 1 s, GET /status every 2 s while
// positions are open) while ../live.ts reconnects with backoff; the next snapshot switches it back. The header
// says which ("live" or "polling · updated …"). Hidden tabs neither poll nor keep the socket.
import { feedHealth } from "../../../src/api/feed-health";
import { Api, errorMessage, type FeedHealth, type LiveFeed, type LiveMessage, type Position, type Recorder, type SignalLog } from "../api";
import { h, replace, toast } from "../dom";
import { dataView } from "../feed-badge";
import { ago, clock, dateTime, DASH, isNum, money, pnlClass, timeCell } from "../format";
import { cardLabels, emptyRow, errorSlot, fillsTable, hashQuery, pageHeader, recorderName, recorders, recorderSelect, setHashQuery, sideBadge, signalAction } from "../shared";
import { connectLive, type LiveConnection } from "../live";
import { tickPrice, tickSizeOf } from "../ticks";

const POLL_MS = 1000;
/** How often the feeds' health is re-read while positions are open (staleness is 30 s, so 2 s is plenty). */
const FEED_POLL_MS = 2000;
/** How long the screen waits for the socket's snapshot before its first poll. */
const CONNECT_GRACE_MS = 1500;
/** Pushed: how often the rows are redrawn from memory (ages, and a quiet feed turning stale). */
const REDRAW_MS = 1000;
/** Pushed: how often the scheduled signals are reloaded besides after a change (a new one changes no position);
 * more often while some are waiting (one applied by a tick leaves the log's "scheduled" a moment after the push). */
const SCHEDULED_MS = 10_000;
const SCHEDULED_WAITING_MS = 2000;

interface Row {
  tr: HTMLTableRowElement;
  /** Expanded fills/excursion details (click the row), or null. */
  detail: HTMLTableRowElement | null;
  cells: Record<string, HTMLTableCellElement>;
  last: Record<string, string>;
}

const VALUE_COLS = ["qty", "avg", "last", "upnl", "worst", "best", "tp", "sl", "age", "data"] as const;
/** The card labels of a row's cells (phone layout), in cell order. */
const COLUMN_LABELS = ["Recorder", "Symbol", "Side", "Qty", "Avg entry", "Last", "Unrealized", "Worst (MAE)", "Best (MFE)", "TP", "SL", "Opened", "Data", ""];

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
  // Feed health per feed symbol (live / delayed / stale / down), from GET /status every 2 s while positions are open.
  const feeds = new Map<string, FeedHealth>();
  let feedsAt = 0;
  const lastSeen = new Map<string, Position>();
  const q = hashQuery();
  let recorderId = q.get("recorderId") ?? "";
  // Pushed (../live.ts): each symbol's open positions and feed as the last message gave them; `skewMs` = the
  // server's clock − ours at that message, so a feed's age is measured on the server's clock.
  let mode: "live" | "polling" = "polling";
  let conn: LiveConnection | null = null;
  const pushed = new Map<string, Position[]>();
  const liveFeeds = new Map<string, LiveFeed>();
  let skewMs = 0;
  let redraw: ReturnType<typeof setInterval> | undefined;
  let scheduledAt = 0;

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
      { class: "grid cards" },
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
        { class: "grid cards", "data-testid": "positions-table" },
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
      if (mode === "live") {
        renderLive();
        void loadScheduled();
      } else void tick();
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
      feedsStat(list),
    );
  }

  /** "Feeds: 1 live · 1 stale" over the symbols with open positions (only once /status has answered). */
  function feedsStat(list: Position[]): HTMLElement | null {
    const counts = new Map<string, number>();
    for (const sym of new Set(list.map((p) => p.feedSymbol))) {
      const st = feeds.get(sym)?.state;
      if (st) counts.set(st, (counts.get(st) ?? 0) + 1);
    }
    if (!counts.size) return null;
    const order = ["down", "stale", "delayed", "live"];
    const text = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`).join(" · ");
    const bad = counts.has("down") || counts.has("stale");
    return h("div", { class: "stat" }, h("span", { class: "label" }, "Feeds"), h("span", { class: `value ${bad ? "warn-text" : ""}`, "data-testid": "feeds-summary" }, text));
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
        cardLabels(["Recorder", "Symbol", "Signal", "Status", "Received"], h(
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
        )),
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
    cardLabels(COLUMN_LABELS, tr);
    cells.upnl.setAttribute("data-testid", "upnl");
    cells.worst.setAttribute("data-testid", "worst");
    cells.best.setAttribute("data-testid", "best");
    cells.last.setAttribute("data-testid", "last");
    cells.avg.setAttribute("data-testid", "avg");
    cells.data.setAttribute("data-testid", "data");
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
          h("span", { class: "num" }, `${money(p.worstUnrealizedPnl, true)} at ${tickPrice(p.worstPrice, tickOf(p))} · ${dateTime(p.worstAt)}`),
          h("span", { class: "muted" }, "Best"),
          h("span", { class: "num" }, `${money(p.bestUnrealizedPnl, true)} at ${tickPrice(p.bestPrice, tickOf(p))} · ${dateTime(p.bestAt)}`),
          h("span", { class: "muted" }, "Realized / commission"),
          h("span", { class: "num" }, `${money(p.realizedPnl, true)} / ${money(p.commission)}`),
          h("span", { class: "muted" }, "Data"),
          h("span", null, `${p.delayedData ? "opened on delayed data" : "opened on real-time data (or before the feed reported its mode)"}${p.aligned === false ? "; not aligned: applied without a tick of its time" : ""}`),
          h("span", { class: "muted" }, "Position id"),
          h("span", { class: "mono small" }, p.id),
        ),
        fillsTable(fills, tickOf(p)),
      ),
    );
  }

  function updateRow(row: Row, p: Position): void {
    lastSeen.set(p.id, p);
    renderDetail(row, p);
    const view = dataView(p, feeds.get(p.feedSymbol));
    const tick = tickOf(p);
    const px = (v: unknown) => tickPrice(v, tick);
    const values: Record<string, [string, string?, string?]> = {
      qty: [p.maxQuantity && p.maxQuantity !== p.quantity ? `${p.quantity} (max ${p.maxQuantity})` : String(p.quantity)],
      avg: [px(p.avgEntryPrice), undefined, `exact average ${p.avgEntryPrice}`],
      last: [px(p.lastPrice), view.frozen ? "frozen" : undefined, view.frozen ? `Not moving: ${view.detail}` : ""],
      upnl: [money(p.unrealizedPnl, true), pnlClass(p.unrealizedPnl)],
      worst: [money(p.worstUnrealizedPnl, true), pnlClass(p.worstUnrealizedPnl), p.worstPrice != null ? `at ${px(p.worstPrice)}${p.worstAt ? ` · ${p.worstAt}` : ""}` : undefined],
      best: [money(p.bestUnrealizedPnl, true), pnlClass(p.bestUnrealizedPnl), p.bestPrice != null ? `at ${px(p.bestPrice)}${p.bestAt ? ` · ${p.bestAt}` : ""}` : undefined],
      tp: [px(p.takeProfitPrice)],
      sl: [px(p.stopLossPrice)],
      age: [ago(p.openedAt), undefined, p.openedAt],
      data: [`${view.badges.map((b) => `${b.text}:${b.title}`).join("|")}#${view.detail}`],
    };
    const name = recorderName(recs, p.recorderId);
    if (row.cells.rec.textContent !== name) row.cells.rec.textContent = name;
    for (const k of VALUE_COLS) {
      const [text, cls, title] = values[k];
      const cell = row.cells[k];
      // Redraw when the text, its colour or its title changed (a price may stay put while its feed turns stale).
      const key = `${text}\u0000${cls ?? ""}\u0000${title ?? ""}`;
      const prevKey = row.last[k];
      if (prevKey === key) continue;
      const prev = prevKey?.split("\u0000")[0];
      row.last[k] = key;
      if (k === "data") {
        replace(
          cell,
          h("span", { class: "badges", "data-testid": "data-badges" }, view.badges.map((b) => h("span", { class: b.cls, title: b.title }, b.text))),
          view.detail ? h("span", { class: "muted small feed-detail", "data-testid": "feed-detail" }, view.detail) : null,
        );
        continue;
      }
      cell.textContent = text;
      if (title !== undefined) cell.title = title;
      if (cls !== undefined || k === "last") cell.className = `r num ${cls ?? ""}`;
      if (prev !== undefined && prev !== text && (k === "last" || k === "upnl") && text !== DASH) {
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
          if (mode !== "live") void tick(); // pushed: the symbol's message removes the row
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

  /** The tick size of a position's instrument (its recorder's override first). */
  function tickOf(p: Position): number | null {
    return tickSizeOf(p.symbol, recs.find((r) => r.id === p.recorderId));
  }

  async function refreshFeeds(): Promise<void> {
    try {
      const st = await Api.status();
      for (const s of st.symbols ?? []) feeds.set(s.feedSymbol, s.health);
    } catch {
      // Unknown is shown as unknown: drop what is now too old to be true, rather than keep claiming "live".
      feeds.clear();
    }
  }

  /** The signals waiting for a delayed feed (signal log, D1): a failure leaves the list as it was. */
  async function loadScheduled(): Promise<void> {
    scheduledAt = Date.now();
    const sched = await Api.signals({ status: "scheduled", recorderId, limit: 200 }).catch(() => null);
    if (!alive || !sched) return;
    ensureNames((sched.signals ?? []).map((s) => s.recorderId));
    renderScheduled(sched.signals ?? []);
  }

  /** Pushed: the rows from memory, each feed's health recomputed on the server's clock (a quiet feed sends nothing). */
  function renderLive(): void {
    const now = Date.now() + skewMs;
    feeds.clear();
    for (const f of liveFeeds.values()) feeds.set(f.feedSymbol, feedHealth(f, now));
    const list = [...pushed.values()]
      .flat()
      .filter((p) => !recorderId || p.recorderId === recorderId)
      .sort((a, b) => b.openedAt.localeCompare(a.openedAt)); // the API's order: newest first
    renderRows(list);
    if (mode === "live" && Date.now() - scheduledAt >= (scheduled.length ? SCHEDULED_WAITING_MS : SCHEDULED_MS)) void loadScheduled();
  }

  function onLive(msg: LiveMessage): void {
    if (!alive) return;
    const before = new Set([...pushed.values()].flat().map((p) => p.id));
    if (msg.type === "snapshot") {
      pushed.clear();
      liveFeeds.clear();
      for (const p of msg.positions) (pushed.get(p.feedSymbol) ?? pushed.set(p.feedSymbol, []).get(p.feedSymbol)!).push(p);
      for (const f of msg.feeds) liveFeeds.set(f.feedSymbol, f);
    } else {
      if (msg.positions.length) pushed.set(msg.feedSymbol, msg.positions);
      else pushed.delete(msg.feedSymbol);
      liveFeeds.set(msg.feedSymbol, msg.feed);
    }
    const at = Date.parse(msg.at);
    if (Number.isFinite(at)) skewMs = at - Date.now();
    const after = [...pushed.values()].flat();
    ensureNames(after.map((p) => p.recorderId));
    err.clear();
    renderLive();
    // A position opened or gone: what the API keeps elsewhere may have changed with it (a scheduled signal applied).
    if (msg.type === "snapshot" || after.length !== before.size || after.some((p) => !before.has(p.id))) void loadScheduled();
  }

  /** The socket's snapshot arrived: stop polling, render what it pushes. */
  function goLive(): void {
    mode = "live";
    clearTimeout(timer);
    inflight?.abort();
    clearInterval(redraw);
    redraw = setInterval(renderLive, REDRAW_MS);
    live.textContent = "live";
    live.title = "Pushed by the server as positions change (WebSocket /api/live)";
    live.className = "live on";
    live.dataset.mode = "live";
  }

  /** The socket is down (../live.ts retries on its own): poll until its next snapshot. */
  function goPolling(): void {
    clearInterval(redraw);
    if (mode === "polling") return;
    mode = "polling";
    void tick();
  }

  function startLive(): void {
    if (conn || !alive) return;
    conn = connectLive({
      onMessage: onLive,
      onState: (s) => {
        if (!alive) return;
        if (s === "live") goLive();
        else goPolling();
      },
    });
  }

  function stopLive(): void {
    conn?.close();
    conn = null;
    clearInterval(redraw);
    mode = "polling";
  }

  async function tick(): Promise<void> {
    clearTimeout(timer);
    if (!alive || mode === "live") return;
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
      if (list.length && Date.now() - feedsAt >= FEED_POLL_MS) {
        feedsAt = Date.now();
        // The first time, wait for it: the rows' "Data" should not start out as "checking…" for a whole poll.
        if (!feeds.size) await refreshFeeds();
        else void refreshFeeds();
      }
      if (!alive || ctrl.signal.aborted) return;
      renderRows(list);
      err.clear();
      // The page's own refresh, not the prices': each row's Data column says whether its feed is live.
      live.textContent = `polling · updated ${new Date().toLocaleTimeString()}`;
      live.title = "The live connection is down: polling every second while it reconnects";
      live.className = "live on";
      live.dataset.mode = "polling";
    } catch (e) {
      if ((e as Error)?.name === "AbortError" || !alive) return;
      err.show(e, "Could not refresh positions");
      live.textContent = "error — retrying";
      live.className = "live err";
    }
    if (alive && inflight === ctrl && !ctrl.signal.aborted) timer = setTimeout(tick, POLL_MS); // goLive aborts it
  }

  /** Shown: open the socket; poll only if its snapshot has not come within the grace period. */
  function start(): void {
    startLive();
    clearTimeout(timer);
    if (mode !== "live") timer = setTimeout(tick, CONNECT_GRACE_MS);
  }

  const onVisibility = () => {
    if (document.visibilityState === "visible") start();
    else {
      stopLive();
      clearTimeout(timer);
      inflight?.abort();
      live.textContent = "paused (tab hidden)";
      live.className = "live paused";
      live.dataset.mode = "paused";
    }
  };
  document.addEventListener("visibilitychange", onVisibility);
  if (document.visibilityState === "visible") start();
  else onVisibility();

  return () => {
    alive = false;
    stopLive();
    clearTimeout(timer);
    inflight?.abort();
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
