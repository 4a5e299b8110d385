// The alert-message builder of the recorder panel: indicator or strategy alert, quantity, take-profit / stop-loss
// (ticks) and a trailing stop (price units), producing the one-line JSON to paste into TradingView's "Message"
// box. The JSON comes from src/api/alerts.ts, the module the README's examples come from, so they agree.
import { buildAlert, type AlertOptions } from "../../../src/api/alerts";
import { copyButton, h, replace } from "../dom";

export function alertBuilder(): HTMLElement {
  const kind = h("select", { id: "ab-kind", "data-testid": "ab-kind" }, h("option", { value: "indicator" }, "Indicator alert"), h("option", { value: "strategy" }, "Strategy alert"));
  const action = h("select", { id: "ab-action", "data-testid": "ab-action" }, h("option", { value: "buy" }, "buy"), h("option", { value: "sell" }, "sell"), h("option", { value: "close" }, "close"));
  const numberInput = (id: string, placeholder: string) =>
    h("input", { id, type: "number", min: 0, step: "any", inputmode: "decimal", placeholder, "data-testid": id });
  const qty = numberInput("ab-qty", "recorder's");
  const tp = numberInput("ab-tp", "none");
  const sl = numberInput("ab-sl", "none");
  const trail = numberInput("ab-trail", "off");
  const trigger = numberInput("ab-trigger", "0");
  const out = h("pre", { class: "mono", "data-testid": "ab-output" });
  const problem = h("div", { class: "field-error", role: "alert", "data-testid": "ab-problem" });
  const field = (label: string, input: HTMLElement, id: string, hint?: string) =>
    h("div", { class: "field" }, h("label", { for: id }, label), input, hint ? h("span", { class: "help" }, hint) : null);
  const actionField = field("Action", action, "ab-action", "one alert per action");

  const read = (input: HTMLInputElement, label: string, problems: string[]): number | null => {
    const t = input.value.trim();
    if (!t) return null;
    const n = Number(t);
    if (!Number.isFinite(n) || n <= 0) {
      problems.push(`${label} must be a positive number`);
      return null;
    }
    return n;
  };
  const render = () => {
    const problems: string[] = [];
    actionField.hidden = kind.value === "strategy";
    const opts: AlertOptions = {
      kind: kind.value === "strategy" ? "strategy" : "indicator",
      action: action.value as AlertOptions["action"],
      quantity: read(qty, "Quantity", problems),
      takeProfitTicks: read(tp, "Take profit", problems),
      stopLossTicks: read(sl, "Stop loss", problems),
      trailDistance: read(trail, "Trailing distance", problems),
      trailTrigger: read(trigger, "Trailing trigger", problems),
    };
    if (opts.trailTrigger !== null && opts.trailDistance === null) problems.push("a trailing trigger needs a trailing distance");
    replace(problem, problems.join("; "));
    problem.hidden = problems.length === 0;
    out.textContent = buildAlert(opts);
  };
  for (const el of [kind, action, qty, tp, sl, trail, trigger]) el.addEventListener("input", render);
  render();

  return h(
    "div",
    { class: "alert-builder", "data-testid": "alert-builder" },
    h(
      "div",
      { class: "builder" },
      field("Kind", kind, "ab-kind"),
      actionField,
      field("Quantity", qty, "ab-qty", "contracts; empty: the recorder's (indicator) or the strategy's"),
      field("Take profit (ticks)", tp, "ab-tp"),
      field("Stop loss (ticks)", sl, "ab-sl"),
      field("Trailing stop (points)", trail, "ab-trail", "distance behind the best price"),
      field("Trail starts after (points)", trigger, "ab-trigger"),
    ),
    problem,
    h("div", { class: "snippet builder-out" }, h("div", { class: "snippet-head" }, h("span", null, "Message to paste into the alert"), copyButton(() => out.textContent ?? "", "Copy", "ab-copy")), out),
  );
}
