// End-to-end: the report's Performance Summary with the Strategy Tester's All / Long / Short columns (issue #12),
// in real Chromium against the real Worker — nothing mocked. A recorder with an initial capital of $10,000 and no
// commission trades through its real webhook, 1 MNQ at a time ($0.50 a tick, 4 ticks a point):
//   long  25,600 → 25,610  = +40 ticks = +$20.00
//   short 25,620 → 25,625  = −20 ticks = −$10.00
//   long  25,630, left open (Total open trades: All 1, Long 1, Short 0)
// so, by hand:
//   All:   net +$10.00 (0.10 % of $10,000), gross profit $20.00, gross loss $10.00, profit factor 2.00, 2 closed,
//          1 won, 1 lost, 50.00 % profitable, max drawdown $10.00 (equity 20 → 10), 0.10 % of the 10,020 peak
//   Long:  net +$20.00 (0.20 %), gross profit $20.00, gross loss $0.00, profit factor — (no loser), 1 closed, 100.00 %,
//          max drawdown $0.00
//   Short: net −$10.00 (−0.10 %), gross profit $0.00, gross loss $10.00, profit factor 0.00, 1 closed, 0.00 %,
//          max drawdown $10.00 (0.10 % of the 10,000 start)
// At 390×844 the page must not scroll sideways (the tables scroll in their own box). run.mjs calls
// reportColumns(); `E2E_ONLY="report columns"` runs it alone.
const PREFIX = "report columns";
const DESK = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };

const EXPECTED = {
  netProfit: ["+$10.00", "+$20.00", "-$10.00"],
  netProfitPercent: ["0.10%", "0.20%", "-0.10%"],
  grossProfit: ["$20.00", "$20.00", "$0.00"],
  grossLoss: ["$10.00", "$0.00", "$10.00"],
  profitFactor: ["2.00", "—", "0.00"],
  totalClosedTrades: ["2", "1", "1"],
  totalOpenTrades: ["1", "1", "0"],
  winningTrades: ["1", "1", "0"],
  losingTrades: ["1", "0", "1"],
  percentProfitable: ["50.00%", "100.00%", "0.00%"],
  maxDrawdown: ["$10.00", "$0.00", "$10.00"],
  maxDrawdownPercent: ["0.10%", "0.00%", "0.10%"],
  largestWinningTrade: ["$20.00", "$20.00", "—"],
  largestLosingTrade: ["$10.00", "—", "$10.00"],
};

export async function reportColumns({ base, page, apiGet, apiPost, postTo, test, shot, waitFor, assert, sleep, adminToken }) {
  const t = (name, fn) => test(`${PREFIX}: ${name}`, fn);
  const text = async (locator) => ((await locator.textContent()) ?? "").trim();
  let rec = null;
  let openId = null;

  const row = (key) => page.locator(`[data-testid=stat-${key}]`);
  const cells = async (key) => [await text(row(key).locator(".value")), await text(row(key).locator(".value-long")), await text(row(key).locator(".value-short"))];
  const openReport = async () => {
    await page.goto(`${base}/#/recorders`);
    if (await page.getByTestId("token").count()) {
      await page.getByTestId("token").fill(adminToken);
      await page.getByTestId("sign-in").click();
      await page.waitForURL(/#\/recorders/);
    }
    await page.goto(`${base}/#/report/${rec.id}`);
    await page.reload(); // the recorder list is cached by the page; this one was made through the API
    await row("netProfit").locator(".value").waitFor();
  };

  await t("All / Long / Short columns at 1440×900 equal the hand-worked figures; Total open trades filled", async () => {
    await page.setViewportSize(DESK);
    const made = await apiPost("/api/recorders", { name: "Columns long+short", symbol: "MNQ1!", delayedFeed: "immediate", commissionPerContract: 0, initialCapital: 10000 });
    assert(made.status === 201, `create: ${made.status} ${JSON.stringify(made.body)}`);
    rec = { id: made.body.recorder.id, hook: `${base}${made.body.recorder.webhookPath}` };
    for (const [action, price, want] of [["buy", 25600, "opened"], ["close", 25610, "closed"], ["sell", 25620, "opened"], ["close", 25625, "closed"], ["buy", 25630, "opened"]]) {
      const r = await postTo(rec.hook, { ticker: "MNQ1!", action, price: String(price), time: new Date().toISOString() });
      assert(r.status === 200 && r.body?.result === want, `${action} @${price}: ${r.status} ${JSON.stringify(r.body)}`);
      if (want === "opened") openId = r.body.position.id;
    }
    await waitFor(async () => (await apiGet(`/api/trades?recorderId=${rec.id}`)).body?.trades?.length === 2, { what: "the 2 trades in D1" });
    const api = (await apiGet(`/api/recorders/${rec.id}/stats`)).body;
    assert(api.stats.netProfit === 10 && api.bySide.long.netProfit === 20 && api.bySide.short.netProfit === -10, `API net profit ${api.stats.netProfit} / ${api.bySide.long.netProfit} / ${api.bySide.short.netProfit}`);
    assert(api.stats.totalOpenTrades === 1 && api.bySide.long.totalOpenTrades === 1 && api.bySide.short.totalOpenTrades === 0, `API open trades ${JSON.stringify([api.stats.totalOpenTrades, api.bySide.long.totalOpenTrades, api.bySide.short.totalOpenTrades])}`);

    await openReport();
    for (const [key, want] of Object.entries(EXPECTED)) {
      const got = await cells(key);
      assert(got.join(" | ") === want.join(" | "), `${key}: shown ${got.join(" | ")}, expected ${want.join(" | ")}`);
    }
    // The headline tiles stay (All figures).
    assert((await text(page.locator(".summary .stat.big[data-key=netProfit] .value"))) === "+$10.00", "headline net profit");
    assert((await text(page.getByTestId("headline-netProfitPercent"))) === "0.10%", "headline net profit %");
    // "Best open profit kept" (Σ pnl / Σ MFE) replaces the mean of ratios, with a tooltip saying what it is.
    assert((await row("avgMfeCaptured").count()) === 0, "avgMfeCaptured is still shown");
    const kept = row("mfeCaptured");
    assert((await text(kept.locator("th"))).startsWith("Best open profit kept"), `mfeCaptured label "${await text(kept.locator("th"))}"`);
    assert(/Σ net P&L ÷ Σ MFE/.test((await kept.locator("th").getAttribute("title")) ?? ""), "mfeCaptured has no explanatory tooltip");
    const f = (v) => (v === null ? "—" : `${(v * 100).toFixed(2)}%`);
    const keptWant = [api.stats.mfeCaptured, api.bySide.long.mfeCaptured, api.bySide.short.mfeCaptured].map(f);
    assert((await cells("mfeCaptured")).join("|") === keptWant.join("|"), `mfeCaptured shown ${(await cells("mfeCaptured")).join("|")}, API ${keptWant.join("|")}`);
    await sleep(500);
  });

  await t("390×844: the columns fit without sideways page scroll", async () => {
    assert(rec, "needs the recorder above");
    await page.setViewportSize(PHONE);
    try {
      await openReport();
      await page.locator("[data-testid=equity-chart] canvas").first().waitFor();
      await sleep(400);
      const { sw, cw } = await page.evaluate(() => ({ sw: document.scrollingElement.scrollWidth, cw: document.scrollingElement.clientWidth }));
      assert(sw <= cw, `the report scrolls sideways at 390 px: ${sw} > ${cw}`);
      // every column is on the page: the Short figure of a row is inside the viewport or its table's own scroll box
      assert((await cells("netProfit")).join(" | ") === EXPECTED.netProfit.join(" | "), "net profit cells on a phone");
      await row("netProfit").scrollIntoViewIfNeeded();
      await page.evaluate(() => window.scrollTo(0, document.querySelector("[data-testid=stats-table]").getBoundingClientRect().top + window.scrollY - 60));
      await shot("26-report-columns-phone");
    } finally {
      await page.setViewportSize(DESK);
      if (openId) await apiPost(`/api/positions/${openId}/close`, { price: 25630 });
    }
  });
}
