// Entry: hash router (#/recorders, #/positions, ...) so deep links work on any static host and never collide
// with the Worker's own paths (/status, /api/*). Each view mounts into <main> and returns its cleanup.
import "./style.css";
import "./desk-phone.css";
import { AUTH_EVENT, config } from "./api";
import { h, replace } from "./dom";
import { navigate } from "./shared";
import { signInView } from "./views/signin";
import { recordersView } from "./views/recorders";
import { positionsView } from "./views/positions";
import { tradesView } from "./views/trades";
import { reportView } from "./views/report";
import { backtestView } from "./views/backtest";
import { signalsView } from "./views/signals";
import { statusView } from "./views/status";

export type Cleanup = () => void;
export type View = (root: HTMLElement, params: string[]) => Cleanup | void;

const routes: Record<string, { title: string; view: View; nav?: boolean }> = {
  recorders: { title: "Recorders", view: recordersView, nav: true },
  positions: { title: "Open positions", view: positionsView, nav: true },
  trades: { title: "Trades", view: tradesView, nav: true },
  report: { title: "Report", view: reportView, nav: true },
  backtest: { title: "Backtest vs live", view: backtestView, nav: true },
  signals: { title: "Signals", view: signalsView, nav: true },
  status: { title: "Feed status", view: statusView, nav: true },
};

const app = document.getElementById("app")!;
let cleanup: Cleanup | void;
let signInMessage: string | null = null;

function parseHash(): { name: string; params: string[] } {
  const parts = location.hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
  return { name: parts[0] ?? "", params: parts.slice(1) };
}


function shell(active: string, main: HTMLElement): HTMLElement {
  const origin = config.apiOrigin();
  const nav = h(
    "nav",
    { class: "nav" },
    Object.entries(routes)
      .filter(([, r]) => r.nav)
      .map(([name, r]) => h("a", { href: `#/${name}`, class: name === active ? "active" : null, "aria-current": name === active ? "page" : null, "data-testid": `nav-${name}` }, r.title)),
  );
  const signOut = h("button", { class: "btn btn-sm btn-ghost", type: "button", "data-testid": "sign-out" }, "Sign out");
  signOut.addEventListener("click", () => {
    config.clearToken();
    signInMessage = "Signed out.";
    navigate("signin");
  });
  return h(
    "div",
    { class: "shell" },
    h(
      "header",
      { class: "topbar" },
      h("a", { class: "brand", href: "#/recorders" }, h("span", { class: "logo" }, "▲▼"), "Trade Recorder"),
      nav,
      h("div", { class: "topbar-right" }, h("span", { class: "api-origin", title: "API origin" }, origin || "same origin"), signOut),
    ),
    main,
  );
}

/** On a phone the nav is one scrolling row (desk-phone.css): scroll it so the current screen's tab is in view,
 * centred when it can be (scrollLeft only: scrollIntoView could also move the page). */
function showActiveTab(): void {
  const nav = app.querySelector<HTMLElement>("nav.nav");
  const active = nav?.querySelector<HTMLElement>("a.active");
  if (!nav || !active || nav.scrollWidth <= nav.clientWidth) return;
  nav.scrollLeft = active.offsetLeft - nav.offsetLeft - (nav.clientWidth - active.offsetWidth) / 2;
}

function render(): void {
  if (cleanup) {
    try {
      cleanup();
    } catch {
      /* ignore */
    }
    cleanup = undefined;
  }
  const { name, params } = parseHash();
  if (name === "signin" || !config.token()) {
    document.title = "Sign in · Trade Recorder";
    const msg = signInMessage;
    signInMessage = null;
    const root = h("div", { class: "signin-wrap" });
    replace(app, root);
    cleanup = signInView(root, msg, () => navigate("recorders"));
    return;
  }
  const route = routes[name];
  if (!route) {
    navigate("recorders");
    return;
  }
  document.title = `${route.title} · Trade Recorder`;
  const main = h("main", { class: "main", "data-view": name });
  replace(app, shell(name, main));
  showActiveTab();
  cleanup = route.view(main, params);
}

window.addEventListener(AUTH_EVENT, (ev) => {
  config.clearToken();
  signInMessage = String((ev as CustomEvent).detail ?? "Unauthorized");
  navigate("signin");
});
window.addEventListener("hashchange", render);
render();
