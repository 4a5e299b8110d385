// The recorder panel's "Notifications" section: the recorder's targets (GET /api/recorders/:id/notifications) and
// the form that adds one. Loaded on its own, so a slow or refused list (503 without TV_SESSION_KEY) never holds
// up the rest of the panel.
import { Api, type NotificationTarget } from "../api";
import { h, replace, toast } from "../dom";
import { errorBox } from "../shared";
import { KINDS } from "./notification-kinds";
import { notificationForm } from "./notification-form";
import { notificationTarget } from "./notification-target";

export function recorderNotifications(recorderId: string): HTMLElement {
  const list = h("div", { class: "notif-list", "data-testid": "notif-list" }, h("p", { class: "muted small" }, "Loading…"));
  /** Bumped by every load: a late answer for an older one is dropped. */
  let generation = 0;

  const load = async (): Promise<void> => {
    const gen = ++generation;
    try {
      const { targets } = await Api.notifications(recorderId);
      if (gen !== generation) return;
      render(targets);
    } catch (e) {
      if (gen === generation) replace(list, errorBox(e, "Could not load notification targets"));
    }
  };

  const render = (targets: NotificationTarget[]) =>
    replace(
      list,
      targets.length
        ? targets.map((t) => notificationTarget(t, load))
        : h("p", { class: "muted small", "data-testid": "notif-empty" }, "No targets yet: add one below to hear about this recorder's trades on Discord, Slack, Telegram or your own webhook."),
    );

  const form = notificationForm(recorderId, async (t) => {
    toast(`Added the ${KINDS[t.kind].label} target`, "ok");
    await load();
  });

  void load();
  return h(
    "div",
    { class: "notifications", "data-testid": "notifications" },
    h("p", { class: "muted small" }, "Messages about this recorder, sent once the record is saved, retried for up to about an hour if the target does not answer. A destination is stored encrypted and shown masked."),
    list,
    h("details", { class: "notif-add", open: true }, h("summary", null, "Add a target"), form),
  );
}
