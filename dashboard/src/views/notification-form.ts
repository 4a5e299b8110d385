// "Add a target": kind, its destination (a URL, or a Telegram bot token + chat id), the events, a label → POST.
// The API's 400 field problems (`url`, `botToken`, `chatId`, `events`, `label`, `kind`) are shown under their
// fields. The destination is a secret (the API stores it encrypted and never answers it back), so the secret fields
// are emptied as soon as the target is saved: nothing on the page holds it afterwards.
import { Api, errorMessage, fieldProblems, type NotificationEvent, type NotificationKind, type NotificationTarget, type NotificationTargetInput } from "../api";
import { h, replace } from "../dom";
import { errorBox } from "../shared";
import { EVENTS, KIND_ORDER, KINDS } from "./notification-kinds";

type FieldName = "kind" | "url" | "botToken" | "chatId" | "events" | "label";

/** A labelled field with a slot for its problem under it. */
function field(name: FieldName, label: string, control: HTMLElement, help?: HTMLElement | null) {
  const error = h("div", { class: "field-error", "data-testid": `notif-error-${name}`, hidden: true });
  const el = h("div", { class: "field", "data-field": name }, h("label", { class: "label", for: control.id || null }, label), control, help ?? null, error);
  return {
    el,
    setError(problems: string[]) {
      el.classList.toggle("invalid", problems.length > 0);
      error.hidden = problems.length === 0;
      replace(error, problems.join("; "));
    },
  };
}

export function notificationForm(recorderId: string, added: (t: NotificationTarget) => void | Promise<void>): HTMLFormElement {
  const kind = h("select", { id: "n-kind", "data-testid": "notif-kind" }, KIND_ORDER.map((k) => h("option", { value: k }, KINDS[k].label)));
  const help = h("p", { class: "help", "data-testid": "notif-help" });
  // autocomplete off: a browser must not offer a webhook secret back in another form.
  const secretAttrs = { type: "text", autocomplete: "off", spellcheck: "false" } as const;
  const url = h("input", { ...secretAttrs, id: "n-url", "data-testid": "notif-url", inputmode: "url" });
  const botToken = h("input", { ...secretAttrs, id: "n-bot-token", "data-testid": "notif-bot-token", placeholder: "123456:ABC…" });
  const chatId = h("input", { ...secretAttrs, id: "n-chat-id", "data-testid": "notif-chat-id", placeholder: "-100… or @channel" });
  const label = h("input", { type: "text", id: "n-label", maxlength: 60, "data-testid": "notif-label", placeholder: "e.g. phone, team channel" });
  const boxes = new Map<NotificationEvent, HTMLInputElement>();
  const events = h(
    "div",
    { class: "event-checks", role: "group", "aria-label": "Events" },
    EVENTS.map(([ev, text, title]) => {
      const box = h("input", { type: "checkbox", "data-testid": `notif-new-event-${ev}` });
      boxes.set(ev, box);
      return h("label", { class: "check", title }, box, text);
    }),
  );

  const fields = {
    kind: field("kind", "Kind", kind),
    url: field("url", "URL", url),
    botToken: field("botToken", "Bot token", botToken),
    chatId: field("chatId", "Chat id", chatId),
    events: field("events", "Events", events),
    label: field("label", "Label (optional)", label),
  };
  const summary = h("div", { "data-testid": "notif-form-error" });
  const submit = h("button", { class: "btn btn-sm btn-primary", type: "submit", "data-testid": "notif-add" }, "Add target");

  const showKind = () => {
    const info = KINDS[kind.value as NotificationKind];
    replace(help, info.help);
    url.placeholder = info.placeholder ?? "";
    fields.url.el.hidden = info.secret !== "url";
    fields.botToken.el.hidden = fields.chatId.el.hidden = info.secret !== "telegram";
  };
  kind.addEventListener("change", showKind);
  showKind();

  const form = h(
    "form",
    { class: "notif-form", "data-testid": "notif-form", novalidate: true },
    h("div", { class: "notif-form-grid" }, fields.kind.el, fields.label.el),
    help,
    h("div", { class: "notif-form-grid" }, fields.url.el, fields.botToken.el, fields.chatId.el),
    fields.events.el,
    h("div", { class: "btn-row" }, submit),
    summary,
  );

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    replace(summary);
    for (const f of Object.values(fields)) f.setError([]);
    const k = kind.value as NotificationKind;
    const chosen = EVENTS.map(([e]) => e).filter((e) => boxes.get(e)!.checked);
    const common = { events: chosen, label: label.value.trim() || undefined };
    const body: NotificationTargetInput =
      k === "telegram" ? { ...common, kind: k, botToken: botToken.value.trim(), chatId: chatId.value.trim() } : { ...common, kind: k, url: url.value.trim() };
    submit.disabled = true;
    try {
      const res = await Api.addNotification(recorderId, body);
      // The secret is now only in the API's encrypted store: forget it here.
      url.value = botToken.value = chatId.value = label.value = "";
      for (const b of boxes.values()) b.checked = false;
      await added(res.target);
    } catch (e) {
      const problems = fieldProblems(e);
      const byField = new Map<string, string[]>();
      for (const p of problems) {
        const name = p.field.split(".")[0] || "kind";
        byField.set(name, [...(byField.get(name) ?? []), p.problem]);
      }
      let shownUnder = false;
      for (const [name, msgs] of byField) {
        const f = fields[name as FieldName];
        if (f) {
          f.setError(msgs);
          shownUnder = true;
        }
      }
      replace(summary, shownUnder ? h("div", { class: "alert alert-error", role: "alert", "data-testid": "error" }, h("strong", null, "Not added: "), errorMessage(e)) : errorBox(e, "Not added"));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
