// One notification target of a recorder: its kind, label, masked destination (`shown`; the API never answers the
// URL or bot token), the events it is sent (ticking one PATCHes at once), on/off, "Send test" and delete.
import { Api, ApiError, errorMessage, type NotificationEvent, type NotificationTarget, type NotificationTargetPatch } from "../api";
import { h, replace, toast } from "../dom";
import { EVENTS, KINDS } from "./notification-kinds";
import { confirmButton } from "./recorder-actions";

export function notificationTarget(t: NotificationTarget, deleted: () => void | Promise<void>): HTMLElement {
  const status = h("div", { class: "notif-status small", "data-testid": "notif-status", "aria-live": "polite" });
  const say = (kind: "ok" | "error" | "muted", text: string) => replace(status, h("span", { class: kind === "ok" ? "pos" : kind === "error" ? "neg" : "muted" }, text));

  /** PATCH one change; on a refusal put the control back and say why. */
  const patch = async (body: NotificationTargetPatch, undo: () => void): Promise<void> => {
    try {
      const res = await Api.updateNotification(t.recorderId, t.id, body);
      Object.assign(t, res.target);
      say("ok", "Saved");
    } catch (e) {
      undo();
      say("error", `Not saved: ${errorMessage(e)}`);
    }
  };

  const boxes = EVENTS.map(([ev, text, title]) => {
    const box = h("input", { type: "checkbox", checked: t.events.includes(ev), "data-testid": `notif-event-${ev}` });
    box.addEventListener("change", () => {
      const events = boxes.filter((b) => b.box.checked).map((b) => b.ev);
      void patch({ events }, () => (box.checked = !box.checked));
    });
    return { ev: ev as NotificationEvent, box, el: h("label", { class: "check", title }, box, text) };
  });

  const enabled = h("input", { type: "checkbox", class: "switch", checked: t.enabled, title: "Send to this target", "aria-label": "Enabled", "data-testid": "notif-enabled" });
  enabled.addEventListener("change", () => void patch({ enabled: enabled.checked }, () => (enabled.checked = !enabled.checked)));

  const label = h("input", { type: "text", maxlength: 60, value: t.label ?? "", placeholder: "Label", "aria-label": "Label", class: "notif-label-input", "data-testid": "notif-label-edit" });
  // `change` fires once the user leaves the field or presses Enter: one PATCH per edit, not per keystroke.
  label.addEventListener("change", () => {
    const before = t.label ?? "";
    void patch({ label: label.value.trim() || null }, () => (label.value = before));
  });

  const test = h("button", { class: "btn btn-sm", type: "button", "data-testid": "notif-test" }, "Send test");
  const testResult = h("div", { class: "notif-test-result small", "data-testid": "notif-test-result", "aria-live": "polite" });
  test.addEventListener("click", async () => {
    test.disabled = true;
    replace(testResult, h("span", { class: "muted" }, "Sending…"));
    try {
      const res = await Api.testNotification(t.recorderId, t.id);
      replace(testResult, h("span", { class: "pos" }, `Delivered (HTTP ${res.status})`));
    } catch (e) {
      // 502 target_failed: the API's message says what the target answered (or that it did not).
      const text = e instanceof ApiError && e.code === "target_failed" ? e.message : errorMessage(e);
      replace(testResult, h("span", { class: "neg" }, `Not delivered: ${text}`));
    } finally {
      test.disabled = false;
    }
  });

  const del = confirmButton("Delete", "Confirm delete", "notif-delete", async () => {
    await Api.deleteNotification(t.recorderId, t.id);
    toast(`Deleted the ${KINDS[t.kind].label} target`, "ok");
    await deleted();
  }, "btn-danger");

  return h(
    "div",
    { class: "notif-target", "data-testid": "notif-target", "data-id": t.id, "data-kind": t.kind },
    h(
      "div",
      { class: "notif-head" },
      h("span", { class: "badge badge-info", "data-testid": "notif-kind-badge" }, KINDS[t.kind].label),
      label,
      h("label", { class: "inline" }, enabled, "on"),
    ),
    h("code", { class: "mono wrap muted", "data-testid": "notif-shown", title: "Masked: the full destination is stored encrypted and never shown" }, t.shown),
    h("div", { class: "event-checks" }, boxes.map((b) => b.el)),
    h("div", { class: "btn-row" }, test, del),
    testResult,
    status,
  );
}
