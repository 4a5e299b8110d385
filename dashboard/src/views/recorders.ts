// Recorders: list, create, edit (PATCH), enable/disable, delete, rotate token, and the webhook panel with
// ready-to-paste TradingView alert messages.
import { Api, ApiError, config, errorMessage, type Recorder } from "../api";
import { copyButton, h, replace, toast } from "../dom";
import { DASH, money, plain } from "../format";
import { emptyRow, errorBox, errorSlot, invalidateRecorders, pageHeader } from "../shared";

/** Indicator alert (fixed action; duplicate it with "sell" / "close" for the other alerts). */
export const INDICATOR_ALERT = (action: string) =>
  `{"ticker":"{{ticker}}","action":"${action}","price":"{{close}}","time":"{{timenow}}"}`;
/** Strategy alert: carries the target position, so replays and duplicates are harmless. */
export const STRATEGY_ALERT =
  '{"ticker":"{{ticker}}","action":"{{strategy.order.action}}","positionSize":"{{strategy.position_size}}","marketPosition":"{{strategy.market_position}}","price":"{{close}}","time":"{{timenow}}","id":"{{strategy.order.id}}-{{timenow}}"}';

/** Full tokens are returned only by create / rotate; kept in memory for this page session only. */
const freshTokens = new Map<string, { token: string; path: string }>();

type FieldKind = "text" | "int" | "num" | "bool" | "select";
interface FieldDef {
  key: keyof Recorder & string;
  label: string;
  kind: FieldKind;
  /** Placeholder (or what an empty nullable value means). */
  hint?: string;
  /** A short explanation under the input. */
  help?: string;
  /** kind "select": [value, label]. */
  options?: [string, string][];
  /** The field takes a whole form row (long help text). */
  wide?: boolean;
  nullable?: boolean;
  def?: string | boolean;
  min?: number;
}

const FIELDS: FieldDef[] = [
  { key: "name", label: "Name", kind: "text", hint: "e.g. NQ breakout 5m" },
  { key: "symbol", label: "Symbol", kind: "text", hint: "optional, e.g. MNQ1! (else from the alert's ticker)", nullable: true },
  { key: "initialQuantity", label: "Initial quantity", kind: "num", def: "1", min: 0 },
  { key: "addQuantity", label: "Add quantity", kind: "num", def: "1", min: 0 },
  { key: "takeProfitTicks", label: "Take profit (ticks)", kind: "num", hint: "none", nullable: true, min: 0 },
  { key: "stopLossTicks", label: "Stop loss (ticks)", kind: "num", hint: "none", nullable: true, min: 0 },
  { key: "commissionPerContract", label: "Commission / contract ($)", kind: "num", def: "0", min: 0 },
  { key: "dedupeWindowSeconds", label: "Dedupe window (s)", kind: "int", def: "10", min: 0, hint: "0 disables" },
  { key: "tickSize", label: "Tick size override", kind: "num", hint: "from instrument", nullable: true, min: 0 },
  { key: "tickValue", label: "Tick value override ($)", kind: "num", hint: "from instrument", nullable: true, min: 0 },
  { key: "quantityStep", label: "Quantity step", kind: "num", def: "1", min: 0, help: "Smallest quantity a signal may use: 1 = whole contracts, 0.001 allows fractions." },
  { key: "maxSignalsPerMinute", label: "Max signals / minute", kind: "int", def: "60", min: 1, help: "Beyond this (accepted and rejected alike) the webhook answers 429 rate_limited." },
  { key: "signalLogRetentionDays", label: "Signal log kept (days)", kind: "int", def: "90", min: 1, help: "Signal-log rows older than this are deleted." },
  {
    key: "delayedFeed",
    label: "Delayed feed",
    kind: "select",
    def: "align",
    options: [
      ["align", "align (default)"],
      ["immediate", "immediate"],
    ],
    wide: true,
    help: "With a delayed TradingView feed (no real-time subscription), align applies each signal when the feed's 15-minute-late prices reach its time, so MAE/MFE come from the prices of the trade itself; immediate applies at once.",
  },
  { key: "allowAdd", label: "Allow adds (DCA)", kind: "bool", def: true },
  { key: "reverseOnOpposite", label: "Reverse on opposite signal", kind: "bool", def: true },
  { key: "enabled", label: "Enabled", kind: "bool", def: true },
];

export function recordersView(root: HTMLElement): () => void {
  let list: Recorder[] = [];
  let selected: string | null = null;
  let mode: "view" | "edit" | "create" = "view";
  let alive = true;

  const err = errorSlot();
  const tbody = h("tbody");
  const panel = h("section", { class: "card panel", "data-testid": "recorder-panel" });
  const newBtn = h("button", { class: "btn btn-primary", type: "button", "data-testid": "new-recorder" }, "+ New recorder");
  newBtn.addEventListener("click", () => {
    mode = "create";
    selected = null;
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
          { class: "grid", "data-testid": "recorders-table" },
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
      const res = await Api.recorders();
      if (!alive) return;
      list = res.recorders ?? [];
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
          h("td", null, h("strong", null, r.name)),
          h("td", null, r.symbol || h("span", { class: "muted" }, "from alert")),
          h("td", null, toggle),
          h("td", { class: "r num" }, `${plain(r.initialQuantity)} / ${plain(r.addQuantity)}`),
          h("td", { class: "r num" }, `${plain(r.takeProfitTicks)} / ${plain(r.stopLossTicks)}`),
          h("td", { class: "r num" }, money(r.commissionPerContract)),
          h("td", null, rules(r)),
        );
        tr.addEventListener("click", () => {
          selected = r.id;
          mode = "view";
          renderTable();
          renderPanel();
        });
        return tr;
      }),
    );
  }

  function rules(r: Recorder): HTMLElement {
    return h(
      "span",
      { class: "tags" },
      r.allowAdd ? h("span", { class: "tag" }, "adds") : null,
      r.reverseOnOpposite !== false ? h("span", { class: "tag" }, "reverse") : null,
      isFiniteNum(r.dedupeWindowSeconds) ? h("span", { class: "tag", title: "dedupe window" }, `dedupe ${r.dedupeWindowSeconds}s`) : null,
      r.delayedFeed === "immediate" ? h("span", { class: "tag", title: "delayed feed: signals apply at once" }, "delayed: immediate") : null,
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

  // ---- detail panel: actions + webhook + alert messages -------------------------------------------------

  function detail(r: Recorder): HTMLElement {
    const fresh = freshTokens.get(r.id);
    const origin = config.publicOrigin();
    const path = fresh?.path ?? (fresh ? `/webhook/${fresh.token}` : null);
    const url = path ? `${origin}${path}` : null;

    const edit = h("button", { class: "btn btn-sm", type: "button", "data-testid": "edit-recorder" }, "Edit settings");
    edit.addEventListener("click", () => {
      mode = "edit";
      renderPanel();
    });
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
      ["Indicator alert — buy", INDICATOR_ALERT("buy")],
      ["Indicator alert — sell", INDICATOR_ALERT("sell")],
      ["Indicator alert — close", INDICATOR_ALERT("close")],
      ["Strategy alert (any strategy; recommended)", STRATEGY_ALERT],
    ];

    return h(
      "div",
      { class: "detail" },
      h(
        "div",
        { class: "panel-head" },
        h("h2", null, r.name, r.enabled === false ? h("span", { class: "badge badge-muted" }, "disabled") : h("span", { class: "badge badge-ok" }, "enabled")),
        h("div", { class: "btn-row" }, edit, h("a", { class: "btn btn-sm", href: `#/report/${encodeURIComponent(r.id)}`, "data-testid": "open-report" }, "Report"), h("a", { class: "btn btn-sm", href: `#/trades?recorderId=${encodeURIComponent(r.id)}` }, "Trades"), rotate, del),
      ),
      h("h3", null, "Webhook URL"),
      webhook,
      h("h3", null, "Alert messages"),
      h("p", { class: "muted small" }, "In TradingView: Create alert → Notifications → Webhook URL = the URL above; Message = one of these. For indicator alerts create one alert per action."),
      alerts.map(([label, text]) =>
        h("div", { class: "snippet" }, h("div", { class: "snippet-head" }, h("span", null, label), copyButton(() => text, "Copy")), h("pre", { class: "mono" }, text)),
      ),
      h("h3", null, "Settings"),
      h(
        "dl",
        { class: "settings" },
        FIELDS.filter((f) => f.key !== "name").map((f) => [h("dt", null, f.label), h("dd", null, fmtSetting(r[f.key], f))]),
        h("dt", null, "ID"),
        h("dd", { class: "mono small" }, r.id),
      ),
    );
  }

  function remember(rec: Recorder | undefined): void {
    if (rec?.id && rec.webhookToken) {
      freshTokens.set(rec.id, { token: rec.webhookToken, path: rec.webhookPath ?? `/webhook/${rec.webhookToken}` });
    }
  }

  // ---- create / edit form --------------------------------------------------------------------------------

  function form(r: Recorder | null): HTMLElement {
    const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
    const formErr = h("div");
    const rows = FIELDS.map((f) => {
      const id = `f-${f.key}`;
      const help = f.help ? h("span", { class: "help", id: `${id}-help` }, f.help) : null;
      const fieldClass = `field${f.wide ? " field-wide" : ""}`;
      if (f.kind === "bool") {
        const v = r ? r[f.key] : f.def;
        const input = h("input", { type: "checkbox", id, name: f.key, checked: v === undefined ? !!f.def : !!v });
        inputs.set(f.key, input);
        return h("label", { class: "check field-bool" }, input, " ", f.label);
      }
      const v = r ? r[f.key] : undefined;
      if (f.kind === "select") {
        const sel = h("select", { id, name: f.key, "aria-describedby": help ? `${id}-help` : null }, (f.options ?? []).map(([value, label]) => h("option", { value }, label)));
        sel.value = typeof v === "string" ? v : String(f.def ?? "");
        inputs.set(f.key, sel);
        return h("div", { class: fieldClass }, h("label", { for: id }, f.label), sel, help);
      }
      const input = h("input", {
        id,
        name: f.key,
        type: f.kind === "text" ? "text" : "number",
        step: f.kind === "int" ? "1" : f.kind === "num" ? "any" : null,
        min: f.min ?? null,
        required: f.key === "name",
        placeholder: f.hint ?? (f.def !== undefined ? `default ${f.def}` : ""),
        value: v === undefined || v === null ? (r ? "" : typeof f.def === "string" ? f.def : "") : String(v),
        "aria-describedby": help ? `${id}-help` : null,
      });
      inputs.set(f.key, input);
      return h("div", { class: fieldClass }, h("label", { for: id }, f.label), input, help);
    });
    const submit = h("button", { class: "btn btn-primary", type: "submit", "data-testid": "save-recorder" }, r ? "Save changes" : "Create recorder");
    const cancel = h("button", { class: "btn", type: "button" }, "Cancel");
    cancel.addEventListener("click", () => {
      mode = "view";
      if (!selected && list.length) selected = list[0].id;
      renderPanel();
    });
    const el = h(
      "form",
      { class: "recorder-form", "data-testid": "recorder-form", novalidate: true },
      h("div", { class: "panel-head" }, h("h2", null, r ? `Edit ${r.name}` : "New recorder")),
      formErr,
      h("div", { class: "form-grid" }, rows),
      h("div", { class: "btn-row" }, submit, list.length ? cancel : null),
    );
    el.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const body: Record<string, unknown> = {};
      const problems: string[] = [];
      for (const f of FIELDS) {
        const input = inputs.get(f.key)!;
        let value: unknown;
        if (f.kind === "bool") value = (input as HTMLInputElement).checked;
        else if (f.kind === "select") value = input.value;
        else if (f.kind === "text") value = input.value.trim() || (f.nullable ? null : "");
        else if (input.value.trim() === "") value = f.nullable ? null : undefined;
        else {
          value = Number(input.value);
          if (!Number.isFinite(value as number)) problems.push(`${f.label}: not a number`);
          if (f.kind === "int" && !Number.isInteger(value)) problems.push(`${f.label}: must be a whole number`);
        }
        if (f.key === "name" && !value) problems.push("Name is required");
        if (r) {
          const prev = r[f.key] ?? null;
          if (value === undefined || (value ?? null) === prev) continue;
          body[f.key] = value;
        } else if (value !== undefined && value !== null) body[f.key] = value;
      }
      if (problems.length) {
        replace(formErr, h("div", { class: "alert alert-error" }, problems.join("; ")));
        return;
      }
      submit.disabled = true;
      try {
        if (r) {
          if (Object.keys(body).length) await Api.updateRecorder(r.id, body as Partial<Recorder>);
          toast("Saved", "ok");
          mode = "view";
          await load(r.id);
        } else {
          const res = await Api.createRecorder(body as Partial<Recorder>);
          remember(res.recorder);
          toast(`Created ${res.recorder?.name ?? "recorder"}`, "ok");
          mode = "view";
          await load(res.recorder?.id ?? null);
        }
      } catch (e) {
        replace(formErr, validationBox(e));
        submit.disabled = false;
      }
    });
    return el;
  }

  void load();
  return () => {
    alive = false;
  };
}

function isFiniteNum(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

function fmtSetting(v: unknown, f: FieldDef): string {
  if (f.kind === "bool") return v === undefined ? DASH : v ? "yes" : "no";
  if (v === null || v === undefined || v === "") return f.nullable ? (f.hint ?? DASH) : DASH;
  if (f.key === "commissionPerContract" || f.key === "tickValue") return money(v);
  return plain(v);
}

/** An API validation error with its field problems listed. */
export function validationBox(e: unknown): HTMLElement {
  if (!(e instanceof ApiError) || e.details === undefined || e.details === null) return errorBox(e, "Not saved");
  return h("div", { class: "alert alert-error", role: "alert", "data-testid": "error" }, h("strong", null, "Not saved: "), errorMessage(e), h("ul", { class: "details" }, detailItems(e.details)));
}

function detailItems(d: unknown): HTMLElement[] {
  if (Array.isArray(d)) {
    return d.map((x) => {
      if (x && typeof x === "object") {
        const o = x as Record<string, unknown>;
        const path = Array.isArray(o.path) ? o.path.join(".") : (o.field ?? o.path ?? o.key ?? "");
        return h("li", null, `${path ? `${String(path)}: ` : ""}${String(o.problem ?? o.message ?? JSON.stringify(o))}`);
      }
      return h("li", null, String(x));
    });
  }
  if (d && typeof d === "object") {
    return Object.entries(d as Record<string, unknown>).map(([k, v]) => h("li", null, `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`));
  }
  return [h("li", null, String(d))];
}

/** Two-step button: first click arms it, second click (within 4 s) runs the action. */
function confirmButton(label: string, armed: string, testid: string, action: () => Promise<void>, cls = ""): HTMLButtonElement {
  const btn = h("button", { class: `btn btn-sm ${cls}`, type: "button", "data-testid": testid }, label);
  let armedUntil = 0;
  btn.addEventListener("click", async () => {
    if (Date.now() > armedUntil) {
      armedUntil = Date.now() + 4000;
      btn.textContent = armed;
      btn.classList.add("armed");
      setTimeout(() => {
        if (Date.now() >= armedUntil) {
          btn.textContent = label;
          btn.classList.remove("armed");
        }
      }, 4050);
      return;
    }
    armedUntil = 0;
    btn.disabled = true;
    try {
      await action();
    } catch (e) {
      toast(errorMessage(e), "error");
      btn.disabled = false;
      btn.textContent = label;
      btn.classList.remove("armed");
    }
  });
  return btn;
}

export { confirmButton };
