// Feed status (GET /status): one row per feed symbol with the TradingView connection state, how far its market
// time is behind, the signals waiting for it (delayed feed, "align"), its D1 deliveries (pending, and dead letters:
// statements D1 refused for good), plus the TradingView session (real-time data) card. "Prices" is the symbol's
// health in one word (live / delayed / stale / down, src/api/feed-health.ts), the same the positions screen shows.
import { Api, type FeedSymbol } from "../api";
import { h, replace, toast } from "../dom";
import { ago, isDelayedMode, isNum, lag, plain, price, timeCell } from "../format";
import { emptyRow, errorBox, errorSlot, pageHeader } from "../shared";

const HEALTH_CLASS: Record<string, string> = { live: "badge-ok", delayed: "badge-warn", stale: "badge-warn", down: "badge-err" };

export function statusView(root: HTMLElement): () => void {
  let alive = true;
  const err = errorSlot();
  const tbody = h("tbody");
  const updated = h("span", { class: "live" });
  const session = h("section", { class: "card", "data-testid": "tv-session" });

  replace(
    root,
    pageHeader("Feed status", updated),
    err.el,
    h(
      "section",
      { class: "card table-card" },
      h(
        "table",
        { class: "grid", "data-testid": "status-table" },
        h(
          "thead",
          null,
          h(
            "tr",
            null,
            h("th", null, "Feed symbol"),
            h("th", { title: "live · delayed (how far behind) · stale (connected, no tick for 30 s) · down (not connected)" }, "Prices"),
            h("th", null, "State"),
            h("th", { class: "r", title: "Open positions" }, "Positions"),
            h("th", null, "Last tick"),
            h("th", { class: "r" }, "Last price"),
            h("th", null, "Update mode"),
            h("th", { title: "How far the feed's market time (lp_time) was behind the clock at the last tick" }, "Market time"),
            h("th", { class: "r", title: "Signals waiting for the delayed feed's market time to reach them" }, "Scheduled"),
            h("th", { class: "r", title: "D1 deliveries not made yet" }, "D1 pending"),
            h("th", { title: "Statements D1 refused for good, set aside" }, "Dead letters"),
            h("th", { class: "r" }, "Reconnects"),
            h("th", { class: "r", title: "Ticks processed" }, "Ticks"),
          ),
        ),
        tbody,
      ),
    ),
    session,
  );

  function row(s: FeedSymbol): HTMLTableRowElement {
    const f = s.feed ?? {};
    const state = String(f.state ?? "unknown");
    const good = /^(streaming|connected)$/i.test(state);
    const bad = /^(backoff|refused)$|error|failed/i.test(state);
    const delayed = f.delayed === true || isDelayedMode(f.updateMode);
    const lagS = f.marketLagSeconds;
    const dead = isNum(s.deadLetters) ? s.deadLetters : 0;
    const scheduled = isNum(s.scheduledSignals) ? s.scheduledSignals : 0;
    const pending = isNum(s.pendingDeliveries) ? s.pendingDeliveries : 0;
    return h(
      "tr",
      { "data-testid": "status-row" },
      h("td", null, h("strong", null, s.feedSymbol)),
      h("td", { "data-testid": "feed-health", title: s.health.reason ?? "" }, h("span", { class: `badge ${HEALTH_CLASS[s.health.state]}` }, s.health.state), s.health.reason ? h("div", { class: "muted small" }, s.health.reason) : null),
      h("td", null, h("span", { class: `badge ${good ? "badge-ok" : bad ? "badge-err" : "badge-muted"}` }, state), typeof f.error === "string" && f.error ? h("div", { class: "muted small" }, f.error) : null),
      h("td", { class: "r num" }, plain(s.openPositions)),
      h("td", null, f.lastTickAt ? [timeCell(f.lastTickAt), h("span", { class: "muted small" }, ` (${ago(f.lastTickAt)})`)] : "—"),
      h("td", { class: "r num" }, price(f.lastPrice)),
      h("td", null, f.updateMode ? h("span", { class: `badge ${delayed ? "badge-warn" : "badge-ok"}` }, String(f.updateMode)) : "—"),
      h("td", { "data-testid": "market-lag", class: isNum(lagS) && lagS >= 60 ? "lag-behind" : null }, lag(lagS)),
      h("td", { class: "r num", "data-testid": "scheduled-signals" }, scheduled > 0 ? h("span", { class: "badge status-scheduled" }, String(scheduled)) : "0"),
      h("td", { class: "r num", "data-testid": "pending-deliveries" }, pending > 0 ? h("span", { class: "badge badge-warn", title: "waiting for D1 (retried by the symbol's alarm)" }, String(pending)) : "0"),
      h(
        "td",
        { "data-testid": "dead-letters", class: dead > 0 ? "err-cell" : null },
        dead > 0 ? [h("span", { class: "badge badge-err" }, String(dead)), s.lastDeadLetterError ? h("div", { class: "muted small" }, `last: ${s.lastDeadLetterError}`) : null] : "0",
      ),
      h("td", { class: "r num" }, plain(f.reconnects)),
      h("td", { class: "r num" }, plain(s.ticksProcessed)),
    );
  }

  async function load(): Promise<void> {
    if (document.visibilityState !== "visible") return;
    try {
      const res = await Api.status();
      if (!alive) return;
      err.clear();
      const list = res.symbols ?? [];
      replace(tbody, list.length ? list.map(row) : emptyRow(13, "No symbols subscribed. A feed starts when a position opens."));
      updated.textContent = `updated ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      if (alive) err.show(e, "Could not load status");
    }
  }

  async function loadSession(): Promise<void> {
    const sid = h("input", { type: "password", placeholder: "sessionid cookie", autocomplete: "off" });
    const sign = h("input", { type: "password", placeholder: "sessionid_sign cookie (optional)", autocomplete: "off" });
    const save = h("button", { class: "btn btn-sm btn-primary", type: "submit" }, "Save session");
    const remove = h("button", { class: "btn btn-sm btn-danger", type: "button" }, "Remove session");
    const state = h("div", { class: "kv-list" }, h("span", { class: "muted" }, "Loading…"));
    const form = h("form", { class: "inline-form wrap" }, sid, sign, save, remove);
    replace(
      session,
      h("h2", null, "TradingView session (real-time data)"),
      h("p", { class: "muted small" }, "Without a TradingView login, CME data is delayed (shown as a delayed update mode). Paste the sessionid / sessionid_sign cookies of a TradingView account with the data subscription; they are stored encrypted and never shown again."),
      state,
      form,
    );
    const show = (res: Record<string, unknown>) => {
      // the state may come wrapped ({session: {...}}) or flat
      const inner = Object.entries(res).filter(([k]) => k !== "ok");
      const o = inner.length === 1 && inner[0][1] && typeof inner[0][1] === "object" ? (inner[0][1] as Record<string, unknown>) : Object.fromEntries(inner);
      replace(
        state,
        h(
          "dl",
          { class: "settings" },
          Object.entries(o).map(([k, v]) => [
            h("dt", null, k),
            h("dd", { class: "mono" }, v === null || v === undefined ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v)),
          ]),
        ),
      );
    };
    try {
      show(await Api.tvSession());
    } catch (e) {
      replace(state, errorBox(e, "Could not read the session state"));
    }
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      if (!sid.value.trim()) return;
      try {
        show(await Api.setTvSession({ sessionid: sid.value.trim(), ...(sign.value.trim() ? { sessionid_sign: sign.value.trim() } : {}) }));
        sid.value = "";
        sign.value = "";
        toast("TradingView session saved", "ok");
      } catch (e) {
        toast(`Not saved: ${(e as Error).message}`, "error");
      }
    });
    remove.addEventListener("click", async () => {
      try {
        show(await Api.deleteTvSession());
        toast("TradingView session removed", "ok");
      } catch (e) {
        toast((e as Error).message, "error");
      }
    });
  }

  void load();
  void loadSession();
  const timer = setInterval(load, 2000);
  return () => {
    alive = false;
    clearInterval(timer);
  };
}
