// End-to-end: "A dashboard traders keep open all day, on a desk and on a phone" (issue #12), in real Chromium
// against the real Worker (wrangler dev) and the fake TradingView quote server — nothing mocked. run.mjs calls
// deskAndPhone(); `E2E_ONLY="desk & phone"` runs these alone (they sign in and make their own recorders).
//
// What is checked, at 1440×900 and at 390×844:
// - positions: prices at the instrument's decimals (a DCA average of 25,588.3333… shows 25,588.33), the Data column
//   from the API's `delayedData` and /status's health — "delayed" with how far behind, and "stale" once a
//   connected feed has sent no tick for 30 s (the MES feed below is left silent on purpose), and "feed down" once
//   the quote server refuses it;
// - trades: the recorder panel's "Trades" link keeps its recorder filter, the CSV download holds exactly the
//   filtered trades (GET /api/trades.csv), exit reasons in words ("Take profit", "Manual close");
// - recorders: each recorder's summary line equals GET /api/recorders?summary=true; the panel's alert builder,
//   "Send test signal" (a real webhook POST) and the note that TradingView cannot reach an http/localhost URL;
// - a phone: no sideways page scroll (document.scrollingElement.scrollWidth ≤ clientWidth), rows as cards, the
//   active nav tab in view.
import { readFileSync } from "node:fs";
import path from "node:path";

const PREFIX = "desk & phone";
const MNQ = "CME_MINI:MNQ1!";
const MES = "CME_MINI:MES1!";
const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const TUNNEL_TEXT =
  "TradingView can't reach this address. It sends webhooks only to public HTTPS addresses (ports 443/80). To try alerts against your own machine, run cloudflared tunnel --url http://127.0.0.1:{port}, open this dashboard at the https://….trycloudflare.com address it prints, and copy the webhook URL from there (the address changes each time the tunnel restarts). For alerts you rely on, deploy with npm run deploy. TradingView webhook alerts need a paid plan with 2-factor authentication turned on.";

export async function deskAndPhone({ base, page, fakeTv, apiGet, apiPost, postTo, test, shot, waitFor, assert, money, sleep, tmp, adminToken }) {
  const t = (name, fn) => test(`${PREFIX}: ${name}`, fn);
  const text = async (locator) => ((await locator.textContent()) ?? "").trim();
  const ensureSignedIn = async () => {
    await page.goto(`${base}/#/recorders`);
    if (await page.getByTestId("token").count()) {
      await page.getByTestId("token").fill(adminToken);
      await page.getByTestId("sign-in").click();
      await page.waitForURL(/#\/recorders/);
    }
  };
  const makeRecorder = async (body) => {
    const r = await apiPost("/api/recorders", body);
    assert(r.status === 201, `create ${body.name}: ${r.status} ${JSON.stringify(r.body)}`);
    return { id: r.body.recorder.id, name: body.name, hook: `${base}${r.body.recorder.webhookPath}` };
  };
  const send = async (rec, body, want) => {
    const r = await postTo(rec.hook, { time: new Date().toISOString(), ...body });
    assert(r.status === 200 && (!want || r.body?.result === want), `${rec.name} ${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const subscribed = (sym) => waitFor(() => fakeTv.subscribedSymbols().includes(sym), { timeout: 20_000, what: `the feed to subscribe ${sym}` });
  const openOf = async (recId) => (await apiGet(`/api/positions?status=open&recorderId=${recId}`)).body.positions;
  /** No sideways scrolling of the page itself (a table may scroll inside its own box). */
  const noSideScroll = async (what) => {
    const { sw, cw } = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, cw: document.scrollingElement.clientWidth }));
    assert(sw <= cw, `${what}: the page scrolls sideways (scrollWidth ${sw} > clientWidth ${cw})`);
  };
  const activeTabVisible = async (name) => {
    const r = await page.evaluate(() => {
      const nav = document.querySelector("nav.nav");
      const a = nav?.querySelector("a.active");
      if (!nav || !a) return null;
      const n = nav.getBoundingClientRect();
      const b = a.getBoundingClientRect();
      return { name: a.getAttribute("data-testid"), inside: b.left >= n.left - 1 && b.right <= n.right + 1 && b.left >= 0 && b.right <= window.innerWidth + 1, text: a.textContent };
    });
    assert(r && r.name === `nav-${name}`, `active tab is ${JSON.stringify(r)}, expected nav-${name}`);
    assert(r.inside, `the active tab "${r.text}" is not fully in view`);
  };
  const positionRow = (id) => page.locator(`[data-testid=position-row][data-id="${id}"]`);

  let dca = null; // MNQ, DCA'd long with a take-profit
  let quiet = null; // MES, opened before its feed reported a mode: delayedData false
  let quietLate = null; // MES, opened after: delayedData true
  let mesTickAt = 0;
  let mnqPos = null;
  let mesPos = null;
  let mesLatePos = null;

  await t("positions at 1440×900: DCA average at tick precision, the Data badge from delayedData and /status", async () => {
    await page.setViewportSize(DESK);
    await ensureSignedIn();
    dca = await makeRecorder({ name: "Desk DCA MNQ", symbol: "MNQ1!", delayedFeed: "immediate" });
    quiet = await makeRecorder({ name: "Desk quiet MES", symbol: "MES1!", delayedFeed: "immediate" });
    quietLate = await makeRecorder({ name: "Desk quiet MES 2", symbol: "MES1!", delayedFeed: "immediate" });

    // MES: one position, one tick, then silence (its feed will be "stale" 30 s later, checked at the end).
    mesPos = (await send(quiet, { ticker: "MES1!", action: "buy", price: "6850" }, "opened")).position;
    await subscribed(MES);
    await waitFor(async () => (await apiGet("/status")).body.symbols.find((s) => s.feedSymbol === MES)?.feed?.updateMode, { what: "the MES feed to report its update mode" });
    fakeTv.tick({ symbol: MES, price: 6851.25 });
    mesTickAt = Date.now();
    await waitFor(async () => (await openOf(quiet.id))[0]?.lastPrice === 6851.25, { what: "the MES tick applied" });
    // Opened now that the (anonymous) feed has said its data is delayed: the API flags it.
    mesLatePos = (await send(quietLate, { ticker: "MES1!", action: "sell", price: "6851" }, "opened")).position;
    assert(mesPos.delayedData === false && mesLatePos.delayedData === true, `delayedData: first ${mesPos.delayedData}, second ${mesLatePos.delayedData}`);

    // MNQ: three buys whose average is 25,588.333…; the third sets a take-profit at 25,590.
    await send(dca, { ticker: "MNQ1!", action: "buy", price: "25588" }, "opened");
    await send(dca, { ticker: "MNQ1!", action: "buy", price: "25588.25" }, "added");
    mnqPos = (await send(dca, { ticker: "MNQ1!", action: "buy", price: "25588.75", takeProfit: "25590" }, "added")).position;
    assert(Math.abs(mnqPos.avgEntryPrice - 25588.333333) < 1e-4, `API average ${mnqPos.avgEntryPrice}`);

    await page.getByTestId("nav-positions").click();
    const row = positionRow(mnqPos.id);
    await row.waitFor();
    assert((await text(row.getByTestId("avg"))) === "25,588.33", `average shown "${await text(row.getByTestId("avg"))}", expected 25,588.33`);
    // Feed health: MNQ's anonymous feed is delayed ("delayed_streaming_900"): the badge says so, and how far.
    const mesRow = positionRow(mesPos.id);
    const mesLateRow = positionRow(mesLatePos.id);
    await waitFor(async () => (await text(mesRow.getByTestId("data-badges"))) === "delayed", { what: `MES "delayed" (it shows "${await text(mesRow.getByTestId("data-badges")).catch(() => "?")}")` });
    assert((await text(mesRow.getByTestId("feed-detail"))) === "15 min behind", `MES feed detail "${await text(mesRow.getByTestId("feed-detail"))}"`);
    assert((await text(mesRow.getByTestId("last"))) === "6,851.25", `MES last "${await text(mesRow.getByTestId("last"))}"`);
    // a moving feed's last price is not greyed as frozen (its class follows the feed, not only the price text)
    await waitFor(async () => !(await mesRow.getByTestId("last").getAttribute("class")).includes("frozen"), { what: "MES last price not marked frozen while the feed is delayed but ticking" });
    assert((await text(mesLateRow.getByTestId("data-badges"))) === "delayed", `second MES row "${await text(mesLateRow.getByTestId("data-badges"))}"`);
    // the header says how the page is kept up to date (pushed or polling), not whether the prices are live
    assert(/^(live|polling · updated )/.test(await text(page.getByTestId("poll-state"))), `the page's refresh state reads "${await text(page.getByTestId("poll-state"))}"`);
    await noSideScroll("positions at 1440");
    await shot("21-positions-feed-delayed");
  });

  await t("trades: a take-profit exit in words, prices at tick precision", async () => {
    assert(mnqPos, "needs the DCA position");
    await subscribed(MNQ);
    fakeTv.tick({ symbol: MNQ, price: 25590.5 }); // through the take-profit: exits at 25,590
    await waitFor(async () => (await openOf(dca.id)).length === 0, { what: "the take-profit exit" });
    // A second trade, closed by hand, and one for another recorder (so "all recorders" differs from this one).
    await send(dca, { ticker: "MNQ1!", action: "sell", price: "25590" }, "opened");
    const p2 = (await openOf(dca.id))[0];
    const closed = await apiPost(`/api/positions/${p2.id}/close`, { price: 25585.5 });
    assert(closed.status === 200, `manual close ${closed.status}`);
    const other = await makeRecorder({ name: "Desk other", symbol: "MNQ1!", delayedFeed: "immediate" });
    await send(other, { ticker: "MNQ1!", action: "buy", price: "25590" }, "opened");
    await send(other, { ticker: "MNQ1!", action: "close", price: "25591" }, "closed");
    const { body } = await apiGet(`/api/trades?recorderId=${dca.id}`);
    assert(body.trades.length === 2 && body.trades[1].exitReason === "take_profit" && body.trades[0].exitReason === "manual", `trades ${JSON.stringify(body.trades.map((x) => x.exitReason))}`);

    await page.goto(`${base}/#/trades?recorderId=${encodeURIComponent(dca.id)}`);
    const rows = page.locator("[data-testid=trade-row]");
    await waitFor(async () => (await rows.count()) === 2, { what: "the 2 trades of the DCA recorder" });
    const reasons = await rows.getByTestId("exit-reason").allTextContents();
    assert(reasons.join("|") === "Manual close|Take profit", `exit reasons shown ${JSON.stringify(reasons)}`);
    const codes = await rows.getByTestId("exit-reason").evaluateAll((els) => els.map((e) => e.getAttribute("data-reason")));
    assert(codes.join("|") === "manual|take_profit", `exit reason codes ${codes}`);
    const tp = rows.nth(1);
    assert((await text(tp.getByTestId("trade-entry"))) === "25,588.33", `TP trade entry "${await text(tp.getByTestId("trade-entry"))}"`);
    assert((await text(tp.getByTestId("trade-exit"))) === "25,590.00", `TP trade exit "${await text(tp.getByTestId("trade-exit"))}"`);
    await tp.click(); // the fills, with their reasons in words
    const fillReasons = page.locator("[data-testid=trade-detail] [data-testid=fill-row] td:last-child");
    await waitFor(async () => (await fillReasons.count()) === 4, { what: "the TP trade's 4 fills" });
    const fr = (await fillReasons.allTextContents()).map((x) => x.trim());
    assert(fr.join("|") === "Entry|Add|Add|Take profit", `fill reasons ${fr}`);
  });

  await t("the recorder panel's Trades link keeps its filter; the CSV download is exactly the filtered list", async () => {
    assert(dca, "needs the DCA recorder");
    const all = (await apiGet("/api/trades?limit=1000")).body.trades;
    const mine = all.filter((x) => x.recorderId === dca.id);
    assert(all.length > mine.length, "other recorders' trades are needed to tell the filter apart (made in the test above)");
    await page.goto(`${base}/#/recorders`);
    await page.locator(`[data-testid=recorder-row][data-id="${dca.id}"]`).click();
    await page.getByTestId("open-trades").click();
    await page.waitForURL(new RegExp(`#/trades\\?recorderId=${dca.id}`));
    const rows = page.locator("[data-testid=trade-row]");
    await waitFor(async () => (await rows.count()) > 0, { what: "trade rows" });
    await sleep(800); // a late "all recorders" reload would land by now
    const ids = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    assert(ids.length === mine.length && ids.every((id) => mine.some((m) => m.id === id)), `the Trades link showed ${ids.length} trades, ${mine.length} are the recorder's`);
    assert((await page.getByTestId("trades-recorder").inputValue()) === dca.id, "the recorder filter is not selected");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-csv").click()]);
    const file = path.join(tmp, "desk-filtered.csv");
    await download.saveAs(file);
    const lines = readFileSync(file, "utf8").split(/\r?\n/).filter(Boolean);
    assert(lines.length === 1 + 2 * mine.length, `CSV has ${lines.length - 1} rows, expected ${2 * mine.length} (2 per trade of this recorder)`);
    assert(/^Trade #,Type,Date\/Time/.test(lines[0]), `CSV header ${lines[0]}`);
    assert(download.suggestedFilename().startsWith("Desk_DCA_MNQ"), `file name ${download.suggestedFilename()}`);
    await noSideScroll("trades at 1440");
    await shot("22-trades-filtered");
  });

  await t("recorders: each row's summary is the API's (net P&L, trades, open, max drawdown, last signal)", async () => {
    assert(dca, "needs the DCA recorder");
    const { body } = await apiGet("/api/recorders?summary=true");
    const s = body.recorders.find((r) => r.id === dca.id).summary;
    await page.goto(`${base}/#/recorders`);
    const line = page.locator(`[data-testid=recorder-row][data-id="${dca.id}"] [data-testid=recorder-summary]`);
    await line.waitFor();
    assert(Math.abs(money(await text(line.getByTestId("sum-net"))) - s.netProfit) < 0.001, `net shown ${await text(line.getByTestId("sum-net"))}, API ${s.netProfit}`);
    assert((await text(line.getByTestId("sum-trades"))) === `${s.totalClosedTrades} trades`, `trades shown ${await text(line.getByTestId("sum-trades"))}`);
    assert((await text(line.getByTestId("sum-open"))) === `${s.openPositions} open`, "open count");
    assert(Math.abs(money(await text(line.getByTestId("sum-dd"))) - s.maxDrawdown) < 0.001, `max DD shown ${await text(line.getByTestId("sum-dd"))}, API ${s.maxDrawdown}`);
    assert(/^last signal .* ago$/.test(await text(line.getByTestId("sum-last"))), `last signal shown "${await text(line.getByTestId("sum-last"))}"`);
    await noSideScroll("recorders at 1440");
  });

  await t("recorder panel: alert builder, 'Send test signal' through the webhook URL, and why TradingView can't reach localhost", async () => {
    await page.goto(`${base}/#/recorders`);
    await page.getByTestId("new-recorder").click();
    const form = page.getByTestId("recorder-form");
    await form.locator("#f-name").fill("Desk test signal");
    await form.locator("#f-symbol").fill("MNQ1!");
    await form.locator("#f-delayedFeed").selectOption("immediate");
    await page.getByTestId("save-recorder").click();
    const url = await text(page.getByTestId("webhook-url"));
    const port = new URL(base).port;
    assert((await text(page.getByTestId("tunnel-help"))) === TUNNEL_TEXT.replace("{port}", port), `tunnel note: "${await text(page.getByTestId("tunnel-help"))}"`);

    // Test signal: a close with nothing open is answered "ignored (no_open_position)"; a buy with a price opens.
    await page.getByTestId("test-preset").selectOption({ label: "close" });
    await page.getByTestId("send-test-signal").click();
    await waitFor(async () => /HTTP 200 · ignored \(no_open_position\)/.test(await text(page.getByTestId("test-reply"))), { what: "the test close's reply" });
    await page.getByTestId("test-body").fill('{"ticker":"MNQ1!","action":"buy","price":"25600"}');
    await page.getByTestId("send-test-signal").click();
    await waitFor(async () => /HTTP 200 · opened · long 1 MNQ @ 25600/.test(await text(page.getByTestId("test-reply"))), { what: "the test buy's reply" });
    const list = (await apiGet("/api/recorders")).body.recorders;
    const rec = list.find((r) => r.name === "Desk test signal");
    // (the signal log reaches D1 through the symbol's outbox: a moment later)
    await waitFor(async () => {
      const sigs = (await apiGet(`/api/signals?recorderId=${rec.id}`)).body.signals;
      return sigs.length === 2 && sigs.every((x) => x.status === "applied");
    }, { what: "2 applied signals in the log" });
    const open = await openOf(rec.id);
    assert(open.length === 1 && open[0].avgEntryPrice === 25600, `open ${JSON.stringify(open)}`);
    await apiPost(`/api/positions/${open[0].id}/close`, { price: 25600 });
    // A refused body shows the API's own message.
    await page.getByTestId("test-body").fill('{"ticker":"MNQ1!","action":"buy","price":"{{close}}"}');
    await page.getByTestId("send-test-signal").click();
    await waitFor(async () => /HTTP 400 invalid_signal/.test(await text(page.getByTestId("test-reply"))), { what: "the refused test body's reply" });
    assert(url.startsWith(`${base}/webhook/`), `webhook URL ${url}`);

    // Alert builder: a strategy alert with quantity, TP/SL ticks and a trailing stop.
    await page.getByTestId("ab-kind").selectOption("strategy");
    await page.getByTestId("ab-qty").fill("2");
    await page.getByTestId("ab-tp").fill("8");
    await page.getByTestId("ab-sl").fill("4");
    await page.getByTestId("ab-trail").fill("5");
    await page.getByTestId("ab-trigger").fill("2.5");
    const strategy = JSON.parse(await text(page.getByTestId("ab-output")));
    const want = {
      ticker: "{{ticker}}", action: "{{strategy.order.action}}", quantity: "2", positionSize: "{{strategy.position_size}}", marketPosition: "{{strategy.market_position}}",
      price: "{{close}}", time: "{{timenow}}", takeProfit: { ticks: 8 }, stopLoss: { ticks: 4 }, trail_stop: "5", trail_trigger: "2.5", id: "{{strategy.order.id}}-{{timenow}}",
    };
    assert(JSON.stringify(strategy) === JSON.stringify(want), `builder output ${JSON.stringify(strategy)}`);
    // An indicator "close" carries no levels.
    await page.getByTestId("ab-kind").selectOption("indicator");
    await page.getByTestId("ab-action").selectOption("close");
    const close = JSON.parse(await text(page.getByTestId("ab-output")));
    assert(JSON.stringify(close) === JSON.stringify({ ticker: "{{ticker}}", action: "close", quantity: "2", price: "{{close}}", time: "{{timenow}}" }), `indicator close ${JSON.stringify(close)}`);
    // The builder's message is accepted by the webhook once TradingView has filled the placeholders in.
    const filled = JSON.parse(JSON.stringify(want).replaceAll("{{ticker}}", "MNQ1!").replaceAll("{{strategy.order.action}}", "buy").replaceAll("{{strategy.position_size}}", "2").replaceAll("{{strategy.market_position}}", "long").replaceAll("{{close}}", "25600").replaceAll("{{timenow}}", new Date().toISOString()).replaceAll("{{strategy.order.id}}", "L1"));
    const accepted = await postTo(url, filled);
    assert(accepted.status === 200 && accepted.body?.result === "opened", `the builder's alert, filled in: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    const pos = accepted.body.position;
    assert(pos.takeProfitPrice === 25602 && pos.stopLossPrice === 25599, `levels from the alert: TP ${pos.takeProfitPrice}, SL ${pos.stopLossPrice}`);
    await apiPost(`/api/positions/${pos.id}/close`, { price: 25600 });
    await page.getByTestId("alert-builder").scrollIntoViewIfNeeded();
    await shot("20-recorder-panel-builder");

    // Another recorder (its URL not known in this page): the button says why it is off.
    await page.locator(`[data-testid=recorder-row][data-id="${dca.id}"]`).click();
    await page.getByTestId("webhook-url-masked").waitFor();
    assert(await page.getByTestId("send-test-signal").isDisabled(), "test signal should be off without the URL");
  });

  await t("phone 390×844: nav shows the active tab; positions, trades and recorders as cards without sideways scroll", async () => {
    assert(dca && mnqPos, "needs the recorders above");
    await page.setViewportSize(PHONE);
    try {
      for (const name of ["recorders", "positions", "trades", "report", "signals", "status"]) {
        await page.goto(`${base}/#/${name}`);
        await page.locator("main.main").waitFor();
        await sleep(300);
        await activeTabVisible(name);
        // Every screen, not only the card ones: nothing may make the page itself scroll sideways on a phone.
        await noSideScroll(`${name} at 390`);
      }
      await page.goto(`${base}/#/positions`);
      const row = positionRow(mesPos.id);
      await row.waitFor();
      assert((await row.evaluate((el) => getComputedStyle(el).display)) === "block", "a position row is not a card on a phone");
      const label = await row.getByTestId("avg").evaluate((el) => getComputedStyle(el, "::before").content);
      assert(label === '"Avg entry"', `card label ${label}`);
      await noSideScroll("positions at 390");
      await row.click(); // the fills open inside the card
      await page.locator("tr.detail-row [data-testid=fill-row]").first().waitFor();
      await noSideScroll("positions at 390 with fills open");
      await shot("17-phone-positions");

      await page.goto(`${base}/#/trades?recorderId=${encodeURIComponent(dca.id)}`);
      const trows = page.locator("[data-testid=trade-row]");
      await waitFor(async () => (await trows.count()) === 2, { what: "2 trade cards" });
      assert((await trows.first().evaluate((el) => getComputedStyle(el).display)) === "block", "a trade row is not a card on a phone");
      await noSideScroll("trades at 390");
      await trows.nth(1).click();
      await page.locator("[data-testid=trade-detail] [data-testid=fill-row]").first().waitFor();
      await noSideScroll("trades at 390 with fills open");
      await shot("18-phone-trades");

      await page.goto(`${base}/#/recorders`);
      await page.locator(`[data-testid=recorder-row][data-id="${dca.id}"]`).click();
      await page.getByTestId("alert-builder").waitFor();
      await noSideScroll("recorders at 390 with the panel");
      await page.locator(`[data-testid=recorder-row][data-id="${dca.id}"]`).scrollIntoViewIfNeeded();
      await shot("19-phone-recorders");
      await page.goto(`${base}/#/status`);
      await page.locator("[data-testid=status-row]").first().waitFor();
      await noSideScroll("feed status at 390");
    } finally {
      await page.setViewportSize(DESK);
    }
  });

  await t("a connected feed with no tick for 30 s is shown as stale (positions and feed status), both widths", async () => {
    assert(mesTickAt, "needs the MES position");
    // 30 s after the last thing the MES feed received. (A feed that reconnects gets the server's snapshot, which
    // counts as hearing from it: under `wrangler dev` a source edit restarts the objects, so wait for it rather than
    // assume the timer started at our tick.)
    const mes = async () => (await apiGet("/status")).body.symbols.find((s) => s.feedSymbol === MES);
    if (mesTickAt + 30_000 > Date.now()) await sleep(mesTickAt + 30_000 - Date.now());
    await waitFor(async () => (await mes())?.health?.state === "stale", { timeout: 90_000, interval: 1000, what: "the MES feed's health to turn stale" });
    const st = await mes();
    assert(/^(connected|streaming)$/.test(st.feed.state), `the MES feed should still be connected, it is ${st.feed.state}`);
    assert(st.health.secondsSinceTick >= 30 && st.health.reason === `no tick for ${st.health.secondsSinceTick} s`, `MES health ${JSON.stringify(st.health)}`);
    await page.goto(`${base}/#/positions`);
    const row = positionRow(mesPos.id);
    const late = positionRow(mesLatePos.id);
    await waitFor(async () => (await text(row.getByTestId("data-badges"))) === "stale", { what: `MES "stale" (shows "${await text(row.getByTestId("data-badges")).catch(() => "?")}")` });
    // The second one was opened on delayed data (delayedData from the API): it says so beside "stale".
    const lateBadges = (await late.getByTestId("data-badges").locator(".badge").allTextContents()).join("|");
    assert(lateBadges === "stale|opened delayed", `second MES row badges "${lateBadges}", expected "stale|opened delayed"`);
    assert(/^no tick for \d+ s$/.test(await text(row.getByTestId("feed-detail"))), `stale detail "${await text(row.getByTestId("feed-detail"))}"`);
    assert((await row.getByTestId("last").getAttribute("class")).includes("frozen"), "the stale last price is not marked frozen");
    assert(/stale/.test(await text(page.getByTestId("feeds-summary"))), `feeds summary "${await text(page.getByTestId("feeds-summary"))}"`);
    await shot("23-positions-feed-stale");
    await page.setViewportSize(PHONE);
    try {
      await page.reload();
      await waitFor(async () => (await text(positionRow(mesPos.id).getByTestId("data-badges"))) === "stale", { what: "stale on a phone" });
      await noSideScroll("positions at 390, stale");
    } finally {
      await page.setViewportSize(DESK);
    }
    await page.goto(`${base}/#/status`);
    const srow = page.locator("[data-testid=status-row]", { hasText: MES });
    await waitFor(async () => /^stale/.test(await text(srow.getByTestId("feed-health"))), { what: "feed status: MES stale" });
    await shot("24-feed-status-health");
  });

  await t("a feed that is not connected is shown as down with its error, whatever price it still shows", async () => {
    assert(mesPos, "needs the MES positions");
    const ANON = "unauthorized_user_token";
    try {
      // The quote server now refuses the anonymous token: the MES feed's reconnect is refused and it stops.
      fakeTv.config({ refusedTokens: [ANON] });
      fakeTv.drop({ symbol: MES });
      const mes = async () => (await apiGet("/status")).body.symbols.find((s) => s.feedSymbol === MES);
      await waitFor(async () => (await mes())?.health?.state === "down", { timeout: 30_000, interval: 500, what: "the MES feed's health to turn down" });
      const st = await mes();
      assert(!/^(connected|streaming)$/.test(st.feed.state) && st.feed.lastPrice === 6851.25, `MES feed ${JSON.stringify(st.feed)}`);
      await page.goto(`${base}/#/positions`);
      const row = positionRow(mesPos.id);
      await waitFor(async () => (await text(row.getByTestId("data-badges"))) === "feed down", { what: `MES "feed down" (shows "${await text(row.getByTestId("data-badges")).catch(() => "?")}")` });
      assert((await text(row.getByTestId("feed-detail"))) === st.health.reason && st.health.reason, `down detail "${await text(row.getByTestId("feed-detail"))}", reason ${st.health.reason}`);
      assert((await row.getByTestId("last").getAttribute("class")).includes("frozen"), "the last price of a down feed is not marked frozen");
      assert((await text(row.getByTestId("last"))) === "6,851.25", "the last known price stays visible");
    } finally {
      fakeTv.config({ removeRefusedTokens: [ANON] });
      // tidy up: nothing of ours stays open (a manual close with a price needs no feed)
      for (const p of [mesPos, mesLatePos]) await apiPost(`/api/positions/${p.id}/close`, { price: 6851 });
    }
  });
}
