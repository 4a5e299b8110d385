// Actions of the recorder detail panel that need a word from the user first: Clone (asks for the new name) and
// Reset (says what it deletes and asks again; a 409 says what to do), plus the two-step confirm button.
import { Api, ApiError, errorMessage, type Recorder } from "../api";
import { h, replace, toast } from "../dom";
import { errorBox } from "../shared";

/** Clone: the new recorder's name, then POST /clone. `done` gets the clone (with its webhook token, shown once). */
export function cloneBox(r: Recorder, done: (clone: Recorder) => Promise<void>, close: () => void): HTMLElement {
  const err = h("div", { "data-testid": "clone-error" });
  const name = h("input", { type: "text", id: "clone-name", value: `${r.name} (copy)`, required: true, maxlength: 120, "data-testid": "clone-name" });
  const go = h("button", { class: "btn btn-sm btn-primary", type: "submit", "data-testid": "confirm-clone" }, "Create clone");
  const cancel = h("button", { class: "btn btn-sm", type: "button" }, "Cancel");
  cancel.addEventListener("click", close);
  const form = h(
    "form",
    { class: "action-box", "data-testid": "clone-box", novalidate: true },
    h("label", { for: "clone-name" }, "Name of the copy"),
    name,
    h("p", { class: "help" }, "Same settings (follower link included), a new webhook URL; no trades or signals are copied."),
    h("div", { class: "btn-row" }, go, cancel),
    err,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const n = name.value.trim();
    if (!n) {
      replace(err, h("div", { class: "alert alert-error", role: "alert" }, "Give the copy a name."));
      return;
    }
    go.disabled = true;
    replace(err);
    try {
      const res = await Api.cloneRecorder(r.id, n);
      toast(`Cloned ${r.name} as ${res.recorder?.name ?? n}`, "ok");
      await done(res.recorder);
    } catch (e) {
      replace(err, errorBox(e, "Not cloned"));
      go.disabled = false;
    }
  });
  queueMicrotask(() => name.select());
  return form;
}

/** Reset: deletes the recorder's closed positions, trades and signal log, after a confirmation. */
export function resetBox(r: Recorder, done: () => Promise<void>, close: () => void): HTMLElement {
  const err = h("div", { "data-testid": "reset-error" });
  const go = h("button", { class: "btn btn-sm btn-danger", type: "button", "data-testid": "confirm-reset" }, "Yes, delete its history");
  const cancel = h("button", { class: "btn btn-sm", type: "button", "data-testid": "cancel-reset" }, "Cancel");
  cancel.addEventListener("click", close);
  go.addEventListener("click", async () => {
    go.disabled = true;
    replace(err);
    try {
      await Api.resetRecorder(r.id);
      toast(`${r.name}: closed positions, trades and signal log deleted`, "ok");
      await done();
    } catch (e) {
      replace(err, resetError(r, e));
      go.disabled = false;
    }
  });
  return h(
    "div",
    { class: "action-box alert alert-warn", role: "alertdialog", "aria-labelledby": "reset-title", "data-testid": "reset-box" },
    h("strong", { id: "reset-title" }, `Reset ${r.name}?`),
    h("p", null, "This deletes its closed positions, trades and signal log (the report starts from zero). Settings and the webhook URL stay. It cannot be undone."),
    h("div", { class: "btn-row" }, go, cancel),
    err,
  );
}

function resetError(r: Recorder, e: unknown): HTMLElement {
  if (e instanceof ApiError && e.code === "recorder_has_open_positions") {
    return h(
      "div",
      { class: "alert alert-error", role: "alert", "data-testid": "error" },
      h("strong", null, "Not reset: "),
      `${r.name} has an open position. Close it first (reset deletes only closed history), then reset again. `,
      h("a", { href: `#/positions?recorderId=${encodeURIComponent(r.id)}`, "data-testid": "reset-open-positions" }, "Open positions →"),
      h("div", { class: "small muted" }, errorMessage(e)),
    );
  }
  if (e instanceof ApiError && e.code === "recorder_busy") {
    return h(
      "div",
      { class: "alert alert-error", role: "alert", "data-testid": "error" },
      h("strong", null, "Not reset yet: "),
      "some of its trades are still being written. Try again in a minute.",
      h("div", { class: "small muted" }, errorMessage(e)),
    );
  }
  return errorBox(e, "Not reset");
}

/** Two-step button: first click arms it, second click (within 4 s) runs the action. */
export function confirmButton(label: string, armed: string, testid: string, action: () => Promise<void>, cls = ""): HTMLButtonElement {
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
