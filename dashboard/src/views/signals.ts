// Signal log: every webhook call with its outcome; rejections show the API's error code and message, scheduled
// signals (delayed feed, "align") the market time they apply at, and a body cut at 8 KiB says so.
import { Api, type Recorder, type SignalLog } from "../api";
import { h, replace } from "../dom";
import { clock, timeCell } from "../format";
import { emptyRow, errorSlot, hashQuery, pageHeader, recorderName, recorders, recorderSelect, setHashQuery } from "../shared";

function errParts(e: SignalLog["error"]): { code: string; message: string } | null {
  if (!e) return null;
  if (typeof e === "string") return { code: "", message: e };
  return { code: e.code ?? "", message: e.message ?? JSON.stringify(e) };
}

function bodyText(b: unknown): string {
  if (b === undefined || b === null) return "";
  if (typeof b === "string") {
    try {
      return JSON.stringify(JSON.parse(b));
    } catch {
      return b;
    }
  }
  return JSON.stringify(b);
}

export function signalsView(root: HTMLElement): () => void {
  let alive = true;
  let recs: Recorder[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  const q = hashQuery();
  const err = errorSlot();
  const selSlot = h("span");
  let recorderId = q.get("recorderId") ?? "";
  const limit = h("select", { class: "input-sm", title: "How many" }, ["50", "100", "200", "500"].map((n) => h("option", { value: n }, `last ${n}`)));
  limit.value = q.get("limit") ?? "100";
  const status = h(
    "select",
    { class: "input-sm", title: "Status", "data-testid": "signals-status" },
    [["", "all statuses"], ["applied", "applied"], ["scheduled", "scheduled"], ["rejected", "rejected"], ["duplicate", "duplicate"]].map(([v, l]) => h("option", { value: v }, l)),
  );
  status.value = q.get("status") ?? "";
  const params = () => ({ recorderId, status: status.value, limit: limit.value });
  const auto = h("input", { type: "checkbox", checked: true });
  const refresh = h("button", { class: "btn btn-sm", type: "button" }, "Refresh");
  const tbody = h("tbody");

  replace(
    root,
    pageHeader("Signal log", selSlot, status, limit, h("label", { class: "check inline" }, auto, " auto-refresh"), refresh),
    err.el,
    h(
      "section",
      { class: "card table-card" },
      h(
        "table",
        { class: "grid", "data-testid": "signals-table" },
        h("thead", null, h("tr", null, h("th", null, "Received"), h("th", null, "Recorder"), h("th", null, "Symbol"), h("th", null, "Status"), h("th", null, "Result"), h("th", null, "Error"), h("th", null, "Body"))),
        tbody,
      ),
    ),
  );

  async function load(): Promise<void> {
    try {
      const res = await Api.signals(params());
      if (!alive) return;
      err.clear();
      const list = res.signals ?? [];
      if (!list.length) return replace(tbody, emptyRow(7, status.value ? `No ${status.value} signals.` : "No signals received yet."));
      replace(tbody, list.map(row));
    } catch (e) {
      if (alive) err.show(e, "Could not load signals");
    }
  }

  function row(s: SignalLog): HTMLTableRowElement {
    const e = errParts(s.error);
    const text = bodyText(s.body);
    return h(
      "tr",
      { "data-testid": "signal-row", "data-status": s.status },
      h("td", null, timeCell(s.receivedAt)),
      h("td", null, recorderName(recs, s.recorderId ?? null)),
      h("td", null, typeof s.symbol === "string" ? s.symbol : ""),
      h(
        "td",
        null,
        h("span", { class: `badge status-${s.status}` }, s.status),
        s.status === "scheduled" ? h("div", { class: "muted small", title: s.appliesAt ?? "" }, `applies at ${clock(s.appliesAt ?? s.receivedAt)} market time`) : null,
      ),
      h("td", null, s.result ?? "", typeof s.reason === "string" ? h("div", { class: "muted small" }, s.reason) : null),
      h("td", { class: "err-cell" }, e ? [e.code ? h("code", { class: "err-code" }, e.code) : null, " ", e.message] : ""),
      h(
        "td",
        { class: "body-cell" },
        s.bodyTruncated ? [h("span", { class: "badge badge-warn", "data-testid": "body-truncated", title: "The body was longer than 8 KiB: the log keeps its first 8 KiB" }, "body truncated"), " "] : null,
        text.length > 90 ? h("details", null, h("summary", { class: "mono" }, `${text.slice(0, 90)}…`), h("pre", { class: "mono" }, prettify(text))) : h("code", { class: "mono" }, text),
      ),
    );
  }

  function prettify(t: string): string {
    try {
      return JSON.stringify(JSON.parse(t), null, 2);
    } catch {
      return t;
    }
  }

  function schedule(): void {
    clearInterval(timer);
    if (auto.checked) timer = setInterval(() => document.visibilityState === "visible" && void load(), 5000);
  }

  refresh.addEventListener("click", () => void load());
  for (const sel of [limit, status]) {
    sel.addEventListener("change", () => {
      setHashQuery(params());
      void load();
    });
  }
  auto.addEventListener("change", schedule);

  recorders()
    .then((list) => {
      if (!alive) return;
      recs = list;
      const sel = recorderSelect(list, recorderId, "All recorders", "signals-recorder");
      sel.addEventListener("change", () => {
        recorderId = sel.value;
        setHashQuery(params());
        void load();
      });
      replace(selSlot, sel);
    })
    .catch(() => undefined)
    .finally(() => void load());
  schedule();

  return () => {
    alive = false;
    clearInterval(timer);
  };
}
