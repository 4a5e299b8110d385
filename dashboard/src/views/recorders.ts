// Recorders: list (with follower relations and each one's summary: net P&L, trades, open, max drawdown, last
// signal, from GET /api/recorders?summary=true), create / edit (recorder-form.ts), enable/disable, clone, reset,
// delete, rotate token, and the webhook panel: the URL (shown once), a note when TradingView cannot reach it
// (webhook-reach.ts), "Send test signal" (test-signal.ts), ready-to-paste alert messages and a builder for them
// (alert-builder.ts; the messages come from src/api/alerts.ts, as the README's do), and its notification targets
// (recorder-notifications.ts).
import { indicatorAlert, STRATEGY_ALERT } from "../../../src/api/alerts";
import { Api, config, type Recorder, type RecorderSummary } from "../api";
import { copyButton, h, replace, toast } from "../dom";
import { ago, money, plain, pnl } from "../format";
import { cardLabels, emptyRow, errorSlot, invalidateRecorders, pageHeader } from "../shared";
import { alertBuilder } from "./alert-builder";
import { cloneBox, confirmButton, resetBox } from "./recorder-actions";
import { recorderForm } from "./recorder-form";
import { recorderNotifications } from "./recorder-notifications";
import { GROUPS, settingText } from "./recorder-settings";

import { testSignalBox } from "./test-signal";
import { reachNote } from "./webhook-reach";

const LABELS = ["Name", "Symbol", "Enabled", "Qty / add", "TP / SL ticks", "Comm.", "Rules"];

/** Full tokens are returned only by create / rotate; kept in memory for this page session only. */
const freshTokens = new Map<string, { token: string; path: string }>();

export function recordersView(root: HTMLElement): () => void {
  let list: Recorder[] = [];
  /** Each recorder's summary line (absent when the summary could not be read: the list still works). */
  const summaries = new Map<string, RecorderSummary>();
  let selected: string | null = null;
  let mode: "view" | "edit" | "create" = "view";
  /** An action box open in the detail panel. */
  let action: "clone" | "reset" | null = null;
  let alive = true;

  const err = errorSlot();
  const tbody = h("tbody");
  const panel = h("section", { class: "card panel", "data-testid": "recorder-panel" });
  const newBtn = h("button", { class: "btn btn-primary", type: "button", "data-testid": "new-recorder" }, "+ New recorder");
  newBtn.addEventListener("click", () => {
    mode = "create";
    selected = null;
    action = null;
    renderTable();
    renderPanel();
  });

  replace(
    root,
    pageHeader("Recorders", newBtn),
    err.el,
    h(
      "div",
      { class: "split" },
      h(
        "section",
        { class: "card table-card" },
        h(
          "table",
          { class: "grid cards", "data-testid": "recorders-table" },
          h(
            "thead",
            null,
            h("tr", null, h("th", null, "Name"), h("th", null, "Symbol"), h("th", null, "Enabled"), h("th", { class: "r" }, "Qty / add"), h("th", { class: "r" }, "TP / SL ticks"), h("th", { class: "r" }, "Comm."), h("th", null, "Rules")),
          ),
          tbody,
        ),
      ),
      panel,
    ),
  );

  async function load(selectId?: string | null): Promise<void> {
    try {
      invalidateRecorders();
      // The summary needs every open symbol object: if that fails, the list itself must still show.
      const res = await Api.recordersWithSummary().catch(() => Api.recorders());
      if (!alive) return;
      list = res.recorders ?? [];
      summaries.clear();
      for (const r of res.recorders ?? []) if (r.summary) summaries.set(r.id, r.summary);
      err.clear();
      if (selectId !== undefined) selected = selectId;
      if (selected && !list.some((r) => r.id === selected)) selected = null;
      if (!selected && mode === "view" && list.length) selected = list[0].id;
      if (!list.length && mode === "view") mode = "create";
      renderTable();
      renderPanel();
    } catch (e) {
      if (!alive) return;
      err.show(e, "Could not load recorders");
      renderTable();
    }
  }

  function renderTable(): void {
    if (!list.length) {
      replace(tbody, emptyRow(7, "No recorders yet. Create one to get a webhook URL."));
      return;
    }
    replace(
      tbody,
      list.map((r) => {
        const toggle = h("input", { type: "checkbox", class: "switch", checked: r.enabled !== false, title: "Enable / disable", "data-testid": "toggle-enabled" });
        toggle.addEventListener("click", (ev) => ev.stopPropagation());
        toggle.addEventListener("change", () => setEnabled(r, toggle.checked, toggle));
        const tr = h(
          "tr",
          { class: `clickable${r.id === selected ? " selected" : ""}`, "data-id": r.id, "data-testid": "recorder-row" },
          h("td", null, h("strong", null, r.name), relationBadges(r), summaryLine(summaries.get(r.id))),
          h("td", null, r.symbol || h("span", { class: "muted" }, "from alert")),
          h("td", null, toggle),
          h("td", { class: "r num" }, `${plain(r.initialQuantity)} / ${plain(r.addQuantity)}`),
          h("td", { class: "r num" }, `${r.takeProfitLegs?.length ? `${r.takeProfitLegs.length} legs` : plain(r.takeProfitTicks)} / ${plain(r.stopLossTicks)}`),
          h("td", { class: "r num" }, money(r.commissionPerContract)),
          h("td", { class: "rules-cell" }, rules(r)),
        );
        cardLabels(LABELS, tr);
        tr.addEventListener("click", () => {
          if (selected !== r.id) action = null;
          selected = r.id;
          mode = "view";
          renderTable();
          renderPanel();
        });
        return tr;
      }),
    );
  }

  /** "+$123.45 · 8 trades · 1 open · max DD $20.00 · last signal 3m ago" under the recorder's name. */
  function summaryLine(s: RecorderSummary | undefined): HTMLElement | null {
    if (!s) return null;
    const part = (testid: string, ...c: (Node | string)[]) => h("span", { "data-testid": testid }, ...c);
    return h(
      "div",
      { class: "rec-summary", "data-testid": "recorder-summary" },
      part("sum-net", pnl(s.netProfit)),
      part("sum-trades", `${s.totalClosedTrades} trade${s.totalClosedTrades === 1 ? "" : "s"}`),
      part("sum-open", `${s.openPositions} open`),
      part("sum-dd", `max DD ${money(s.maxDrawdown)}`),
      part("sum-last", s.lastSignalAt ? h("span", { title: s.lastSignalAt }, `last signal ${ago(s.lastSignalAt)}`) : "no signal yet"),
    );
  }

  /** "follows X" on a follower, "N followers" on a leader. */
  function relationBadges(r: Recorder): HTMLElement | null {
    const leader = r.followsRecorderId ? list.find((x) => x.id === r.followsRecorderId) : null;
    const followers = list.filter((x) => x.followsRecorderId === r.id);
    if (!r.followsRecorderId && !followers.length) return null;
    return h(
      "span",
      { class: "badges relation" },
      r.followsRecorderId
        ? h("span", { class: "badge badge-info", "data-testid": "follows-badge", title: `Also records every signal sent to ${leader?.name ?? "that recorder"}'s webhook` }, `follows ${leader?.name ?? r.followsRecorderId.slice(0, 8)}`)
        : null,
      followers.length
        ? h("span", { class: "badge badge-ok", "data-testid": "followers-badge", title: `Followed by ${followers.map((x) => x.name).join(", ")}` }, `${followers.length} follower${followers.length === 1 ? "" : "s"}`)
        : null,
    );
  }

  function rules(r: Recorder): HTMLElement {
    const tag = (text: string, title?: string) => h("span", { class: "tag", title: title ?? null }, text);
    return h(
      "span",
      { class: "tags" },
      r.allowAdd ? tag("adds") : null,
      r.reverseOnOpposite !== false ? tag("reverse") : null,
      r.directionFilter && r.directionFilter !== "both" ? tag(`${r.directionFilter} only`, "direction filter") : null,
      isFiniteNum(r.maxContracts) ? tag(`max ${plain(r.maxContracts)}`, "max contracts") : null,
      r.takeProfitLegs?.length ? tag(`TP ×${r.takeProfitLegs.length}`, "take-profit legs") : null,
      r.trailingStop ? tag("trail", `trailing stop: trigger ${r.trailingStop.triggerTicks}t, distance ${r.trailingStop.distanceTicks}t`) : null,
      r.breakEven ? tag("BE", `break-even: trigger ${r.breakEven.triggerTicks}t, offset ${r.breakEven.offsetTicks}t`) : null,
      r.sessions?.length ? tag(`${r.sessions.length} session${r.sessions.length === 1 ? "" : "s"}`, r.timezone ?? undefined) : null,
      isFiniteNum(r.dailyLossLimit) || isFiniteNum(r.dailyProfitTarget) ? tag("daily limit", `loss ${money(r.dailyLossLimit)} / target ${money(r.dailyProfitTarget)}`) : null,
      isFiniteNum(r.cooldownSeconds) && r.cooldownSeconds > 0 ? tag(`cooldown ${r.cooldownSeconds}s`) : null,
      isFiniteNum(r.slippageTicks) && r.slippageTicks > 0 ? tag(`slip ${r.slippageTicks}t`, "slippage ticks") : null,
      isFiniteNum(r.dedupeWindowSeconds) ? tag(`dedupe ${r.dedupeWindowSeconds}s`, "dedupe window") : null,
      r.delayedFeed === "immediate" ? tag("delayed: immediate", "delayed feed: signals apply at once") : null,
    );
  }

  async function setEnabled(r: Recorder, enabled: boolean, input: HTMLInputElement): Promise<void> {
    input.disabled = true;
    try {
      const res = await Api.updateRecorder(r.id, { enabled });
      Object.assign(r, res.recorder ?? { enabled });
      toast(`${r.name} ${enabled ? "enabled" : "disabled"}`, "ok");
      renderPanel();
    } catch (e) {
      input.checked = !enabled;
      err.show(e, `Could not ${enabled ? "enable" : "disable"} ${r.name}`);
    } finally {
      input.disabled = false;
    }
  }

  function renderPanel(): void {
    if (mode === "create") return replace(panel, form(null));
    const r = list.find((x) => x.id === selected);
    if (!r) return replace(panel, h("p", { class: "muted" }, "Select a recorder."));
    if (mode === "edit") return replace(panel, form(r));
    replace(panel, detail(r));
  }

  function form(r: Recorder | null): HTMLElement {
    return recorderForm({
      recorder: r,
      list,
      onCancel: list.length
        ? () => {
            mode = "view";
            if (!selected && list.length) selected = list[0].id;
            renderTable();
            renderPanel();
          }
        : null,
      onSaved: async (saved, created) => {
        remember(saved ?? undefined);
        toast(created ? `Created ${saved?.name ?? "recorder"}` : "Saved", "ok");
        mode = "view";
        await load(saved?.id ?? r?.id ?? null);
      },
    });
  }

  const nameOf = (id: string) => list.find((x) => x.id === id)?.name ?? id;

  // ---- detail panel: actions + webhook + alert messages -------------------------------------------------

  function detail(r: Recorder): HTMLElement {
    const fresh = freshTokens.get(r.id);
    const origin = config.publicOrigin();
    const path = fresh?.path ?? (fresh ? `/webhook/${fresh.token}` : null);
    const url = path ? `${origin}${path}` : null;

    const edit = h("button", { class: "btn btn-sm", type: "button", "data-testid": "edit-recorder" }, "Edit settings");
    edit.addEventListener("click", () => {
      mode = "edit";
      action = null;
      renderPanel();
    });
    const toggleAction = (which: "clone" | "reset") => {
      action = action === which ? null : which;
      renderPanel();
    };
    const clone = h("button", { class: "btn btn-sm", type: "button", "data-testid": "clone-recorder", "aria-expanded": String(action === "clone") }, "Clone");
    clone.addEventListener("click", () => toggleAction("clone"));
    const reset = h("button", { class: "btn btn-sm btn-danger", type: "button", "data-testid": "reset-recorder", "aria-expanded": String(action === "reset") }, "Reset");
    reset.addEventListener("click", () => toggleAction("reset"));
    const closeAction = () => {
      action = null;
      renderPanel();
    };
    const actionBox =
      action === "clone"
        ? cloneBox(r, async (copy) => {
            remember(copy);
            action = null;
            await load(copy?.id ?? r.id);
          }, closeAction)
        : action === "reset"
          ? resetBox(r, async () => {
              action = null;
              await load(r.id);
            }, closeAction)
          : null;
    const followers = list.filter((x) => x.followsRecorderId === r.id);
    const relation = r.followsRecorderId
      ? h("p", { class: "small", "data-testid": "relation" }, "Follows ", h("strong", null, nameOf(r.followsRecorderId)), ": every signal sent to its webhook is recorded here too, with these settings.")
      : followers.length
        ? h("p", { class: "small", "data-testid": "relation" }, "Followed by ", h("strong", null, followers.map((x) => x.name).join(", ")), ": signals sent to this webhook are recorded there too.")
        : null;
    const rotate = confirmButton("Rotate token", "Confirm: old URL stops working", "rotate-token", async () => {
      const res = await Api.rotateToken(r.id);
      remember(res.recorder);
      toast("New webhook token issued", "ok");
      await load(r.id);
    });
    const del = confirmButton("Delete", "Confirm delete", "delete-recorder", async () => {
      await Api.deleteRecorder(r.id);
      freshTokens.delete(r.id);
      toast(`Deleted ${r.name}`, "ok");
      selected = null;
      action = null;
      await load(null);
    }, "btn-danger");

    const webhook = url
      ? h(
          "div",
          { class: "webhook" },
          h("div", { class: "alert alert-warn" }, h("strong", null, "Copy this URL now. "), "The token in it is shown only once (only a hash is stored). If you lose it, rotate the token to get a new URL."),
          h("div", { class: "copy-row" }, h("code", { class: "mono wrap", "data-testid": "webhook-url" }, url), copyButton(() => url, "Copy URL", "copy-webhook-url")),
          h("div", { class: "kv small" }, h("span", { class: "muted" }, "Token"), h("code", { class: "mono wrap", "data-testid": "webhook-token" }, fresh!.token), copyButton(() => fresh!.token, "Copy", "copy-webhook-token")),
        )
      : h(
          "div",
          { class: "webhook" },
          h("div", { class: "copy-row" }, h("code", { class: "mono wrap muted", "data-testid": "webhook-url-masked" }, `${origin}/webhook/••••••••••••`)),
          h("p", { class: "muted small" }, "The token is only shown when the recorder is created or its token rotated. Use “Rotate token” to issue a new URL (the old one stops working)."),
        );

    const alerts: [string, string][] = [
      ["Indicator alert — buy", indicatorAlert("buy")],
      ["Indicator alert — sell", indicatorAlert("sell")],
      ["Indicator alert — close", indicatorAlert("close")],
      ["Strategy alert (any strategy; recommended)", STRATEGY_ALERT],
    ];

    return h(
      "div",
      { class: "detail" },
      h(
        "div",
        { class: "panel-head" },
        h("h2", null, r.name, r.enabled === false ? h("span", { class: "badge badge-muted" }, "disabled") : h("span", { class: "badge badge-ok" }, "enabled")),
        h("div", { class: "btn-row" }, edit, h("a", { class: "btn btn-sm", href: `#/report/${encodeURIComponent(r.id)}`, "data-testid": "open-report" }, "Report"), h("a", { class: "btn btn-sm", href: `#/backtest/${encodeURIComponent(r.id)}`, "data-testid": "open-backtest" }, "Backtest vs live"), h("a", { class: "btn btn-sm", href: `#/trades?recorderId=${encodeURIComponent(r.id)}`, "data-testid": "open-trades" }, "Trades"), clone, reset, rotate, del),
      ),
      relation,
      actionBox,
      h("h3", null, "Webhook URL"),
      webhook,
      reachNote(url ?? `${origin}/webhook/x`),
      h("h3", null, "Test signal"),
      testSignalBox(r, url),
      h("h3", null, "Notifications"),
      recorderNotifications(r.id),
      h("h3", null, "Alert messages"),
      h("p", { class: "muted small" }, "In TradingView: Create alert → Notifications → Webhook URL = the URL above; Message = one of these. For indicator alerts create one alert per action."),
      alerts.map(([label, text]) =>
        h("div", { class: "snippet" }, h("div", { class: "snippet-head" }, h("span", null, label), copyButton(() => text, "Copy")), h("pre", { class: "mono" }, text)),
      ),
      h("h3", null, "Alert message builder"),
      alertBuilder(),
      h("h3", null, "Settings"),
      h(
        "dl",
        { class: "settings", "data-testid": "settings" },
        GROUPS.map((g) => [
          h("dt", { class: "group-title" }, g.title),
          g.fields
            .filter((f) => f.key !== "name")
            .map((f) => [h("dt", null, f.label), h("dd", { "data-setting": f.key }, settingText(r, f, nameOf))]),
        ]),
        h("dt", { class: "group-title" }, "Identity"),
        h("dt", null, "ID"),
        h("dd", { class: "mono small" }, r.id),
      ),
    );
  }

  /** Keeps the token of a recorder just created / rotated / cloned (the only answers that carry it). */
  function remember(rec: Recorder | undefined): void {
    if (rec && "webhookToken" in rec && typeof rec.webhookToken === "string") {
      const path = "webhookPath" in rec && typeof rec.webhookPath === "string" ? rec.webhookPath : `/webhook/${rec.webhookToken}`;
      freshTokens.set(rec.id, { token: rec.webhookToken, path });
    }
  }

  void load();
  return () => {
    alive = false;
  };
}

function isFiniteNum(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}
