// Pieces shared by several screens: error banners, the recorder list cache, a recorder <select>.
import { Api, errorMessage, type Fill, type Recorder } from "./api";
import { h, replace } from "./dom";
import { dateTime, DASH } from "./format";
import { reasonText } from "./reasons";
import { tickPrice } from "./ticks";

export function errorBox(e: unknown, title = "Request failed"): HTMLDivElement {
  return h("div", { class: "alert alert-error", role: "alert", "data-testid": "error" }, h("strong", null, `${title}: `), errorMessage(e));
}

/** A slot that shows the latest error (or nothing). */
export function errorSlot(): { el: HTMLDivElement; show(e: unknown, title?: string): void; clear(): void } {
  const el = h("div", { class: "error-slot" });
  return {
    el,
    show(e, title) {
      replace(el, errorBox(e, title));
    },
    clear() {
      replace(el);
    },
  };
}

let cache: { at: number; list: Recorder[] } | null = null;

export async function recorders(force = false): Promise<Recorder[]> {
  if (!force && cache && Date.now() - cache.at < 15_000) return cache.list;
  const { recorders } = await Api.recorders();
  cache = { at: Date.now(), list: recorders ?? [] };
  return cache.list;
}

export function invalidateRecorders(): void {
  cache = null;
}

export function recorderName(list: Recorder[], id: string | null | undefined): string {
  if (!id) return "—";
  return list.find((r) => r.id === id)?.name ?? id.slice(0, 8);
}

export function recorderSelect(list: Recorder[], selected: string, allLabel: string | null, testid?: string): HTMLSelectElement {
  const sel = h("select", { "data-testid": testid ?? null });
  if (allLabel !== null) sel.appendChild(h("option", { value: "" }, allLabel));
  for (const r of list) {
    sel.appendChild(h("option", { value: r.id }, `${r.name}${r.symbol ? ` · ${r.symbol}` : ""}${r.enabled === false ? " (disabled)" : ""}`));
  }
  sel.value = selected;
  return sel;
}

/** Labels a row's cells for the phone layout (desk-phone.css shows `table.cards` rows as cards, each cell with
 * its label before it); an empty label shows none. Returns the row. */
export function cardLabels(labels: string[], tr: HTMLTableRowElement): HTMLTableRowElement {
  Array.from(tr.cells).forEach((td, i) => td.setAttribute("data-label", labels[i] ?? ""));
  return tr;
}

export function emptyRow(cols: number, text: string): HTMLTableRowElement {
  return h("tr", { class: "empty" }, h("td", { colspan: cols }, text));
}

export function sideBadge(side: unknown): HTMLSpanElement {
  const s = String(side ?? "");
  return h("span", { class: `badge side-${s}` }, s || "—");
}

/** What a webhook body asks for, in a few words ("buy 2 @ 25600", "target -1", "close"), from the signal log's
 * copy of the body (aliases as the webhook accepts them). Empty when the body says nothing recognisable. */
export function signalAction(body: unknown): string {
  let b = body;
  if (typeof b === "string") {
    try {
      b = JSON.parse(b);
    } catch {
      return "";
    }
  }
  if (!b || typeof b !== "object" || Array.isArray(b)) return "";
  const o = b as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v).trim() : "");
  const target = text(o.positionSize ?? o.position_size);
  const sentiment = text(o.sentiment).toLowerCase();
  let what = text(o.action ?? o.data);
  if (!what && sentiment === "flat") what = "close";
  if (!what && target) what = `target ${target}`;
  if (!what) return "";
  const qty = text(o.quantity ?? o.qty ?? o.contracts);
  const px = text(o.price ?? o.signalPrice ?? o.close);
  return `${what}${qty ? ` ${qty}` : ""}${px && Number(px) > 0 ? ` @ ${px}` : ""}`;
}

export function pageHeader(title: string, ...right: (Node | null)[]): HTMLDivElement {
  return h("div", { class: "page-head" }, h("h1", null, title), h("div", { class: "page-actions" }, ...right));
}

/** Query parameters after the hash route, e.g. #/trades?recorderId=abc. */
export function hashQuery(): URLSearchParams {
  const i = location.hash.indexOf("?");
  return new URLSearchParams(i >= 0 ? location.hash.slice(i + 1) : "");
}

/** Replace the hash query without re-rendering the view. */
export function setHashQuery(params: Record<string, string>): void {
  const base = location.hash.split("?")[0] || "#/";
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "")).toString();
  history.replaceState(null, "", `${location.pathname}${location.search}${base}${qs ? `?${qs}` : ""}`);
}

export function navigate(path: string): void {
  const target = `#/${path.replace(/^#?\/?/, "")}`;
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = target;
}

/** A position's fills: time (market time), side, quantity, price (at the instrument's decimals, `tick`), where the
 * price came from (the signal's own or the live feed's), the live feed's price at that moment, and why. */
export function fillsTable(fills: Fill[], tick: number | null = null): HTMLTableElement {
  return h(
    "table",
    { class: "grid fills", "data-testid": "fills" },
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        h("th", null, "Fill time"),
        h("th", null, "Side"),
        h("th", { class: "r" }, "Qty"),
        h("th", { class: "r" }, "Price"),
        h("th", { title: "signal: the alert's own price; feed: the live feed's price" }, "Price from"),
        h("th", { class: "r", title: "The live feed's last price at that moment (— when no live feed)" }, "Feed price"),
        h("th", null, "Reason"),
      ),
    ),
    h(
      "tbody",
      null,
      fills.map((f) =>
        h(
          "tr",
          { "data-testid": "fill-row" },
          h("td", { title: f.at }, dateTime(f.at)),
          h("td", null, f.side),
          h("td", { class: "r num" }, String(f.quantity)),
          h("td", { class: "r num" }, tickPrice(f.price, tick)),
          h("td", { "data-testid": "fill-source" }, f.priceSource ? h("span", { class: `badge source-${f.priceSource}` }, f.priceSource) : DASH),
          h("td", { class: "r num", "data-testid": "fill-feed-price" }, tickPrice(f.feedPrice, tick)),
          h("td", { title: f.reason ?? "" }, reasonText(f.reason)),
        ),
      ),
    ),
  );
}

/**
 * The recorders list for a per-recorder screen (#/<screen>/:id), with `id` checked: null when the list failed (the
 * error is shown in `body`), when it is empty (said in `body`), when the screen was left meanwhile (`alive`), or
 * when `id` is none of them (then it navigates to the first recorder's screen instead).
 */
export async function screenRecorders(body: HTMLElement, screen: string, id: string | undefined, alive: () => boolean): Promise<Recorder[] | null> {
  let list: Recorder[];
  try {
    list = await recorders();
  } catch (e) {
    replace(body, errorBox(e, "Could not load recorders"));
    return null;
  }
  if (!alive()) return null;
  if (!list.length) {
    replace(body, h("p", { class: "muted" }, "No recorders yet."));
    return null;
  }
  if (!id || !list.some((r) => r.id === id)) {
    navigate(`${screen}/${encodeURIComponent(list[0].id)}`);
    return null;
  }
  return list;
}
