// fast-check generators of hostile webhook bodies (CONTRACT "Webhook" and "Second round → Bad input and faults").
//
// A body starts as a valid signal of one of the contract's shapes (indicator action, strategy positionSize,
// marketPosition, 3Commas strategy_info, TradersPost, PickMyTrade), built as an ordered list of entries, and is
// then mutated: hostile numbers (as JSON numbers and as strings), wrong types, unsubstituted placeholders,
// hostile tickers and ids, duplicate keys, odd key names, fractional quantities; and finally, sometimes, made
// structurally hostile: nested thousands of levels deep, padded around 8 KiB and 64 KiB, cut short, replaced
// by a body that is not JSON or not an object.
//
// Each entry carries what the contract says about its value (`cls`), so the suite can check a reply against
// what the body deserves — but only where the contract is unambiguous; elsewhere it only checks the reply's
// shape and the invariants.
import fc from "fast-check";
import { BODY_LIMIT, depthOf, nested, Obj, Raw, ser, textDepth, utf8Length, type JVal } from "./json";

/**
 * ok: valid; absent: treated as not given; invalid: 400 invalid_signal naming the key; unusable: never a 200;
 * unknown: the contract does not say (e.g. a 300-character id): no claim either way.
 */
export type Cls = "ok" | "absent" | "invalid" | "unusable" | "unknown";

export interface Entry {
  key: string;
  val: JVal;
  cls: Cls;
  /** The number the server reads from a numeric field (when cls is ok). */
  num?: number;
  /** The trimmed text of a keyword / ticker (when it is a string). */
  text?: string;
}

export interface SymbolDef {
  feedSymbol: string;
  tickSize: number;
  center: number;
  spellings: string[];
  /** Not in the instrument table: usable only by a recorder with tickSize/tickValue. */
  overrideOnly?: boolean;
}

export interface RecorderDef {
  name: string;
  settings: Record<string, unknown>;
  /** Share of the generated requests. */
  weight: number;
  /** tickSize and tickValue set. */
  override: boolean;
  quantityStep: number;
  defaultSymbol: boolean;
  /** maxSignalsPerMinute low enough for a run to reach it. */
  limited: boolean;
  /** enabled: false (its webhook must answer 404). */
  disabled?: boolean;
}

export interface Oracle {
  bytes: number;
  tooLarge: boolean;
  invalidJson: boolean;
  notObject: boolean;
  /** Keys whose value is invalid: a 400 invalid_signal must name each (field = key or key.sub). */
  invalidKeys: string[];
  /** Quantity-step problems (parse succeeded): 400 invalid_signal naming quantity / positionSize. */
  stepFields: string[];
  /** Never a 200 (an unusable ticker, or none at all). */
  mustFail: boolean;
}

export interface HostileRequest {
  /** Index into the recorders; -1: a token no recorder has. */
  target: number;
  text: string;
  oracle: Oracle;
  /** What was done to the body, for failure messages. */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------------------
// Hostile values

type NumRead = number | "non" | "blank";
interface Hv {
  val: JVal;
  /** What a numeric field reads from it. */
  n: NumRead;
  /** Text fields: its type as JSON. */
  t: "num" | "str" | "bool" | "null" | "arr" | "obj";
  label: string;
}

const hvNum = (text: string, n: number): Hv => ({ val: Number.isFinite(Number(text)) && String(Number(text)) === text ? Number(text) : new Raw(text), n: n === 0 ? 0 : n, t: "num", label: text });
const hvStr = (s: string, n: NumRead): Hv => ({ val: s, n, t: "str", label: JSON.stringify(s) });

export const HOSTILE_NUMBERS: Hv[] = [
  hvNum("1e306", 1e306),
  hvNum("-1e306", -1e306),
  hvNum("1e400", Infinity),
  hvNum("-1e400", -Infinity),
  hvNum("-0", 0),
  hvNum("5e-324", 5e-324),
  hvNum("1e-400", 0),
  hvNum("1E5", 100000),
  hvNum("0", 0),
  hvNum("-5", -5),
  hvNum("-0.25", -0.25),
  hvNum("100000", 100000),
  hvNum("100001", 100001),
  hvNum("999999999", 999999999),
  hvNum("999999999.99", 999999999.99),
  hvNum("1000000000", 1e9),
  hvNum("0.001", 0.001),
  hvNum("0.0005", 0.0005),
  hvNum("1e-13", 1e-13),
  hvNum("1.5", 1.5),
  hvNum("0.30000000000000004", 0.30000000000000004),
  hvNum("12345678901234567890", 12345678901234567890),
  hvNum("9007199254740993", 9007199254740992),
  hvStr("1e306", 1e306),
  hvStr("1e400", Infinity),
  hvStr("-1e400", -Infinity),
  hvStr("-0", 0),
  hvStr("NaN", "non"),
  hvStr("nan", "non"),
  hvStr("Infinity", "non"),
  hvStr("-Infinity", "non"),
  hvStr("0x10", "non"),
  hvStr("0b101", "non"),
  hvStr("1,5", "non"),
  hvStr("1_000", "non"),
  hvStr("25600.25abc", "non"),
  hvStr("\u0661\u0662", "non"),
  hvStr("\u22125", "non"),
  hvStr(" 2 ", 2),
  hvStr("2.56e4", 25600),
  hvStr("00002", 2),
  hvStr("1e99999999", Infinity),
  hvStr(`0.${"0".repeat(400)}1`, 0),
  hvStr("+2", 2),
  hvStr(".5", 0.5),
  hvStr("2.", 2),
  hvStr("1e-400", 0),
  hvStr("\u00a02", 2),
  hvStr("", "blank"),
  hvStr("   ", "blank"),
  hvStr("{{close}}", "non"),
  hvStr("{{strategy.order.contracts}}", "non"),
  hvStr("x{{plot_0}}y", "non"),
  { val: true, n: "non", t: "bool", label: "true" },
  { val: false, n: "non", t: "bool", label: "false" },
  { val: null, n: "blank", t: "null", label: "null" },
  { val: [], n: "non", t: "arr", label: "[]" },
  { val: [1], n: "non", t: "arr", label: "[1]" },
  { val: new Obj([]), n: "non", t: "obj", label: "{}" },
  { val: new Obj([["a", 1]]), n: "non", t: "obj", label: '{"a":1}' },
];

const PLACEHOLDERS = ["{{close}}", "{{ticker}}", "{{strategy.order.action}}", "{{strategy.order.id}}", "pre {{timenow}} post", "{{plot(\"x\")}}"];

/** Text values for id / time / comment / action fields. */
const HOSTILE_TEXT: Hv[] = [
  hvStr("\u0000id\u001f", "non"),
  hvStr("\u202eevil\u202c", "non"),
  hvStr("id-\u00e9-\u4e2d-\ud83d\ude00", "non"),
  hvStr("x".repeat(200), "non"),
  hvStr("x".repeat(201), "non"),
  hvStr(` ${"y".repeat(200)} `, "non"),
  hvStr("\ud83d\ude00".repeat(101), "non"),
  hvStr("<script>alert(1)</script>", "non"),
  hvStr("'; DROP TABLE signals; --", "non"),
  hvStr("{{strategy.order.id}}", "non"),
  hvStr("   ", "blank"),
  { val: new Raw('"\\ud800"'), n: "non", t: "str", label: "lone surrogate" },
  { val: 42, n: 42, t: "num", label: "42" },
  { val: new Raw("1e400"), n: Infinity, t: "num", label: "1e400" },
  { val: new Raw("-0"), n: 0, t: "num", label: "-0" },
  { val: true, n: "non", t: "bool", label: "true" },
  { val: null, n: "blank", t: "null", label: "null" },
  { val: ["a"], n: "non", t: "arr", label: '["a"]' },
  { val: new Obj([["id", "x"]]), n: "non", t: "obj", label: '{"id":"x"}' },
];

/** Tickers no recorder can record (or that are not tickers at all). `invalid`: the contract names the field. */
const HOSTILE_TICKERS: { s: string; cls: Cls }[] = [
  { s: "FOO:MNQM2041", cls: "unusable" },
  { s: "X1:ZB1!", cls: "unusable" },
  { s: "X1:ZBU2041", cls: "unusable" },
  { s: "BINANCE:ES1!", cls: "unusable" },
  { s: "COMEX:MNQM2041", cls: "unusable" },
  { s: "CME_MINI:CLF2042", cls: "unusable" },
  { s: "MGC0!", cls: "unusable" },
  { s: "MNQ3!", cls: "unusable" },
  { s: "MNQ10!", cls: "unusable" },
  { s: "CME_MINI:MNQ0!", cls: "unusable" },
  { s: "CME_MINI:MNQM2041:X", cls: "unusable" },
  { s: "\u0000MNQM2041", cls: "unusable" },
  { s: "MNQ\u0007M2041", cls: "unusable" },
  { s: "MNQ\u0085M2041", cls: "unusable" },
  { s: "MNQM\u007f2041", cls: "unusable" },
  { s: "\uff2d\uff2e\uff31M2041", cls: "unusable" },
  { s: "MNQM2041\u200b", cls: "unusable" },
  { s: "MNQ\ud83d\ude00", cls: "unusable" },
  { s: "\u202eMNQM2041", cls: "unusable" },
  { s: "M".repeat(101), cls: "unusable" },
  { s: '={"symbol":"FOO:MNQ1!"}', cls: "unusable" },
  { s: '={"symbol":5}', cls: "unusable" },
  { s: "=notjson", cls: "unusable" },
  { s: "{{ticker}}", cls: "invalid" },
  { s: "CME_MINI:{{ticker}}", cls: "invalid" },
];

const ACTION_WORDS = ["buy", "long", "sell", "short", "close", "exit", "flat", "add"];
const MPOS_WORDS = ["long", "short", "flat"];
const SENTIMENT_WORDS = ["long", "short", "flat", "bullish", "bearish"];

// ---------------------------------------------------------------------------------------------------------
// What the contract says about a value of a key

type Kind =
  | "action"
  | "sentiment"
  | "ticker"
  | "qty"
  | "price"
  | "signed"
  | "unsigned"
  | "mpos"
  | "stratinfo"
  | "level"
  | "flat"
  | "id"
  | "time"
  | "comment";

export const KIND: Record<string, Kind> = {
  action: "action",
  data: "action",
  sentiment: "sentiment",
  ticker: "ticker",
  symbol: "ticker",
  quantity: "qty",
  qty: "qty",
  contracts: "qty",
  price: "price",
  signalPrice: "price",
  close: "price",
  positionSize: "signed",
  position_size: "signed",
  marketPosition: "mpos",
  market_position: "mpos",
  marketPositionSize: "unsigned",
  market_position_size: "unsigned",
  strategy_info: "stratinfo",
  takeProfit: "level",
  stopLoss: "level",
  tp: "flat",
  sl: "flat",
  dollar_tp: "flat",
  dollar_sl: "flat",
  percentage_tp: "flat",
  percentage_sl: "flat",
  id: "id",
  alertId: "id",
  signalId: "id",
  time: "time",
  comment: "comment",
};
const NUMERIC_KEYS = Object.keys(KIND).filter((k) => ["qty", "price", "signed", "unsigned", "level", "flat"].includes(KIND[k]));
const TEXT_KEYS = Object.keys(KIND).filter((k) => ["action", "sentiment", "mpos", "id", "time", "comment"].includes(KIND[k]));
const PLACEHOLDER_RE = /\{\{[^{}]*\}\}/;

function numCls(kind: Kind, n: NumRead): Cls {
  if (n === "blank") return "absent";
  if (n === "non") return "invalid";
  switch (kind) {
    case "price":
      if (Number.isFinite(n) && n <= 0) return "absent";
      return Number.isFinite(n) && n < 1e9 ? "ok" : "invalid";
    case "qty":
      if (n === 0) return "absent";
      return Number.isFinite(n) && n > 0 && n <= 100_000 ? "ok" : "invalid";
    case "flat":
      if (n === 0) return "absent";
      return Number.isFinite(n) && n > 0 && n < 1e9 ? "ok" : "invalid";
    case "level":
      return Number.isFinite(n) && n > 0 && n < 1e9 ? "ok" : "invalid";
    case "signed":
      return Number.isFinite(n) && Math.abs(n) <= 100_000 ? "ok" : "invalid";
    case "unsigned":
      return Number.isFinite(n) && n >= 0 && n <= 100_000 ? "ok" : "invalid";
    default:
      throw new Error(`not numeric: ${kind}`);
  }
}

/** A text field's value: strings are trimmed; blank is absent; placeholders refused unless `comment`. */
function textCls(kind: Kind, hv: Hv): Cls {
  if (hv.t === "null") return "absent";
  if (hv.t === "bool" || hv.t === "arr" || hv.t === "obj") return "invalid";
  const numbersOk = kind === "id" || kind === "time" || kind === "comment";
  if (hv.t === "num") {
    if (!numbersOk) return "invalid";
    return typeof hv.n === "number" && Number.isFinite(hv.n) ? "ok" : "invalid";
  }
  const s = stringOf(hv.val).trim();
  if (s === "") return "absent";
  if (kind !== "comment" && PLACEHOLDER_RE.test(s)) return "invalid";
  // The contract sets no length for ids; the server may or may not take a long one.
  if (kind === "id" && s.length > 200) return "unknown";
  if (kind === "action") return ACTION_WORDS.includes(s.toLowerCase()) ? "ok" : "invalid";
  if (kind === "mpos") return MPOS_WORDS.includes(s.toLowerCase()) ? "ok" : "invalid";
  return "ok";
}

function stringOf(v: JVal): string {
  if (typeof v === "string") return v;
  if (v instanceof Raw) return JSON.parse(v.text) as string;
  throw new Error("not a string");
}

/** A hostile value put into `key`: its class for that key. */
export function hostileEntry(key: string, hv: Hv): Entry {
  const kind = KIND[key];
  if (kind === undefined) return { key, val: hv.val, cls: "ok" };
  if (kind === "ticker") {
    if (hv.t === "null") return { key, val: hv.val, cls: "absent" };
    if (hv.t !== "str") return { key, val: hv.val, cls: "invalid" };
    return { key, val: hv.val, cls: tickerTextCls(stringOf(hv.val)) };
  }
  if (kind === "stratinfo") {
    if (hv.t === "null" || (hv.t === "str" && stringOf(hv.val).trim() === "")) return { key, val: hv.val, cls: "absent" };
    // An object: its unknown keys are ignored (both of its fields are optional).
    return { key, val: hv.val, cls: hv.t === "obj" ? "ok" : "invalid" };
  }
  if (NUMERIC_KEYS.includes(key)) {
    const cls = numCls(kind, hv.n);
    return { key, val: hv.val, cls, ...(cls === "ok" && typeof hv.n === "number" ? { num: hv.n } : {}) };
  }
  const cls = textCls(kind, hv);
  return { key, val: hv.val, cls, ...(hv.t === "str" ? { text: stringOf(hv.val).trim() } : {}) };
}

/**
 * A ticker string: blank is absent, a placeholder invalid; control characters and non-ASCII text can name no
 * instrument (never a 200). Anything else may be usable by a recorder with tickSize/tickValue: no claim ("ok").
 */
function tickerTextCls(s: string): Cls {
  const t = s.trim();
  if (t === "") return "absent";
  if (PLACEHOLDER_RE.test(t)) return "invalid";
  if (/[^\x20-\x7e]/.test(t)) return "unusable";
  return "unknown";
}

// ---------------------------------------------------------------------------------------------------------
// Valid signals of every shape

interface Ctx {
  sym: SymbolDef;
  rec: RecorderDef | null;
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);

function priceArb(sym: SymbolDef): fc.Arbitrary<{ val: JVal; num: number; k: number }> {
  return fc.tuple(fc.integer({ min: -60, max: 60 }), pick(["num", "num", "str", "pad", "off"] as const)).map(([k, fmt]) => {
    const p = Number((sym.center + k * sym.tickSize).toPrecision(12));
    if (fmt === "str") return { val: String(p), num: p, k };
    if (fmt === "pad") return { val: ` ${p} `, num: p, k };
    if (fmt === "off") {
      const q = Number((p + sym.tickSize * 0.3).toPrecision(12));
      return { val: q, num: q, k };
    }
    return { val: p, num: p, k };
  });
}

function qtyArb(step: number): fc.Arbitrary<number> {
  if (step >= 1) return fc.integer({ min: 1, max: 3 });
  return fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2500 }).map((m) => Number((m * 0.001).toFixed(3))));
}

const asNumOrString = <T extends number>(a: fc.Arbitrary<T>) =>
  fc.tuple(a, fc.boolean()).map(([n, s]) => ({ val: (s ? String(n) : n) as JVal, num: n }));

/** Where a signal's levels would be on the right side: the fill price's tick offset and the direction. */
interface Anchor {
  k: number;
  dir: 1 | -1 | 0;
}

function anchorOf(action: string | undefined, k: number | undefined): Anchor | null {
  if (k === undefined) return null;
  const a = (action ?? "").trim().toLowerCase();
  return { k, dir: ["buy", "long"].includes(a) ? 1 : ["sell", "short"].includes(a) ? -1 : 0 };
}

/** A level price: mostly on the right side of the anchor's price, else anywhere in the walk's band. */
function levelPriceArb(ctx: Ctx, kind: "takeProfit" | "stopLoss", anchor: Anchor | null): fc.Arbitrary<JVal> {
  const anywhere = priceArb(ctx.sym).map((p) => p.val);
  if (anchor === null || anchor.dir === 0) return anywhere;
  const away = (kind === "takeProfit" ? 1 : -1) * anchor.dir;
  const right = fc.integer({ min: 1, max: 30 }).map((j) => Number((ctx.sym.center + (anchor.k + away * j) * ctx.sym.tickSize).toPrecision(12)));
  return fc.oneof({ weight: 4, arbitrary: right }, { weight: 1, arbitrary: anywhere });
}

function levelSpecArb(ctx: Ctx, kind: "takeProfit" | "stopLoss", tradersPost: boolean, anchor: Anchor | null = null): fc.Arbitrary<Entry> {
  const priceKey = tradersPost ? (kind === "takeProfit" ? "limitPrice" : "stopPrice") : "price";
  const inner = fc.oneof(
    fc.integer({ min: 1, max: 40 }).map((t) => [["ticks", t]] as [string, JVal][]),
    fc.integer({ min: 1, max: 120 }).map((a) => [["amount", a]] as [string, JVal][]),
    fc.integer({ min: 1, max: 40 }).map((p) => [["percent", p / 100]] as [string, JVal][]),
    levelPriceArb(ctx, kind, anchor).map((v) => [[priceKey, v]] as [string, JVal][]),
  );
  return fc.oneof(
    { arbitrary: inner.map((e) => ({ key: kind, val: new Obj(tradersPost && kind === "stopLoss" ? [["type", "stop"], ...e] : e), cls: "ok" as Cls })), weight: 3 },
    { arbitrary: levelPriceArb(ctx, kind, anchor).map((v) => ({ key: kind, val: v, cls: "ok" as Cls })), weight: 1 },
  );
}

function tickerEntry(ctx: Ctx, key = "ticker"): fc.Arbitrary<Entry> {
  return pick(ctx.sym.spellings).map((s) => ({ key, val: s, cls: ctx.sym.overrideOnly && !ctx.rec?.override ? "unusable" : "ok", text: s.trim() }));
}

function opt(a: fc.Arbitrary<Entry>, freq = 2): fc.Arbitrary<Entry | null> {
  return fc.option(a, { nil: null, freq });
}

function idEntry(key = "id"): fc.Arbitrary<Entry> {
  return fc.oneof(
    pick(["dup-1", "dup-2", "dup-3", "dup-\u00e9", "dup-\ud83d\ude00"]).map((s) => ({ key, val: s, cls: "ok" as Cls })),
    fc.nat().map((n) => ({ key, val: `u-${n}`, cls: "ok" as Cls })),
    fc.nat({ max: 20 }).map((n) => ({ key, val: n, cls: "ok" as Cls })),
  );
}

const timeEntry = fc.oneof(
  fc.constant<Entry>({ key: "time", val: "2026-03-02T14:30:00Z", cls: "ok" }),
  fc.nat({ max: 2_000_000_000 }).map((n): Entry => ({ key: "time", val: n, cls: "ok" })),
);
const commentEntry = pick(["entry", "{{strategy.order.comment}}", "\u00e9\u00e8 \ud83d\ude80", ""]).map((s): Entry => ({ key: "comment", val: s, cls: s.trim() === "" ? "absent" : "ok" }));

function actionEntry(key: string, words: string[]): fc.Arbitrary<Entry> {
  return fc.tuple(pick(words), pick(["lower", "upper", "title", "pad"] as const)).map(([w, c]) => {
    const s = c === "upper" ? w.toUpperCase() : c === "title" ? w[0].toUpperCase() + w.slice(1) : c === "pad" ? ` ${w}\t` : w;
    return { key, val: s, cls: "ok" as Cls, text: s.trim() };
  });
}

const compact = (xs: (Entry | null)[]): Entry[] => xs.filter((x): x is Entry => x !== null);

function indicatorShape(ctx: Ctx): fc.Arbitrary<Entry[]> {
  const step = ctx.rec?.quantityStep ?? 1;
  return fc.tuple(actionEntry("action", ACTION_WORDS), fc.option(priceArb(ctx.sym), { nil: null, freq: 6 })).chain(([action, price]) => {
    const anchor = anchorOf(action.text, price?.k);
    return fc
      .tuple(
        ctx.rec?.defaultSymbol ? opt(tickerEntry(ctx), 4) : tickerEntry(ctx),
        fc.constant(action),
        fc.constant(price === null ? null : ({ key: "price", val: price.val, cls: "ok", num: price.num } as Entry)),
        opt(asNumOrString(qtyArb(step)).map((q): Entry => ({ key: "quantity", val: q.val, cls: "ok", num: q.num }))),
        opt(levelSpecArb(ctx, "takeProfit", false, anchor)),
        opt(levelSpecArb(ctx, "stopLoss", false, anchor)),
        opt(idEntry()),
        opt(timeEntry),
        opt(commentEntry),
      )
      .map(compact);
  });
}

function strategyShape(ctx: Ctx): fc.Arbitrary<Entry[]> {
  const step = ctx.rec?.quantityStep ?? 1;
  const size = step >= 1 ? fc.integer({ min: -3, max: 3 }) : fc.integer({ min: -3000, max: 3000 }).map((m) => Number((m * 0.001).toFixed(3)));
  return fc
    .tuple(
      tickerEntry(ctx),
      actionEntry("action", ["buy", "sell"]),
      asNumOrString(qtyArb(step)).map((q): Entry => ({ key: "quantity", val: q.val, cls: "ok", num: q.num })),
      fc.tuple(asNumOrString(size), pick(["positionSize", "position_size"])).map(([s, key]): Entry => ({ key, val: s.val, cls: "ok", num: s.num })),
      opt(actionEntry("marketPosition", MPOS_WORDS)),
      opt(priceArb(ctx.sym).map((p): Entry => ({ key: "price", val: p.val, cls: "ok", num: p.num })), 8),
      opt(timeEntry),
      opt(idEntry()),
    )
    .map(compact);
}

function marketPositionShape(ctx: Ctx): fc.Arbitrary<Entry[]> {
  return fc
    .tuple(
      tickerEntry(ctx),
      fc.tuple(actionEntry("marketPosition", MPOS_WORDS), fc.boolean()).map(([e, snake]) => ({ ...e, key: snake ? "market_position" : "marketPosition" })),
      opt(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean()).map(([n, snake]): Entry => ({ key: snake ? "market_position_size" : "marketPositionSize", val: n, cls: "ok", num: n })), 3),
      opt(priceArb(ctx.sym).map((p): Entry => ({ key: "price", val: p.val, cls: "ok", num: p.num })), 8),
      opt(levelSpecArb(ctx, "stopLoss", false), 4),
      opt(idEntry("alertId")),
    )
    .map(compact);
}

function threeCommasShape(ctx: Ctx): fc.Arbitrary<Entry[]> {
  return fc
    .tuple(
      tickerEntry(ctx),
      fc.tuple(pick(MPOS_WORDS), fc.integer({ min: 0, max: 3 }), fc.boolean()).map(([mp, n, s]): Entry => ({
        key: "strategy_info",
        val: new Obj([["market_position", mp], ["market_position_size", s ? String(n) : n]]),
        cls: "ok",
      })),
      opt(priceArb(ctx.sym).map((p): Entry => ({ key: "price", val: p.val, cls: "ok", num: p.num })), 8),
    )
    .map(compact);
}

function tradersPostShape(ctx: Ctx): fc.Arbitrary<Entry[]> {
  const step = ctx.rec?.quantityStep ?? 1;
  return fc.tuple(actionEntry("action", ["buy", "sell", "exit", "add"]), priceArb(ctx.sym), pick(["price", "signalPrice"])).chain(([action, price, priceKey]) => {
    const anchor = anchorOf(action.text, price.k);
    return fc
      .tuple(
        tickerEntry(ctx),
        fc.constant(action),
        opt(actionEntry("sentiment", SENTIMENT_WORDS), 2),
        opt(asNumOrString(qtyArb(step)).map((q): Entry => ({ key: "quantity", val: q.val, cls: "ok", num: q.num }))),
        fc.constant<Entry>({ key: priceKey, val: price.val, cls: "ok", num: price.num }),
        opt(levelSpecArb(ctx, "takeProfit", true, anchor)),
        opt(levelSpecArb(ctx, "stopLoss", true, anchor)),
        opt(idEntry("alertId"), 3),
      )
      .map(compact);
  });
}

function pickMyTradeShape(ctx: Ctx): fc.Arbitrary<Entry[]> {
  const step = ctx.rec?.quantityStep ?? 1;
  const flat = (key: string, a: fc.Arbitrary<JVal>) => opt(a.map((v): Entry => ({ key, val: v, cls: v === 0 ? "absent" : "ok" })), 2);
  return fc
    .tuple(
      tickerEntry(ctx, "symbol"),
      actionEntry("data", ["buy", "sell", "close"]),
      opt(asNumOrString(qtyArb(step)).map((q): Entry => ({ key: "quantity", val: q.val, cls: "ok", num: q.num })), 3),
      opt(priceArb(ctx.sym).map((p): Entry => ({ key: "price", val: p.val, cls: "ok", num: p.num })), 8),
      fc.oneof(
        flat("tp", priceArb(ctx.sym).map((p) => p.val)),
        flat("dollar_tp", fc.integer({ min: 0, max: 80 })),
        flat("percentage_tp", fc.constantFrom(0, 0.05, 0.1)),
      ),
      fc.oneof(
        flat("sl", priceArb(ctx.sym).map((p) => p.val)),
        flat("dollar_sl", fc.integer({ min: 0, max: 80 })),
        flat("percentage_sl", fc.constantFrom(0, 0.05, 0.1)),
      ),
      opt(idEntry("signalId"), 2),
    )
    .map(compact);
}

function shapeArb(ctx: Ctx): fc.Arbitrary<Entry[]> {
  return fc.oneof(
    { arbitrary: indicatorShape(ctx), weight: 6 },
    { arbitrary: strategyShape(ctx), weight: 3 },
    { arbitrary: marketPositionShape(ctx), weight: 2 },
    { arbitrary: threeCommasShape(ctx), weight: 1 },
    { arbitrary: tradersPostShape(ctx), weight: 3 },
    { arbitrary: pickMyTradeShape(ctx), weight: 3 },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Mutations

type Mutation = (entries: Entry[], notes: string[]) => Entry[];

const setKey = (entries: Entry[], e: Entry): Entry[] => {
  const i = entries.findIndex((x) => x.key === e.key);
  if (i < 0) return [...entries, e];
  const out = entries.slice();
  out[i] = e;
  return out;
};

function mutationArb(ctx: Ctx): fc.Arbitrary<Mutation> {
  const keyIn = (xs: string[]) => fc.nat().map((i) => xs[i % xs.length]);
  return fc.oneof(
    // A hostile number into a numeric field (present or new).
    {
      weight: 6,
      arbitrary: fc.tuple(fc.nat(), pick(HOSTILE_NUMBERS), fc.boolean()).map(([i, hv, present]) => (entries: Entry[], notes: string[]) => {
        const existing = entries.filter((e) => NUMERIC_KEYS.includes(e.key));
        const key = present && existing.length > 0 ? existing[i % existing.length].key : NUMERIC_KEYS[i % NUMERIC_KEYS.length];
        notes.push(`${key}=${hv.label}`);
        return setKey(entries, hostileEntry(key, hv));
      }),
    },
    // A hostile number inside a level object (takeProfit: {limitPrice: 1e400}).
    {
      weight: 2,
      arbitrary: fc.tuple(pick(["takeProfit", "stopLoss"]), pick(["price", "ticks", "amount", "percent"]), pick(HOSTILE_NUMBERS)).map(([key, sub, hv]) => (entries: Entry[], notes: string[]) => {
        notes.push(`${key}.${sub}=${hv.label}`);
        const cls = numCls("level", hv.n);
        return setKey(entries, { key, val: new Obj([[sub, hv.val]]), cls: cls === "ok" ? "ok" : cls === "absent" ? "absent" : "invalid" });
      }),
    },
    // Text-ish values into text fields, and any hostile value into any known key.
    {
      weight: 3,
      arbitrary: fc.tuple(keyIn(TEXT_KEYS), pick(HOSTILE_TEXT)).map(([key, hv]) => (entries: Entry[], notes: string[]) => {
        notes.push(`${key}=${hv.label.slice(0, 40)}`);
        return setKey(entries, hostileEntry(key, hv));
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(keyIn(Object.keys(KIND)), pick([...HOSTILE_NUMBERS.filter((h) => h.t !== "num" && h.t !== "str"), ...HOSTILE_TEXT])).map(([key, hv]) => (entries: Entry[], notes: string[]) => {
        notes.push(`${key}=${hv.label.slice(0, 40)}`);
        return setKey(entries, hostileEntry(key, hv));
      }),
    },
    // Unsubstituted placeholders.
    {
      weight: 2,
      arbitrary: fc.tuple(keyIn(Object.keys(KIND).filter((k) => k !== "strategy_info")), pick(PLACEHOLDERS)).map(([key, p]) => (entries: Entry[], notes: string[]) => {
        notes.push(`${key}=${p}`);
        const kind = KIND[key];
        const cls: Cls = kind === "comment" ? "ok" : "invalid";
        return setKey(entries, { key, val: p, cls });
      }),
    },
    // Hostile tickers.
    {
      weight: 4,
      arbitrary: fc.tuple(pick(HOSTILE_TICKERS), pick(["ticker", "ticker", "symbol"])).map(([t, key]) => (entries: Entry[], notes: string[]) => {
        notes.push(`${key}=${JSON.stringify(t.s).slice(0, 40)}`);
        return setKey(entries, { key, val: t.s, cls: t.cls });
      }),
    },
    // A duplicate key: JSON.parse keeps the last one.
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat(), pick([...HOSTILE_NUMBERS, ...HOSTILE_TEXT])).map(([i, hv]) => (entries: Entry[], notes: string[]) => {
        if (entries.length === 0) return entries;
        const key = entries[i % entries.length].key;
        notes.push(`duplicate ${key}=${hv.label.slice(0, 30)}`);
        return [...entries, hostileEntry(key, hv)];
      }),
    },
    {
      weight: 1,
      arbitrary: fc.nat().map((i) => (entries: Entry[], notes: string[]) => {
        if (entries.length === 0) return entries;
        const e = entries[i % entries.length];
        notes.push(`duplicate ${e.key} (same value)`);
        return [e, ...entries];
      }),
    },
    // Odd key names (kept in the log, otherwise ignored).
    {
      weight: 2,
      arbitrary: pick<[string, JVal]>([
        ["__proto__", new Obj([["action", "buy"], ["price", 1]])],
        ["constructor", new Obj([["prototype", new Obj([["x", 1]])]])],
        ["toString", 1],
        ["hasOwnProperty", "x"],
        ["", ""],
        ["\u0000", "\u0000"],
        ["\ud83d\udca5", [1, 2, 3]],
        ["Action", "hold"],
        ["ACTION", "buy"],
        ["extra", new Raw("1e400")],
        ["nested", new Obj([["deep", [new Obj([["x", null]])]]])],
      ]).map(([key, val]) => (entries: Entry[], notes: string[]) => {
        notes.push(`extra key ${JSON.stringify(key)}`);
        return [...entries, { key, val, cls: "ok" as Cls }];
      }),
    },
    // A key removed.
    {
      weight: 2,
      arbitrary: fc.nat().map((i) => (entries: Entry[], notes: string[]) => {
        if (entries.length === 0) return entries;
        const key = entries[i % entries.length].key;
        notes.push(`without ${key}`);
        return entries.filter((e) => e.key !== key);
      }),
    },
    // Quantities on and off the step.
    {
      weight: 3,
      arbitrary: fc.tuple(pick([0.001, 0.0015, 0.5, 1.5, 2.999, 0.1 + 0.2, 1e-7, 1e-13, 5e-324, 99999.999, 100000]), pick(["quantity", "quantity", "qty", "contracts", "positionSize"]), fc.boolean()).map(([q, key, asString]) => (entries: Entry[], notes: string[]) => {
        notes.push(`${key}=${q}${asString ? " (string)" : ""}`);
        return setKey(entries, { key, val: asString ? String(q) : q, cls: "ok", num: q });
      }),
    },
    // Levels far on either side of the price (wrong side for one direction).
    {
      weight: 2,
      arbitrary: fc.tuple(pick(["takeProfit", "stopLoss", "tp", "sl"]), fc.integer({ min: -400, max: 400 })).map(([key, k]) => (entries: Entry[], notes: string[]) => {
        const p = Number((ctx.sym.center + k * ctx.sym.tickSize).toPrecision(12));
        notes.push(`${key}=${p}`);
        if (!(p > 0)) return entries;
        return setKey(entries, { key, val: p, cls: "ok" });
      }),
    },
  );
}

// ---------------------------------------------------------------------------------------------------------
// Structure: depth, size, broken JSON

type Structure =
  | { t: "none" }
  | { t: "deep"; key: string; n: number; kind: "array" | "object" }
  | { t: "pad"; bytes: number; char: string; key: string }
  | { t: "cut"; at: number }
  | { t: "raw"; text: string; cls: "invalid_json" | "not_object" }
  | { t: "wrap"; how: "array" | "bom" | "space" | "string" }
  | { t: "wide"; how: "keys" | "array"; n: number };

const RAW_BODIES: { text: string; cls: "invalid_json" | "not_object" }[] = [
  { text: "", cls: "invalid_json" },
  { text: "  \n\t ", cls: "invalid_json" },
  { text: "buy MNQ now", cls: "invalid_json" },
  { text: "{", cls: "invalid_json" },
  { text: '{"action":"buy",}', cls: "invalid_json" },
  { text: "{'action':'buy'}", cls: "invalid_json" },
  { text: '{"action":"buy","price":NaN}', cls: "invalid_json" },
  { text: '{"action":"buy","price":Infinity}', cls: "invalid_json" },
  { text: '{"action":"buy","price":-Infinity}', cls: "invalid_json" },
  { text: '{"action":"buy" "ticker":"MNQM2041"}', cls: "invalid_json" },
  { text: '{"action":"buy"}garbage', cls: "invalid_json" },
  { text: '{"action":"buy"}{"action":"sell"}', cls: "invalid_json" },
  { text: '{"action":"buy","price":01}', cls: "invalid_json" },
  { text: '{"action":"buy","price":1.}', cls: "invalid_json" },
  { text: '{"action":"buy","price":.5}', cls: "invalid_json" },
  { text: '{"action":"buy","price":+1}', cls: "invalid_json" },
  { text: '{"action":"buy","price":0x10}', cls: "invalid_json" },
  { text: '{"action":"b\u0001uy"}', cls: "invalid_json" },
  { text: '/* c */{"action":"buy"}', cls: "invalid_json" },
  { text: '{"action":"buy"}\u0000', cls: "invalid_json" },
  { text: "\u0000", cls: "invalid_json" },
  { text: '"unterminated', cls: "invalid_json" },
  { text: "[1,2", cls: "invalid_json" },
  { text: "nul", cls: "invalid_json" },
  { text: "]]]]}}}}", cls: "invalid_json" },
  { text: "[".repeat(40_000), cls: "invalid_json" },
  { text: `{"a":${"[".repeat(33)}`, cls: "invalid_json" },
  { text: `{"action":"buy","x":${"{".repeat(5000)}`, cls: "invalid_json" },
  { text: "null", cls: "not_object" },
  { text: "123", cls: "not_object" },
  { text: "1e400", cls: "not_object" },
  { text: "-0", cls: "not_object" },
  { text: "true", cls: "not_object" },
  { text: '"buy"', cls: "not_object" },
  { text: '"{{close}}"', cls: "not_object" },
  { text: `"${"[".repeat(60)}"`, cls: "not_object" },
  { text: "[]", cls: "not_object" },
  { text: '[{"action":"buy","ticker":"MNQM2041","price":25600}]', cls: "not_object" },
];

function structureArb(): fc.Arbitrary<Structure> {
  return fc.oneof(
    { weight: 40, arbitrary: fc.constant<Structure>({ t: "none" }) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(pick(["comment", "price", "ticker", "takeProfit", "extra", "strategy_info", "id"]), pick([2, 30, 31, 32, 33, 40, 100, 1000, 3000, 5000]), pick(["array", "object"] as const))
        .map(([key, n, kind]): Structure => ({ t: "deep", key, n, kind })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(pick([8000, 8191, 8192, 8193, 8194, 8200, 9000, 30_000, 65_535, 65_536, 65_537, 70_000, 200_000]), pick(["x", "\u00e9", "\u20ac", "\ud83d\ude00"]), pick(["comment", "note"]), fc.integer({ min: -3, max: 3 }))
        .map(([bytes, char, key, d]): Structure => ({ t: "pad", bytes: bytes + d, char, key })),
    },
    { weight: 2, arbitrary: fc.nat().map((at): Structure => ({ t: "cut", at })) },
    { weight: 3, arbitrary: pick(RAW_BODIES).map((r): Structure => ({ t: "raw", ...r })) },
    { weight: 1, arbitrary: pick(["array", "bom", "space", "string"] as const).map((how): Structure => ({ t: "wrap", how })) },
    { weight: 1, arbitrary: fc.tuple(pick(["keys", "array"] as const), pick([500, 3000, 6000, 20_000])).map(([how, n]): Structure => ({ t: "wide", how, n })) },
  );
}

// ---------------------------------------------------------------------------------------------------------
// The request

export interface GenWorld {
  recorders: RecorderDef[];
  symbols: SymbolDef[];
  /** Share of requests sent with a token no recorder has. */
  unknownTokenWeight: number;
  /** "light": fewer and milder mutations, no structural hostility (the D1-outage test). */
  profile: "full" | "light";
}

export function requestArb(world: GenWorld): fc.Arbitrary<HostileRequest> {
  const targets = fc.oneof(
    ...world.recorders.map((r, i) => ({ arbitrary: fc.constant(i), weight: r.weight })),
    ...(world.unknownTokenWeight > 0 ? [{ arbitrary: fc.constant(-1), weight: world.unknownTokenWeight }] : []),
  );
  const light = world.profile === "light";
  return fc.tuple(targets, fc.nat()).chain(([target, s]) => {
    const rec = target >= 0 ? world.recorders[target] : null;
    const usable = world.symbols.filter((x) => !x.overrideOnly || rec?.override);
    // Mostly symbols the recorder can record; sometimes one it cannot.
    const sym = s % 10 === 0 ? world.symbols[s % world.symbols.length] : usable[s % usable.length];
    const ctx: Ctx = { sym, rec };
    return fc
      .tuple(
        shapeArb(ctx),
        light
          ? fc.option(mutationArb(ctx), { nil: null, freq: 3 }).map((m) => (m === null ? [] : [m]))
          : fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 1, arbitrary: fc.array(mutationArb(ctx), { minLength: 1, maxLength: 3 }) }),
        light ? fc.constant<Structure>({ t: "none" }) : structureArb(),
      )
      .map(([entries, mutations, structure]) => build(target, rec, entries, mutations, structure));
  });
}

function build(target: number, rec: RecorderDef | null, base: Entry[], mutations: Mutation[], structure: Structure): HostileRequest {
  const notes: string[] = [];
  let entries = base;
  for (const m of mutations) entries = m(entries, notes);

  if (structure.t === "deep") {
    notes.push(`${structure.key}: ${structure.n} levels of ${structure.kind}s`);
    // strategy_info ignores unknown keys, so {"a":{"a":…}} is a valid (empty) one; anything else known is invalid.
    const cls: Cls = !KIND[structure.key] || (structure.key === "strategy_info" && structure.kind === "object") ? "ok" : "invalid";
    entries = setKey(entries, { key: structure.key, val: nested(structure.n, structure.kind), cls });
  }
  let text = ser(new Obj(entries.map((e) => [e.key, e.val])));
  let kind: "object" | "invalid_json" | "not_object" = "object";

  switch (structure.t) {
    case "pad": {
      const key = entries.some((e) => e.key === structure.key) ? "note" : structure.key;
      const baseBytes = utf8Length(text) + utf8Length(`,${JSON.stringify(key)}:""`);
      const room = Math.max(0, structure.bytes - baseBytes);
      const cb = utf8Length(structure.char);
      const n = Math.floor(room / cb);
      const pad = "x".repeat(room - n * cb) + structure.char.repeat(n);
      entries = [...entries, { key, val: pad, cls: "ok" }];
      text = ser(new Obj(entries.map((e) => [e.key, e.val])));
      notes.push(`padded to ${utf8Length(text)} bytes with ${JSON.stringify(structure.char)}`);
      break;
    }
    case "wide": {
      // Wide instead of deep: thousands of unknown keys, or one long flat array (kept in the log, else ignored).
      const extra: [string, JVal][] =
        structure.how === "keys" ? Array.from({ length: structure.n }, (_, i) => [`k${i}`, i % 7] as [string, JVal]) : [["series", Array.from({ length: structure.n }, (_, i) => i % 10)]];
      entries = [...entries, ...extra.map(([key, val]): Entry => ({ key, val, cls: "ok" }))];
      text = ser(new Obj(entries.map((e) => [e.key, e.val])));
      notes.push(`${structure.n} ${structure.how === "keys" ? "extra keys" : "array elements"} (${utf8Length(text)} bytes)`);
      break;
    }
    case "cut": {
      const at = structure.at % Math.max(1, text.length);
      // Never cut a surrogate pair in half (the sender's UTF-8 encoder would replace it).
      const safe = at > 0 && /[\ud800-\udbff]/.test(text[at - 1]) ? at - 1 : at;
      text = text.slice(0, safe);
      kind = "invalid_json";
      notes.push(`cut at ${safe}`);
      break;
    }
    case "raw":
      text = structure.text;
      kind = structure.cls;
      entries = [];
      notes.push(`raw body ${JSON.stringify(structure.text.slice(0, 40))}${structure.text.length > 40 ? "…" : ""}`);
      break;
    case "wrap":
      notes.push(`wrapped: ${structure.how}`);
      if (structure.how === "array") {
        text = `[${text}]`;
        kind = "not_object";
      } else if (structure.how === "string") {
        text = JSON.stringify(text);
        kind = "not_object";
      } else if (structure.how === "bom") text = `\ufeff${text}`;
      else text = `\n  ${text}\r\n\t`;
      break;
    default:
      break;
  }

  const bytes = utf8Length(text);
  const depth = kind === "object" ? 1 + Math.max(0, ...entries.map((e) => depthOf(e.val))) : textDepth(text);
  if (kind !== "invalid_json" && depth > 32) kind = "invalid_json";

  // The last occurrence of each key is the one JSON.parse keeps.
  const last = new Map<string, Entry>();
  for (const e of entries) last.set(e.key, e);
  const finals = [...last.values()];
  const invalidKeys = kind === "object" ? finals.filter((e) => e.cls === "invalid").map((e) => e.key) : [];

  const tickerOf = ["ticker", "symbol"].map((k) => last.get(k)).find((e) => e && e.cls !== "absent");
  const mustFail = kind === "object" && ((tickerOf !== undefined && tickerOf.cls === "unusable") || (tickerOf === undefined && !rec?.defaultSymbol));

  const stepFields = kind === "object" && invalidKeys.length === 0 && rec && parsesCleanly(last) ? stepProblems(last, rec.quantityStep) : [];

  return {
    target,
    text,
    notes,
    oracle: {
      bytes,
      tooLarge: bytes > BODY_LIMIT,
      invalidJson: kind === "invalid_json",
      notObject: kind === "not_object",
      invalidKeys,
      stepFields,
      mustFail,
    },
  };
}

const TICKER_CHARS = /^[A-Za-z0-9 _.!:=\-+*/^&(){}",]{0,100}$/;

/**
 * The quantity step is checked once the body parsed without a problem: only then are step problems certain.
 * So: a plain-text ticker, an intent (action or target), at most one take-profit / stop-loss source.
 */
function parsesCleanly(last: Map<string, Entry>): boolean {
  if ([...last.values()].some((e) => e.cls !== "ok" && e.cls !== "absent")) return false;
  for (const k of ["ticker", "symbol"]) {
    const e = last.get(k);
    if (e && e.cls !== "absent" && !(typeof e.val === "string" && TICKER_CHARS.test(e.val.trim()))) return false;
  }
  const intent = ["action", "data", "positionSize", "position_size", "marketPosition", "market_position"].some((k) => last.get(k)?.cls === "ok");
  const levels = (keys: string[]) => keys.filter((k) => last.get(k) && last.get(k)!.cls !== "absent").length <= 1;
  return intent && levels(["takeProfit", "tp", "dollar_tp", "percentage_tp"]) && levels(["stopLoss", "sl", "dollar_sl", "percentage_sl"]);
}

/** Quantity-step problems the contract makes certain: a quantity / positionSize that is clearly no multiple. */
function stepProblems(last: Map<string, Entry>, step: number): string[] {
  const out: string[] = [];
  const first = (keys: string[]) => keys.map((k) => last.get(k)).find((e) => e && e.cls !== "absent");
  const clearlyOff = (n: number) => {
    const m = Math.round(Math.abs(n) / step);
    return n !== 0 && (m === 0 || Math.abs(Math.abs(n) / step - m) > 1e-6);
  };
  const sentiment = last.get("sentiment");
  const flatSentiment = sentiment?.cls === "ok" && typeof sentiment.val === "string" && sentiment.val.trim().toLowerCase() === "flat";
  const q = first(["quantity", "qty", "contracts"]);
  if (!flatSentiment && q?.num !== undefined && clearlyOff(q.num)) out.push("quantity");
  const ps = first(["positionSize", "position_size"]);
  if (ps?.num !== undefined && clearlyOff(ps.num)) out.push("positionSize");
  return out;
}
