// Inputs of the recorder form, one per setting: plain inputs, and the editors for take-profit legs (rows of
// ticks + percent), sessions (day checkboxes + start / end), trailing stop and break-even (on/off + two numbers)
// and the recorder a follower follows. Each reads back the value the API expects and shows its own problems
// (from the form's checks or the API's 400 details) right under it.
import { WEEKDAYS, type Recorder, type TakeProfitLeg, type TradingSession, type Weekday } from "../api";
import { h, replace } from "../dom";
import { currentValue, type SettingDef } from "./recorder-settings";

export interface Read {
  /** undefined: leave the setting as it is (an empty non-nullable input). */
  value: unknown;
  problems: string[];
}

export interface Control {
  def: SettingDef;
  el: HTMLElement;
  read(): Read;
  setError(messages: string[]): void;
}

export interface ControlContext {
  /** The recorder being edited (null: a new one). */
  recorder: Recorder | null;
  /** Every recorder (for the follows select). */
  list: Recorder[];
}

const MAX_LEGS = 10;
const DAY_LABEL: Record<Weekday, string> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };

export function control(f: SettingDef, ctx: ControlContext): Control {
  const value = ctx.recorder ? currentValue(ctx.recorder, f) : (f.def ?? null);
  switch (f.kind) {
    case "bool":
      return boolControl(f, value);
    case "select":
      return selectControl(f, value);
    case "legs":
      return legsControl(f, value);
    case "sessions":
      return sessionsControl(f, value);
    case "trailing":
      return pairControl(f, value, ["triggerTicks", "Trigger (ticks)", 0, "e.g. 20"], ["distanceTicks", "Distance (ticks)", 1, "e.g. 10"]);
    case "breakEven":
      return pairControl(f, value, ["triggerTicks", "Trigger (ticks)", 1, "e.g. 16"], ["offsetTicks", "Offset (ticks)", 0, "e.g. 1"]);
    case "follows":
      return followsControl(f, value, ctx);
    default:
      return inputControl(f, value);
  }
}

// ---- shared pieces ----------------------------------------------------------------------------------------

const fid = (f: SettingDef) => `f-${f.key}`;

function helpEl(f: SettingDef): HTMLElement {
  return h("span", { class: "help", id: `${fid(f)}-help` }, f.help);
}

/** The slot under a field for its problems. */
function errorEl(f: SettingDef): { el: HTMLElement; set(messages: string[]): void } {
  const el = h("span", { class: "field-error", id: `${fid(f)}-error`, role: "alert", "data-testid": `error-${f.key}`, hidden: true });
  return {
    el,
    set(messages) {
      replace(el, messages.join("; "));
      el.hidden = messages.length === 0;
      el.parentElement?.classList.toggle("invalid", messages.length > 0);
    },
  };
}

function shell(f: SettingDef, ...body: (Node | null)[]): HTMLElement {
  return h("div", { class: `field${f.wide ? " field-wide" : ""}`, "data-setting": f.key }, ...body);
}

/** A number input's value: undefined when empty, NaN when not a number. */
function num(input: HTMLInputElement): number | undefined {
  const t = input.value.trim();
  return t === "" ? undefined : Number(t);
}

/** What is wrong with a number input's value (null: nothing); `label` prefixes the message. */
function numProblem(label: string, n: number | undefined, int: boolean): string | null {
  const at = label ? `${label}: ` : "";
  if (n === undefined) return `${at}enter a number`;
  if (!Number.isFinite(n)) return `${at}not a number`;
  if (int && !Number.isInteger(n)) return `${at}must be a whole number`;
  return null;
}

function smallButton(label: string, testid: string, title?: string): HTMLButtonElement {
  return h("button", { class: "btn btn-sm", type: "button", "data-testid": testid, title: title ?? null }, label);
}

// ---- plain inputs -----------------------------------------------------------------------------------------

function inputControl(f: SettingDef, value: unknown): Control {
  const id = fid(f);
  const err = errorEl(f);
  const type = f.kind === "text" || f.kind === "timezone" ? "text" : f.kind === "time" ? "time" : "number";
  const input = h("input", {
    id,
    name: f.key,
    type,
    step: f.kind === "int" ? "1" : f.kind === "num" ? "any" : null,
    min: f.min ?? null,
    inputmode: f.kind === "int" ? "numeric" : f.kind === "num" ? "decimal" : null,
    required: f.key === "name",
    placeholder: f.hint ?? (f.def !== undefined ? `default ${f.def}` : ""),
    value: value === undefined || value === null ? "" : String(value),
    list: f.kind === "timezone" ? "tz-list" : null,
    autocomplete: "off",
    "aria-describedby": `${id}-help ${id}-error`,
  });
  const zones = f.kind === "timezone" ? timeZoneList() : null;
  return {
    def: f,
    el: shell(f, h("label", { for: id }, f.label), input, zones, helpEl(f), err.el),
    setError: err.set,
    read() {
      const t = input.value.trim();
      if (f.kind === "text" || f.kind === "timezone" || f.kind === "time") {
        if (f.key === "name" && !t) return { value: undefined, problems: ["required"] };
        if (!t) return { value: f.nullable ? null : undefined, problems: [] };
        if (f.kind === "timezone" && !validTimeZone(t)) return { value: t, problems: [`"${t}" is not an IANA time zone (e.g. America/New_York)`] };
        return { value: t, problems: [] };
      }
      if (!t) return { value: f.nullable ? null : undefined, problems: [] };
      const n = Number(t);
      const p = numProblem("", n, f.kind === "int");
      return { value: n, problems: p ? [p] : [] };
    },
  };
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

let zonesCache: string[] | null = null;
/** A <datalist> of the browser's IANA zones (suggestions only; any name the API accepts may be typed). */
function timeZoneList(): HTMLDataListElement {
  if (!zonesCache) {
    const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
    zonesCache = supported ? supported("timeZone") : ["America/New_York", "America/Chicago", "Europe/London", "UTC"];
  }
  return h("datalist", { id: "tz-list" }, zonesCache.map((z) => h("option", { value: z })));
}

function boolControl(f: SettingDef, value: unknown): Control {
  const id = fid(f);
  const err = errorEl(f);
  const input = h("input", { type: "checkbox", id, name: f.key, checked: !!value, "aria-describedby": `${id}-help` });
  return {
    def: f,
    el: h("div", { class: "field field-bool", "data-setting": f.key }, h("label", { class: "check" }, input, " ", f.label), helpEl(f), err.el),
    setError: err.set,
    read: () => ({ value: input.checked, problems: [] }),
  };
}

function selectControl(f: SettingDef, value: unknown): Control {
  const id = fid(f);
  const err = errorEl(f);
  const sel = h("select", { id, name: f.key, "aria-describedby": `${id}-help` }, (f.options ?? []).map(([v, label]) => h("option", { value: v }, label)));
  sel.value = typeof value === "string" ? value : String(f.def ?? "");
  return {
    def: f,
    el: shell(f, h("label", { for: id }, f.label), sel, helpEl(f), err.el),
    setError: err.set,
    read: () => ({ value: sel.value, problems: [] }),
  };
}

// ---- take-profit legs -------------------------------------------------------------------------------------

function legsControl(f: SettingDef, value: unknown): Control {
  const id = fid(f);
  const err = errorEl(f);
  const rows = h("div", { class: "rows", id });
  const total = h("span", { class: "small muted", "data-testid": "legs-total" });
  const add = smallButton("+ Add leg", "add-leg");
  const legs: { row: HTMLElement; ticks: HTMLInputElement; percent: HTMLInputElement }[] = [];

  const refresh = () => {
    legs.forEach((l, i) => {
      const n = l.row.querySelector(".row-n");
      if (n) n.textContent = `TP${i + 1}`;
    });
    add.disabled = legs.length >= MAX_LEGS;
    if (!legs.length) {
      total.textContent = "No legs: take profit (ticks) above applies.";
      total.className = "small muted";
      return;
    }
    const sum = legs.reduce((s, l) => s + (Number(l.percent.value) || 0), 0);
    const ok = Math.abs(sum - 100) < 1e-9;
    total.textContent = `Total ${Math.round(sum * 1000) / 1000}%${ok ? "" : " — must be 100%"}`;
    total.className = `small ${ok ? "muted" : "warn-text"}`;
  };

  const addRow = (leg?: Partial<TakeProfitLeg>) => {
    const ticks = h("input", { type: "number", step: "any", min: 0, inputmode: "decimal", placeholder: "ticks", value: leg?.ticks ?? "", "data-testid": "leg-ticks", "aria-label": "ticks" });
    const percent = h("input", { type: "number", step: "any", min: 0, inputmode: "decimal", placeholder: "%", value: leg?.percent ?? "", "data-testid": "leg-percent", "aria-label": "percent" });
    const remove = smallButton("✕", "remove-leg", "Remove this leg");
    const row = h(
      "div",
      { class: "row leg-row", "data-testid": "leg-row" },
      h("span", { class: "row-n" }),
      h("label", { class: "inline" }, ticks, " ticks"),
      h("label", { class: "inline" }, percent, " %"),
      remove,
    );
    const entry = { row, ticks, percent };
    remove.addEventListener("click", () => {
      legs.splice(legs.indexOf(entry), 1);
      row.remove();
      refresh();
    });
    percent.addEventListener("input", refresh);
    legs.push(entry);
    rows.appendChild(row);
    refresh();
  };

  add.addEventListener("click", () => {
    // a sensible next leg: twice the last distance; the percent left over
    const last = legs[legs.length - 1];
    const lastTicks = last ? Number(last.ticks.value) : NaN;
    const used = legs.reduce((s, l) => s + (Number(l.percent.value) || 0), 0);
    addRow({ ticks: Number.isFinite(lastTicks) && lastTicks > 0 ? lastTicks * 2 : undefined, percent: used < 100 ? Math.round((100 - used) * 1000) / 1000 : undefined });
    legs[legs.length - 1].ticks.focus();
  });
  if (Array.isArray(value)) for (const leg of value as TakeProfitLeg[]) addRow(leg);
  refresh();

  return {
    def: f,
    el: shell(f, h("span", { class: "label" }, f.label), rows, h("div", { class: "row-tools" }, add, total), helpEl(f), err.el),
    setError: err.set,
    read() {
      if (!legs.length) return { value: null, problems: [] };
      const problems: string[] = [];
      const value = legs.map((l, i) => {
        const ticks = num(l.ticks);
        const percent = num(l.percent);
        for (const p of [numProblem(`TP${i + 1} ticks`, ticks, false), numProblem(`TP${i + 1} percent`, percent, false)]) if (p) problems.push(p);
        return { ticks: ticks as number, percent: percent as number };
      });
      return { value, problems };
    },
  };
}

// ---- sessions ---------------------------------------------------------------------------------------------

function sessionsControl(f: SettingDef, value: unknown): Control {
  const id = fid(f);
  const err = errorEl(f);
  const rows = h("div", { class: "rows", id });
  const empty = h("span", { class: "small muted" }, "No sessions: always open.");
  const add = smallButton("+ Add session", "add-session");
  const sessions: { row: HTMLElement; days: Map<Weekday, HTMLInputElement>; start: HTMLInputElement; end: HTMLInputElement }[] = [];
  const refresh = () => {
    empty.hidden = sessions.length > 0;
  };

  const addRow = (s: TradingSession) => {
    const days = new Map<Weekday, HTMLInputElement>();
    const dayBoxes = WEEKDAYS.map((d) => {
      const box = h("input", { type: "checkbox", value: d, checked: s.days.includes(d), "data-day": d });
      days.set(d, box);
      return h("label", { class: "day-check" }, box, DAY_LABEL[d]);
    });
    const start = h("input", { type: "time", value: s.start, required: true, "data-testid": "session-start", "aria-label": "start" });
    const end = h("input", { type: "time", value: s.end, required: true, "data-testid": "session-end", "aria-label": "end" });
    const remove = smallButton("✕", "remove-session", "Remove this session");
    const row = h(
      "div",
      { class: "row session-row", "data-testid": "session-row" },
      h("div", { class: "days", role: "group", "aria-label": "days" }, dayBoxes),
      h("div", { class: "times" }, h("label", { class: "inline" }, "from ", start), h("label", { class: "inline" }, "to ", end), remove),
    );
    const entry = { row, days, start, end };
    remove.addEventListener("click", () => {
      sessions.splice(sessions.indexOf(entry), 1);
      row.remove();
      refresh();
    });
    sessions.push(entry);
    rows.appendChild(row);
    refresh();
  };

  add.addEventListener("click", () => addRow({ days: ["mon", "tue", "wed", "thu", "fri"], start: "09:30", end: "16:00" }));
  if (Array.isArray(value)) for (const s of value as TradingSession[]) addRow({ days: Array.isArray(s.days) ? s.days : [], start: s.start ?? "", end: s.end ?? "" });
  refresh();

  return {
    def: f,
    el: shell(f, h("span", { class: "label" }, f.label), rows, h("div", { class: "row-tools" }, add, empty), helpEl(f), err.el),
    setError: err.set,
    read() {
      const problems: string[] = [];
      const value = sessions.map((s, i) => {
        const days = WEEKDAYS.filter((d) => s.days.get(d)!.checked);
        if (!days.length) problems.push(`session ${i + 1}: tick at least one day`);
        if (!s.start.value || !s.end.value) problems.push(`session ${i + 1}: start and end times are needed`);
        return { days, start: s.start.value.slice(0, 5), end: s.end.value.slice(0, 5) };
      });
      return { value, problems };
    },
  };
}

// ---- trailing stop / break-even ---------------------------------------------------------------------------

/** [key, label, min, placeholder] of one of the two numbers. */
type Part = [string, string, number, string];

function pairControl(f: SettingDef, value: unknown, a: Part, b: Part): Control {
  const id = fid(f);
  const err = errorEl(f);
  const on = value !== null && typeof value === "object";
  const obj = (on ? value : {}) as Record<string, unknown>;
  const toggle = h("input", { type: "checkbox", id, name: f.key, checked: on, "aria-describedby": `${id}-help` });
  const part = ([key, label, min, hint]: Part) => {
    const input = h("input", { type: "number", id: `${id}-${key}`, step: "1", min, inputmode: "numeric", placeholder: hint, value: String(obj[key] ?? ""), disabled: !on });
    return { key, label, input, el: h("div", { class: "field" }, h("label", { for: `${id}-${key}` }, label), input) };
  };
  const parts = [part(a), part(b)];
  toggle.addEventListener("change", () => {
    for (const p of parts) p.input.disabled = !toggle.checked;
    if (toggle.checked) parts[0].input.focus();
  });
  return {
    def: f,
    el: shell(f, h("label", { class: "check" }, toggle, " ", f.label), h("div", { class: "pair" }, parts.map((p) => p.el)), helpEl(f), err.el),
    setError: err.set,
    read() {
      if (!toggle.checked) return { value: null, problems: [] };
      const problems: string[] = [];
      const value: Record<string, number> = {};
      for (const p of parts) {
        const n = num(p.input);
        const problem = numProblem(p.label, n, true);
        if (problem) problems.push(problem);
        value[p.key] = n as number;
      }
      return { value, problems };
    },
  };
}

// ---- follows ----------------------------------------------------------------------------------------------

function followsControl(f: SettingDef, value: unknown, ctx: ControlContext): Control {
  const id = fid(f);
  const err = errorEl(f);
  const self = ctx.recorder;
  const current = typeof value === "string" ? value : "";
  const followers = self ? ctx.list.filter((x) => x.followsRecorderId === self.id) : [];
  // Leaders on offer: other recorders that do not follow anyone themselves (no follower of a follower).
  const leaders = ctx.list.filter((x) => x.id !== self?.id && !x.followsRecorderId);
  const sel = h(
    "select",
    { id, name: f.key, "aria-describedby": `${id}-help ${id}-note`, disabled: followers.length > 0 && !current },
    h("option", { value: "" }, "— none (own webhook only)"),
    leaders.map((x) => h("option", { value: x.id }, `${x.name}${x.symbol ? ` · ${x.symbol}` : ""}`)),
    current && !leaders.some((x) => x.id === current) ? h("option", { value: current }, ctx.list.find((x) => x.id === current)?.name ?? current) : null,
  );
  sel.value = current;
  const note =
    followers.length > 0
      ? `${followers.length} recorder${followers.length === 1 ? " follows" : "s follow"} this one (${followers.map((x) => x.name).join(", ")}), so it cannot follow another.`
      : !leaders.length
        ? "No other recorder to follow yet (followers of others cannot be followed)."
        : null;
  return {
    def: f,
    el: shell(f, h("label", { for: id }, f.label), sel, note ? h("span", { class: "help note", id: `${id}-note` }, note) : null, helpEl(f), err.el),
    setError: err.set,
    read: () => ({ value: sel.value || null, problems: [] }),
  };
}
