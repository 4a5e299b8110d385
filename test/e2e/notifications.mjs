// End-to-end: the recorder panel's "Notifications" section (issue #12), in real Chromium against the real Worker
// (wrangler dev) — nothing mocked. The target is a small HTTP receiver this file starts on 127.0.0.1 (the API
// allows plain http only there), so what a trader's own webhook would get is checked byte for byte: the test
// message, then the `opened` and `closed` notifications of a position opened and closed through the recorder's
// real webhook, with the P&L worked out by hand.
//
// At 1440×900 and at 390×844: a refused URL and an empty event list are named under their fields (the API's 400
// details); the secret URL is nowhere in the page once saved (markup and every input's value); "Send test" shows
// "Delivered (HTTP 204)"; enabled / events / label are changed in place (PATCH); delete. run.mjs calls
// notifications(); `E2E_ONLY=notifications` runs it alone (it signs in and makes its own recorders).
import http from "node:http";
import { randomBytes } from "node:crypto";

const PREFIX = "notifications";
const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

/** A webhook receiver: every POST's JSON body is kept; it answers 204, as many real receivers do. */
async function startReceiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      let json = null;
      try {
        json = JSON.parse(body);
      } catch {
        /* kept as null: a test then fails on the missing fields */
      }
      got.push({ method: req.method, path: req.url, contentType: req.headers["content-type"], json });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { got, port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

export async function notifications({ base, page, apiGet, apiPost, postTo, test, shot, waitFor, assert, adminToken }) {
  const t = (name, fn) => test(`${PREFIX}: ${name}`, fn);
  const text = async (locator) => ((await locator.textContent()) ?? "").trim();
  const ensureSignedIn = async () => {
    await page.goto(`${base}/#/recorders`);
    await page.reload(); // the list of recorders is cached by the page: these were made through the API
    if (await page.getByTestId("token").count()) {
      await page.getByTestId("token").fill(adminToken);
      await page.getByTestId("sign-in").click();
      await page.waitForURL(/#\/recorders/);
    }
  };
  const noSideScroll = async (what) => {
    const { sw, cw } = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, cw: document.scrollingElement.clientWidth }));
    assert(sw <= cw, `${what}: the page scrolls sideways (scrollWidth ${sw} > clientWidth ${cw})`);
  };
  /** The secret must not be anywhere the page keeps text: its markup, its visible text, or an input's value. */
  const secretNowhere = async (secret, what) => {
    const html = await page.content();
    const values = await page.evaluate(() => [...document.querySelectorAll("input, textarea, select")].map((e) => e.value).join("\n"));
    const textAll = await page.evaluate(() => document.body.innerText);
    assert(!html.includes(secret) && !values.includes(secret) && !textAll.includes(secret), `${what}: the secret webhook URL is still in the page`);
  };

  let receiver = null;
  try {
    receiver = await startReceiver();
  } catch (e) {
    await t("a local webhook receiver starts", () => {
      throw e;
    });
    return;
  }

  const flow = async (viewport, name, screenshot) => {
    await page.setViewportSize(viewport);
    try {
      await ensureSignedIn();
      const made = await apiPost("/api/recorders", { name, symbol: "MNQ1!", delayedFeed: "immediate", commissionPerContract: 0 });
      assert(made.status === 201, `create ${name}: ${made.status} ${JSON.stringify(made.body)}`);
      const rec = { id: made.body.recorder.id, hook: `${base}${made.body.recorder.webhookPath}` };
      const secretPath = `/hook/${randomBytes(16).toString("hex")}`;
      const secretUrl = `http://127.0.0.1:${receiver.port}${secretPath}`;
      const mine = (kind) => receiver.got.filter((g) => g.path === secretPath && g.json?.kind === kind && g.json?.recorderId === rec.id);

      await ensureSignedIn();
      await page.locator(`[data-testid=recorder-row][data-id="${rec.id}"]`).click();
      const section = page.getByTestId("notifications");
      await section.getByTestId("notif-empty").waitFor();
      const form = section.getByTestId("notif-form");
      if (viewport.width >= 600) {
        // Telegram asks for a bot token and a chat id instead of a URL; a malformed token is named under its field.
        await form.getByTestId("notif-kind").selectOption("telegram");
        assert((await form.getByTestId("notif-url").isHidden()) && (await form.getByTestId("notif-bot-token").isVisible()) && (await form.getByTestId("notif-chat-id").isVisible()), "telegram fields");
        assert(/@BotFather/.test(await text(form.getByTestId("notif-help"))), `telegram help: "${await text(form.getByTestId("notif-help"))}"`);
        await form.getByTestId("notif-new-event-closed").check();
        await form.getByTestId("notif-bot-token").fill("not-a-token");
        await form.getByTestId("notif-chat-id").fill("-100123456");
        await form.getByTestId("notif-add").click();
        await waitFor(async () => (await form.getByTestId("notif-error-botToken").isVisible()) && /Telegram bot token/.test(await text(form.getByTestId("notif-error-botToken"))), { what: "the bot token field error" });
        await form.getByTestId("notif-bot-token").fill("");
        await form.getByTestId("notif-chat-id").fill("");
        await form.getByTestId("notif-new-event-closed").uncheck();
      }
      await form.getByTestId("notif-kind").selectOption("webhook");
      assert(/https:\/\//.test(await text(form.getByTestId("notif-help"))), `webhook help text: "${await text(form.getByTestId("notif-help"))}"`);
      assert(await form.getByTestId("notif-bot-token").isHidden(), "the bot token field shows for a webhook");

      // No event ticked: the API's problem is shown under "Events".
      await form.getByTestId("notif-url").fill(secretUrl);
      await form.getByTestId("notif-add").click();
      await waitFor(async () => (await form.getByTestId("notif-error-events").isVisible()) && (await text(form.getByTestId("notif-error-events"))).length > 0, { what: "the events field error" });
      // A URL the API refuses (not https, not local): its reason under "URL".
      await form.getByTestId("notif-new-event-opened").check();
      await form.getByTestId("notif-new-event-closed").check();
      await form.getByTestId("notif-url").fill("http://example.com/hook/abc");
      await form.getByTestId("notif-add").click();
      const urlError = form.getByTestId("notif-error-url");
      await waitFor(async () => (await urlError.isVisible()) && /https/.test(await text(urlError)), { what: "the URL field error" });
      assert(await form.getByTestId("notif-error-events").isHidden(), "the events error should be gone once events are ticked");
      assert((await apiGet(`/api/recorders/${rec.id}/notifications`)).body.targets.length === 0, "a refused target was created");

      // The real one.
      await form.getByTestId("notif-url").fill(secretUrl);
      await form.getByTestId("notif-label").fill("my receiver");
      await form.getByTestId("notif-add").click();
      const row = section.getByTestId("notif-target");
      await row.waitFor();
      assert(await urlError.isHidden(), "the URL error stays after a successful add");
      const { body } = await apiGet(`/api/recorders/${rec.id}/notifications`);
      const target = body.targets[0];
      assert(body.targets.length === 1 && target.kind === "webhook" && target.events.join(",") === "opened,closed" && target.enabled === true && target.label === "my receiver", `API target ${JSON.stringify(body.targets)}`);
      assert(!JSON.stringify(body).includes(secretPath), "the API answered the secret URL");
      assert((await text(row.getByTestId("notif-shown"))) === target.shown, `masked destination "${await text(row.getByTestId("notif-shown"))}", API "${target.shown}"`);
      assert((await row.getByTestId("notif-label-edit").inputValue()) === "my receiver", "label not shown");
      assert((await row.getByTestId("notif-event-opened").isChecked()) && (await row.getByTestId("notif-event-closed").isChecked()) && !(await row.getByTestId("notif-event-rejected").isChecked()), "the target's event boxes");
      assert((await form.getByTestId("notif-url").inputValue()) === "", "the URL field keeps the secret after saving");
      await secretNowhere(secretPath.slice("/hook/".length), `${name} after saving`);

      // Send test: the receiver gets it, the page says so.
      await row.getByTestId("notif-test").click();
      await waitFor(async () => (await text(row.getByTestId("notif-test-result"))) === "Delivered (HTTP 204)", { timeout: 20_000, what: `"Delivered (HTTP 204)" (shows "${await text(row.getByTestId("notif-test-result")).catch(() => "?")}")` });
      const tests = mine("test");
      assert(tests.length === 1 && tests[0].method === "POST" && /json/.test(tests[0].contentType) && tests[0].json.source === "edge-trade-recorder", `test message: ${JSON.stringify(receiver.got.filter((g) => g.path === secretPath))}`);

      // A label and the enabled switch, changed in place (PATCH), then back.
      await row.getByTestId("notif-label-edit").fill("renamed");
      await row.getByTestId("notif-label-edit").press("Enter");
      await waitFor(async () => (await apiGet(`/api/recorders/${rec.id}/notifications`)).body.targets[0].label === "renamed", { what: "the label PATCHed" });
      await row.getByTestId("notif-enabled").click();
      await waitFor(async () => (await apiGet(`/api/recorders/${rec.id}/notifications`)).body.targets[0].enabled === false, { what: "the target disabled" });
      await row.getByTestId("notif-enabled").click();
      await waitFor(async () => (await apiGet(`/api/recorders/${rec.id}/notifications`)).body.targets[0].enabled === true, { what: "the target enabled again" });
      // Unticking every event is refused by the API: the box comes back and the reason is shown.
      await row.getByTestId("notif-event-opened").uncheck();
      await waitFor(async () => (await apiGet(`/api/recorders/${rec.id}/notifications`)).body.targets[0].events.join(",") === "closed", { what: "events PATCHed to closed only" });
      // (a click, not uncheck(): the box is put back as soon as the API refuses, which uncheck() would call a failure)
      await row.getByTestId("notif-event-closed").click();
      await waitFor(async () => /Not saved/.test(await text(row.getByTestId("notif-status"))), { what: "the refusal of an empty event list" });
      assert(await row.getByTestId("notif-event-closed").isChecked(), "the refused box was not put back");
      await row.getByTestId("notif-event-opened").check();
      await waitFor(async () => (await apiGet(`/api/recorders/${rec.id}/notifications`)).body.targets[0].events.join(",") === "opened,closed", { what: "events back to opened, closed" });

      // A real position through the recorder's webhook: 1 MNQ long 25,600 → 25,610 = 40 ticks × $0.50 = +$20.00.
      const o = await postTo(rec.hook, { ticker: "MNQ1!", action: "buy", price: "25600", time: new Date().toISOString() });
      assert(o.status === 200 && o.body?.result === "opened", `buy: ${o.status} ${JSON.stringify(o.body)}`);
      const c = await postTo(rec.hook, { ticker: "MNQ1!", action: "close", price: "25610", time: new Date().toISOString() });
      assert(c.status === 200 && c.body?.result === "closed", `close: ${c.status} ${JSON.stringify(c.body)}`);
      await waitFor(() => mine("opened").length >= 1 && mine("closed").length >= 1, { timeout: 30_000, interval: 250, what: "the opened and closed notifications at the receiver" });
      const opened = mine("opened")[0].json;
      const closed = mine("closed")[0].json;
      assert(opened.side === "long" && opened.quantity === 1 && opened.price === 25600 && opened.symbol === "MNQ" && opened.positionId === o.body.position.id, `opened: ${JSON.stringify(opened)}`);
      assert(closed.pnl === 20 && closed.commission === 0 && closed.entryPrice === 25600 && closed.exitPrice === 25610 && closed.side === "long", `closed: ${JSON.stringify(closed)}`);
      assert(closed.tradeId === c.body.trade.id && c.body.trade.pnl === 20, `closed trade ${closed.tradeId} / reply ${JSON.stringify(c.body.trade)}`);
      assert(/P&L \+\$20\.00/.test(closed.text), `closed text: ${closed.text}`);
      assert(mine("rejected").length === 0, "a rejected notification was sent to a target that did not ask for it");

      if (viewport.width < 600) await noSideScroll(`${name}: recorder panel with its notifications`);
      // the section's heading just under the sticky top bar: the target, its test result and the form in view
      await page.evaluate(() => {
        const head = document.querySelector("[data-testid=notifications]").previousElementSibling;
        const bar = document.querySelector(".topbar").getBoundingClientRect().height;
        window.scrollTo(0, head.getBoundingClientRect().top + window.scrollY - bar - 12);
      });
      await secretNowhere(secretPath.slice("/hook/".length), `${name} at the end`);
      if (screenshot) await shot(screenshot);

      // Delete (two clicks: the button asks to confirm).
      await row.getByTestId("notif-delete").click();
      await row.getByTestId("notif-delete").click();
      await section.getByTestId("notif-empty").waitFor();
      assert((await apiGet(`/api/recorders/${rec.id}/notifications`)).body.targets.length === 0, "the target was not deleted");
    } finally {
      await page.setViewportSize(DESK);
    }
  };

  await t("1440×900: add a webhook target (field errors, secret never shown), send a test, then opened and closed notifications with the P&L", () =>
    flow(DESK, "Notify desk", "25-notifications"),
  );
  await t("390×844: the same on a phone, without sideways scroll", () => flow(PHONE, "Notify phone", null));
  await receiver.close();
}
