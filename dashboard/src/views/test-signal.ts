// "Send test signal": a real webhook POST to the recorder's public URL, with a body the user picks and may edit,
// and the Worker's reply shown as it came. It goes through exactly the path TradingView's alert takes (token,
// parsing, rate limit, recording, signal log), which is what a trader wants to check.
//
// Why only while the URL is known in this page session (right after create / rotate / clone): the token is never
// returned again (only its hash is stored), and a separate "test" endpoint that records without the token would
// test a different path and be one more way in. Without the URL the button says how to get one (rotate).
import type { Recorder, WebhookReply } from "../api";
import { h, replace } from "../dom";

/** Ready bodies (concrete values: TradingView's {{placeholders}} would be refused as unsubstituted). */
function presets(r: Recorder): [string, Record<string, string>][] {
  const ticker = r.symbol ?? "MNQ1!";
  return [
    ["buy (feed price)", { ticker, action: "buy" }],
    ["sell (feed price)", { ticker, action: "sell" }],
    ["close", { ticker, action: "close" }],
  ];
}

export function testSignalBox(r: Recorder, url: string | null): HTMLElement {
  if (!url) {
    return h(
      "div",
      { class: "test-signal", "data-testid": "test-signal" },
      h("button", { class: "btn btn-sm", type: "button", disabled: true, "data-testid": "send-test-signal" }, "Send test signal"),
      h("p", { class: "muted small" }, "Available while this page knows the webhook URL (right after the recorder is created or its token rotated): the token is never shown again."),
    );
  }
  const list = presets(r);
  const pick = h("select", { "data-testid": "test-preset", "aria-label": "Test body" }, list.map(([label], i) => h("option", { value: String(i) }, label)));
  const body = h("textarea", { spellcheck: "false", "data-testid": "test-body", "aria-label": "Body sent to the webhook" });
  const setBody = () => (body.value = JSON.stringify(list[Number(pick.value)]?.[1] ?? {}));
  pick.addEventListener("change", setBody);
  setBody();
  const send = h("button", { class: "btn btn-sm btn-primary", type: "button", "data-testid": "send-test-signal" }, "Send test signal");
  const reply = h("div", { class: "reply", "data-testid": "test-reply", "aria-live": "polite" });
  send.addEventListener("click", async () => {
    send.disabled = true;
    replace(reply, h("span", { class: "muted" }, "Sending…"));
    try {
      // text/plain, as TradingView sends it (and a "simple" request: no CORS preflight).
      const res = await fetch(url, { method: "POST", headers: { "Content-Type": "text/plain" }, body: body.value, cache: "no-store" });
      const text = await res.text();
      replace(reply, replyView(res.status, text));
    } catch (e) {
      replace(
        reply,
        h("div", { class: "alert alert-error", role: "alert" }, `Could not read the reply (${(e as Error).message}). If this dashboard is on another origin than the Worker, the signal may still have been recorded: see the Signals screen.`),
      );
    } finally {
      send.disabled = false;
    }
  });
  return h(
    "div",
    { class: "test-signal", "data-testid": "test-signal" },
    h("div", { class: "btn-row" }, pick, send),
    body,
    h("p", { class: "muted small" }, "Sent to the webhook URL above, exactly as TradingView would: it is recorded like any alert (a buy opens a paper position)."),
    reply,
  );
}

function replyView(status: number, text: string): HTMLElement {
  let j: unknown = null;
  try {
    j = JSON.parse(text);
  } catch {
    /* not JSON: shown as text */
  }
  const ok = status === 200 && j !== null && typeof j === "object" && (j as { ok?: unknown }).ok === true;
  if (ok) {
    const r = j as WebhookReply;
    const summary = `HTTP 200 · ${r.result}${r.reason ? ` (${r.reason})` : ""}${r.duplicate ? " · duplicate" : ""}${r.position ? ` · ${r.position.side} ${r.position.quantity} ${r.position.symbol} @ ${r.position.avgEntryPrice}` : ""}`;
    return h("div", { class: "alert alert-ok", "data-testid": "test-reply-ok" }, h("strong", null, summary));
  }
  const e = j !== null && typeof j === "object" ? (j as { error?: { code?: string; message?: string } }).error : undefined;
  return h("div", { class: "alert alert-error", role: "alert", "data-testid": "test-reply-error" }, h("strong", null, `HTTP ${status}${e?.code ? ` ${e.code}` : ""}: `), e?.message ?? text.slice(0, 300));
}
