// Sign-in: the Worker's ADMIN_TOKEN (kept in sessionStorage, or localStorage with "remember"), plus an
// optional API origin for dashboards hosted apart from the Worker (defaults to VITE_API_ORIGIN / same origin).
import { Api, config, errorMessage } from "../api";
import { h, replace } from "../dom";

export function signInView(root: HTMLElement, message: string | null, done: () => void): void {
  const token = h("input", { type: "password", id: "token", name: "token", autocomplete: "current-password", required: true, placeholder: "ADMIN_TOKEN", "data-testid": "token" });
  const origin = h("input", {
    type: "url",
    id: "origin",
    name: "origin",
    placeholder: config.buildOrigin() || `same origin (${location.origin})`,
    value: config.apiOrigin() === config.buildOrigin() ? "" : config.apiOrigin(),
    "data-testid": "api-origin",
  });
  const remember = h("input", { type: "checkbox", id: "remember", checked: !!localStorage.getItem("tr.adminToken") });
  const msg = h("div", { class: "signin-msg", "data-testid": "signin-message" });
  if (message) replace(msg, h("div", { class: "alert alert-error", role: "alert" }, message));
  const submit = h("button", { class: "btn btn-primary", type: "submit", "data-testid": "sign-in" }, "Sign in");

  const form = h(
    "form",
    { class: "card signin" },
    h("div", { class: "signin-brand" }, h("span", { class: "logo" }, "▲▼"), " Trade Recorder"),
    h("p", { class: "muted" }, "Records TradingView alerts as paper positions, tick by tick."),
    msg,
    h("label", { for: "token" }, "Admin token"),
    token,
    h("label", { for: "origin" }, "API origin ", h("span", { class: "muted" }, "(optional)")),
    origin,
    h("label", { class: "check" }, remember, " Remember on this device"),
    submit,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = token.value.trim();
    if (!t) return;
    config.setApiOrigin(origin.value);
    config.setToken(t, remember.checked);
    submit.disabled = true;
    submit.textContent = "Checking…";
    try {
      await Api.recorders({ no401Redirect: true });
      done();
    } catch (e) {
      config.clearToken();
      replace(msg, h("div", { class: "alert alert-error", role: "alert" }, errorMessage(e)));
      submit.disabled = false;
      submit.textContent = "Sign in";
    }
  });
  replace(root, form);
  token.focus();
}
