// The import box of "Backtest vs live": drop TradingView's "List of trades" CSV on it, or pick the file with the
// button (keyboard and phone users have no drag-and-drop). The file is sent as is; the API parses it and a refusal
// (400 invalid_csv) names the first bad line, which is shown in full. A refused import leaves the previous one.
import { Api, ApiError, errorMessage, type BacktestImport, type Recorder } from "../api";
import { h, replace, toast } from "../dom";
import { dateTime } from "../format";
import { confirmButton } from "./recorder-actions";

export interface ImportBox {
  el: HTMLElement;
  /** Reads the recorder's current import (GET /backtest) and shows it; "Remove import" only when there is one. */
  showCurrent(): Promise<void>;
  /** Stops catching files dropped outside the box. */
  dispose(): void;
}

/** The recorder's zone when it has none set (the API's default). */
const DEFAULT_ZONE = "America/New_York";

export function importBox(recorder: Recorder, changed: () => Promise<void>): ImportBox {
  const recorderId = recorder.id;
  const zone = recorder.timezone || DEFAULT_ZONE;
  const status = h("div", { class: "import-status", "data-testid": "import-status", "aria-live": "polite" });
  const current = h("p", { class: "small", "data-testid": "import-current" });
  const input = h("input", { type: "file", accept: ".csv,text/csv,text/plain", class: "file-input", "data-testid": "backtest-file", tabindex: -1, "aria-hidden": "true" });
  const pick = h("button", { class: "btn btn-sm btn-primary", type: "button", "data-testid": "backtest-pick" }, "Choose CSV file…");
  const drop = h(
    "div",
    { class: "dropzone", "data-testid": "backtest-drop" },
    h("strong", null, "Drop the Strategy Tester's “List of trades” CSV here"),
    h("span", { class: "muted small" }, "TradingView: Strategy Tester → List of trades → Export data. Either CSV layout; a new import replaces the previous one."),
    h("div", { class: "btn-row" }, pick, input),
  );
  // TradingView writes times in the chart's time zone without naming it; the API reads them in the recorder's.
  const zoneNote = h(
    "p",
    { class: "muted small", "data-testid": "import-timezone" },
    "Times in the file are read in this recorder's time zone, ",
    h("strong", null, zone),
    ": it must be the chart's time zone (TradingView does not write it into the file). Change it under ",
    h("a", { href: "#/recorders" }, "Recorders → Edit settings → Risk & sessions"),
    " before importing if your chart uses another.",
  );
  // "Remove import" appears once showCurrent() has seen an import; a fresh button each time, because the two-step
  // confirm button stays armed and disabled after its action (other screens re-render it; this box stays).
  const removeSlot = h("span");
  const removeButton = () =>
    confirmButton("Remove import", "Confirm: remove the backtest", "backtest-remove", async () => {
      await Api.removeBacktest(recorderId);
      toast("Backtest import removed", "ok");
      replace(status, h("p", { class: "muted small", "data-testid": "import-result" }, "Backtest import removed."));
      await changed();
    }, "btn-danger");

  pick.addEventListener("click", () => input.click());
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    input.value = ""; // picking the same file again (after fixing it) must fire "change" again
    if (file) void upload(file);
  });

  // Drag-and-drop: dragover must be cancelled for the drop to reach us; the counter keeps the highlight steady while
  // the pointer crosses the box's children (each fires its own enter / leave).
  let depth = 0;
  drop.addEventListener("dragenter", (ev: DragEvent) => {
    ev.preventDefault();
    depth++;
    drop.classList.add("over");
  });
  drop.addEventListener("dragover", (ev: DragEvent) => {
    ev.preventDefault();
    if (ev.dataTransfer) ev.dataTransfer.dropEffect = "copy";
  });
  drop.addEventListener("dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (!depth) drop.classList.remove("over");
  });
  drop.addEventListener("drop", (ev: DragEvent) => {
    ev.preventDefault();
    depth = 0;
    drop.classList.remove("over");
    const files = ev.dataTransfer?.files;
    if (!files?.length) return void showError(new Error("Nothing to import: drop a .csv file (not text or a link)."));
    if (files.length > 1) return void showError(new Error(`Drop one file at a time (got ${files.length}).`));
    void upload(files[0]);
  });
  // A file dropped just beside the box would otherwise make the browser open it and leave the dashboard.
  const guard = (ev: DragEvent) => {
    if (ev.dataTransfer?.types.includes("Files")) ev.preventDefault();
  };
  window.addEventListener("dragover", guard);
  window.addEventListener("drop", guard);

  async function upload(file: File): Promise<void> {
    pick.disabled = true;
    drop.classList.add("busy");
    replace(status, h("p", { class: "muted small" }, `Importing ${file.name}…`));
    try {
      const res = await Api.importBacktest(recorderId, await file.text());
      replace(status, h("p", { class: "import-ok", "data-testid": "import-result" }, `Imported ${res.imported} trade${res.imported === 1 ? "" : "s"} from ${file.name}.`));
      toast(`Imported ${res.imported} backtest trades`, "ok");
      await changed();
    } catch (e) {
      showError(e, file.name);
    } finally {
      pick.disabled = false;
      drop.classList.remove("busy");
    }
  }

  function showError(e: unknown, fileName?: string): void {
    const csv = e instanceof ApiError && e.code === "invalid_csv";
    replace(
      status,
      h(
        "div",
        { class: "alert alert-error", role: "alert", "data-testid": "import-error" },
        h("strong", null, fileName ? `${fileName} was not imported: ` : "Not imported: "),
        // the API's own message: it names the first bad line of the file
        h("span", { "data-testid": "import-error-message" }, e instanceof ApiError ? e.message : errorMessage(e)),
        e instanceof ApiError ? h("div", { class: "small muted" }, `${e.code}, HTTP ${e.status}`) : null,
        csv ? h("div", { class: "small" }, "Fix that line (or export the list again) and import the file again. The previous import, if any, is unchanged.") : null,
      ),
    );
  }

  return {
    el: h("section", { class: "card import-card", "data-testid": "backtest-import" }, h("div", { class: "import-head" }, h("h2", null, "Backtest import"), removeSlot), current, drop, zoneNote, status),
    async showCurrent() {
      let info: BacktestImport | null;
      try {
        info = (await Api.backtestImport(recorderId)).backtest;
      } catch (e) {
        replace(current, h("span", { class: "neg" }, `Could not read the current import: ${errorMessage(e)}`));
        return;
      }
      replace(removeSlot, info ? removeButton() : null);
      replace(
        current,
        info
          ? [h("span", { class: "muted" }, "Current import: "), `${info.trades} trade${info.trades === 1 ? "" : "s"}, imported ${dateTime(info.importedAt)} (${info.layout === "new" ? "newer" : "older"} layout, ${info.currency})`]
          : h("span", { class: "muted" }, "No backtest imported yet."),
      );
    },
    dispose() {
      window.removeEventListener("dragover", guard);
      window.removeEventListener("drop", guard);
    },
  };
}
