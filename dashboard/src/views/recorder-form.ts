// The recorder create / edit form: every setting, grouped (General, Entries & sizing, Exits, Risk & sessions,
// Followers, Advanced), each with its help text. A new recorder is created with only what differs from the API's
// defaults; an edit PATCHes only what changed. The API's 400 field problems are shown under their fields and
// listed above the buttons.
import { Api, errorMessage, fieldProblems, type FieldProblem, type Recorder } from "../api";
import { h, replace } from "../dom";
import { errorBox } from "../shared";
import { control, type Control } from "./recorder-controls";
import { currentValue, GROUPS, sameValue } from "./recorder-settings";

export interface FormOptions {
  /** The recorder being edited; null: a new one. */
  recorder: Recorder | null;
  /** Every recorder (leaders a follower may follow). */
  list: Recorder[];
  /** After a successful save: the recorder as the API returned it (create: with its webhook token). */
  onSaved(saved: Recorder | null, created: boolean): void | Promise<void>;
  /** null: no Cancel button. */
  onCancel: (() => void) | null;
}

export function recorderForm(opts: FormOptions): HTMLFormElement {
  const r = opts.recorder;
  const ctx = { recorder: r, list: opts.list };
  const controls = new Map<string, Control>();
  const groups = GROUPS.map((g) => {
    const ctrls = g.fields.map((f) => {
      const c = control(f, ctx);
      controls.set(f.key, c);
      return c;
    });
    return {
      id: g.id,
      ctrls,
      el: h(
        "details",
        { class: "form-group", open: true, "data-testid": `group-${g.id}` },
        h("summary", null, g.title),
        g.blurb ? h("p", { class: "help group-blurb" }, g.blurb) : null,
        h("div", { class: "form-grid" }, ctrls.map((c) => c.el)),
      ),
    };
  });

  const summary = h("div", { "data-testid": "form-errors" });
  const submit = h("button", { class: "btn btn-primary", type: "submit", "data-testid": "save-recorder" }, r ? "Save changes" : "Create recorder");
  const cancel = opts.onCancel ? h("button", { class: "btn", type: "button", "data-testid": "cancel-recorder" }, "Cancel") : null;
  cancel?.addEventListener("click", () => opts.onCancel?.());

  const form = h(
    "form",
    { class: "recorder-form", "data-testid": "recorder-form", novalidate: true },
    h("div", { class: "panel-head" }, h("h2", null, r ? `Edit ${r.name}` : "New recorder")),
    groups.map((g) => g.el),
    h("div", { class: "form-foot" }, summary, h("div", { class: "btn-row" }, submit, cancel)),
  );

  /** Marks the fields named in `problems`, opens their groups, lists every problem; false when there were none. */
  const showProblems = (problems: FieldProblem[], error: unknown): boolean => {
    const byKey = new Map<string, string[]>();
    const items: string[] = [];
    for (const p of problems) {
      // "takeProfitLegs.1.percent"; unrecognized keys come as "a,b"
      for (const field of p.field.split(",")) {
        const [key, ...rest] = field.trim().split(".");
        const c = controls.get(key);
        const where = pathText(key, rest);
        const msg = `${where ? `${where}: ` : ""}${p.problem}`;
        if (c) byKey.set(key, [...(byKey.get(key) ?? []), msg]);
        items.push(`${c ? c.def.label : field || "request"}${where ? ` (${where})` : ""}: ${p.problem}`);
      }
    }
    for (const [key, msgs] of byKey) controls.get(key)!.setError(msgs);
    for (const g of groups) if (g.ctrls.some((c) => byKey.has(c.def.key))) (g.el as HTMLDetailsElement).open = true;
    if (!items.length && !error) return false;
    replace(
      summary,
      items.length
        ? h(
            "div",
            { class: "alert alert-error", role: "alert", "data-testid": "error" },
            h("strong", null, "Not saved: "),
            error ? errorMessage(error) : "check the fields marked below.",
            h("ul", { class: "details" }, items.map((t) => h("li", null, t))),
          )
        : errorBox(error, "Not saved"),
    );
    const first = [...controls.values()].find((c) => byKey.has(c.def.key));
    (first?.el ?? summary).scrollIntoView({ block: "center" });
    return true;
  };

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    replace(summary);
    for (const c of controls.values()) c.setError([]);
    const body: Record<string, unknown> = {};
    const problems: FieldProblem[] = [];
    for (const c of controls.values()) {
      const { value, problems: ps } = c.read();
      for (const p of ps) problems.push({ field: c.def.key, problem: p });
      if (value === undefined) continue;
      const base = r ? currentValue(r, c.def) : (c.def.def ?? null);
      if (!sameValue(value, base)) body[c.def.key] = value;
    }
    if (problems.length) {
      showProblems(problems, null);
      return;
    }
    submit.disabled = true;
    try {
      if (r) {
        const res = Object.keys(body).length ? await Api.updateRecorder(r.id, body as Partial<Recorder>) : null;
        await opts.onSaved(res?.recorder ?? null, false);
      } else {
        const res = await Api.createRecorder(body as Partial<Recorder>);
        await opts.onSaved(res.recorder ?? null, true);
      }
    } catch (e) {
      showProblems(fieldProblems(e), e);
      submit.disabled = false;
    }
  });
  return form;
}

/** "1.percent" under takeProfitLegs -> "TP2 percent"; "0.start" under sessions -> "session 1 start". */
function pathText(key: string, rest: string[]): string {
  if (!rest.length) return "";
  const [first, ...more] = rest;
  const i = Number(first);
  if (Number.isInteger(i) && key === "takeProfitLegs") return [`TP${i + 1}`, ...more].join(" ");
  if (Number.isInteger(i) && key === "sessions") return [`session ${i + 1}`, ...more].join(" ");
  return rest.join(".");
}
