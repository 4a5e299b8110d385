// End-to-end: the positions screen is pushed, not polled (issue #13 item 5), in real Chromium against the real
// Worker (wrangler dev) and the fake TradingView quote server — nothing mocked on the way in. run.mjs calls
// livePush(); `E2E_ONLY="live push"` runs these alone (they sign in and make their own recorder).
//
// With the positions screen open and its WebSocket (/api/live) up, every request the page makes is recorded
// (page.on("request")): a signal posted from Node appears, a feed tick moves its price and P&L, a close removes the
// row — and the page asks GET /api/positions and GET /status for none of it. Then, in a second tab whose /api/live
// is refused (page.routeWebSocket closes it), the screen says "polling" and shows a new signal through GET
// /api/positions; once /api/live is let through again it reconnects on its own and says "live".
const PREFIX = "live push";
const MNQ = "CME_MINI:MNQ1!";

export async function livePush({ base, page, fakeTv, apiGet, apiPost, postTo, test, waitFor, assert, money, sleep, adminToken }) {
  const t = (name, fn) => test(`${PREFIX}: ${name}`, fn);
  const text = async (locator) => ((await locator.textContent()) ?? "").trim();
  const signIn = async (p) => {
    await p.goto(`${base}/#/positions`);
    await p.reload(); // the page caches the recorder list: this one was made through the API
    if (await p.getByTestId("token").count()) {
      await p.getByTestId("token").fill(adminToken);
      await p.getByTestId("sign-in").click();
      await p.waitForURL(/#\/recorders/);
      await p.goto(`${base}/#/positions`);
    }
  };
  const pollState = (p) => p.getByTestId("poll-state");
  const isLive = async (p) => (await pollState(p).getAttribute("data-mode")) === "live" && (await text(pollState(p))) === "live";
  const positionRow = (p, id) => p.locator(`[data-testid=position-row][data-id="${id}"]`);
  /** The page's requests to these API paths while `fn` runs. */
  const requestsDuring = async (p, fn) => {
    const seen = [];
    const onRequest = (r) => {
      const u = new URL(r.url());
      if (u.origin === base) seen.push(`${r.method()} ${u.pathname}`);
    };
    p.on("request", onRequest);
    try {
      await fn();
    } finally {
      p.off("request", onRequest);
    }
    return seen;
  };
  const polled = (seen) => seen.filter((r) => r === "GET /api/positions" || r === "GET /status");

  let rec = null;
  const send = async (body, want) => {
    const r = await postTo(rec.hook, { ticker: "MNQ1!", time: new Date().toISOString(), ...body });
    assert(r.status === 200 && r.body?.result === want, `${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };

  await t("the positions screen is live: open, tick and close arrive without GET /api/positions or /status", async () => {
    const made = await apiPost("/api/recorders", { name: "Live push MNQ", symbol: "MNQ1!", delayedFeed: "immediate", commissionPerContract: 0 });
    assert(made.status === 201, `create recorder: ${made.status} ${JSON.stringify(made.body)}`);
    rec = { id: made.body.recorder.id, hook: `${base}${made.body.recorder.webhookPath}` };
    const sockets = [];
    const onSocket = (ws) => sockets.push(ws.url());
    page.on("websocket", onSocket);
    try {
      await signIn(page);
      await waitFor(() => isLive(page), { what: `the header to say "live" (it says "${await text(pollState(page)).catch(() => "?")}")` });
    } finally {
      page.off("websocket", onSocket);
    }
    // the token rides in a subprotocol, never in the URL (which proxies log)
    const wsUrl = `${base.replace(/^http/, "ws")}/api/live`;
    assert(sockets.length >= 1 && sockets.every((u) => u === wsUrl), `the page's WebSockets: ${JSON.stringify(sockets)}, expected ${wsUrl}`);

    let pos = null;
    const seen = await requestsDuring(page, async () => {
      // a signal from Node: its row appears
      pos = (await send({ action: "buy", price: "25600" }, "opened")).position;
      const row = positionRow(page, pos.id);
      await row.waitFor({ timeout: 5000 });
      assert(money(await text(row.getByTestId("upnl"))) === 0 && (await text(row.getByTestId("avg"))) === "25,600.00", `fresh row: ${await text(row)}`);
      // a feed tick: +4 points = 16 ticks × $0.50 = +$8.00
      await waitFor(() => fakeTv.subscribedSymbols().includes(MNQ), { timeout: 20_000, what: `the feed to subscribe ${MNQ}` });
      fakeTv.tick({ symbol: MNQ, price: 25604 });
      await waitFor(async () => money(await text(row.getByTestId("upnl"))) === 8 && (await text(row.getByTestId("last"))) === "25,604.00", {
        timeout: 5000,
        what: `+$8.00 at 25,604.00 after the tick (shows ${await text(row.getByTestId("upnl")).catch(() => "?")})`,
      });
      // a close: the row goes
      await send({ action: "close", price: "25605" }, "closed");
      await waitFor(async () => (await row.count()) === 0, { timeout: 5000, what: "the closed position's row gone" });
      assert(await isLive(page), `the header should still say "live", it says "${await text(pollState(page))}"`);
    });
    assert(polled(seen).length === 0, `the page polled while live: ${polled(seen).join(", ")}`);
    // the close is in D1 (the trades screen reads it from the API)
    await waitFor(async () => (await apiGet(`/api/trades?recorderId=${rec.id}`)).body?.trades?.length === 1, { what: "the trade in D1" });
  });

  await t("when /api/live fails the screen polls, then goes back to live on its own", async () => {
    assert(rec, "needs the recorder");
    const tab = await page.context().newPage();
    let blocked = true;
    let refused = 0;
    try {
      await tab.routeWebSocket(/\/api\/live$/, (ws) => {
        if (blocked) {
          refused++;
          ws.close({ code: 1011, reason: "blocked by the test" });
        } else ws.connectToServer();
      });
      await signIn(tab);
      await waitFor(async () => (await pollState(tab).getAttribute("data-mode")) === "polling" && (await text(pollState(tab))).startsWith("polling · updated "), {
        what: `the header to say "polling · updated …" (it says "${await text(pollState(tab)).catch(() => "?")}")`,
      });
      assert(refused >= 1, "the page never tried /api/live");
      const seen = await requestsDuring(tab, async () => {
        const pos = (await send({ action: "sell", price: "25610" }, "opened")).position;
        await positionRow(tab, pos.id).waitFor({ timeout: 5000 });
        await sleep(1500);
        await send({ action: "close", price: "25609" }, "closed");
        await waitFor(async () => (await positionRow(tab, pos.id).count()) === 0, { timeout: 5000, what: "the closed row gone (polling)" });
      });
      assert(polled(seen).includes("GET /api/positions"), `no GET /api/positions while polling: ${seen.join(", ")}`);
      // let the socket through: the backoff's next try connects and the page is live again
      blocked = false;
      await waitFor(() => isLive(tab), { timeout: 45_000, interval: 500, what: `"live" again after /api/live is back (it says "${await text(pollState(tab)).catch(() => "?")}")` });
      const after = await requestsDuring(tab, () => sleep(2500));
      assert(polled(after).length === 0, `still polling once live again: ${polled(after).join(", ")}`);
    } finally {
      await tab.close();
    }
  });
}
