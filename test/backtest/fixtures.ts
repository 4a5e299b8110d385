// Hand-written TradingView "List of trades" CSVs (shared/reference/peers.md layouts) and the trades they hold.
// MNQ ($2 per point per contract), 2024-03-05, times in UTC. The trades, oldest first:
//   #1      long 1   09:30 18000.00 → 09:45 18010.25   +20.50 (run-up 25.00, drawdown −5.50)
//   #2–#4   pyramiding long: 10:00 18020 / 10:05 18025 / 10:10 18030, one exit for all at 10:30 18040; TradingView
//           lists one trade per entry, each with its own exit row: +40, +30, +20
//   #5, #6  short 2 at 11:00 18050, partial exit of 1 at 11:10 18040 (+20), the rest at 11:20 18045 (+10): one
//           trade per exit, both with the same entry
//   #7, #8  reversal: long 12:00 18000 → 12:15 17990 (−20), short 12:15 17990 → 12:30 17980 (+20)
//   #9      long 13:00 18005, still open (exit row "Open")
// Net profit of the closed trades: 20.5 + 40 + 30 + 20 + 20 + 10 − 20 + 20 = 140.50.
import type { BacktestTrade } from "../../src/backtest/types";

export const NEW_HEADER =
  "Trade #,Type,Date/Time,Signal,Price USD,Position size (qty),Position size (value),Net P&L USD,Net P&L %," +
  "Run-up USD,Run-up %,Drawdown USD,Drawdown %,Cumulative P&L USD,Cumulative P&L %";

export const NEW_LAYOUT = [
  NEW_HEADER,
  "9,Exit long,Open,,18010.00,1,36010.00,10.00,0.03,12.00,0.03,-3.00,-0.01,150.50,0.15",
  "9,Entry long,2024-03-05 13:00,Long,18005.00,1,36010.00,10.00,0.03,12.00,0.03,-3.00,-0.01,150.50,0.15",
  "8,Exit short,2024-03-05 12:30,Close,17980.00,1,35980.00,20.00,0.06,24.00,0.07,-6.00,-0.02,140.50,0.14",
  "8,Entry short,2024-03-05 12:15,Short,17990.00,1,35980.00,20.00,0.06,24.00,0.07,-6.00,-0.02,140.50,0.14",
  "7,Exit long,2024-03-05 12:15,Short,17990.00,1,36000.00,-20.00,-0.06,4.00,0.01,-22.00,-0.06,120.50,0.12",
  "7,Entry long,2024-03-05 12:00,Long,18000.00,1,36000.00,-20.00,-0.06,4.00,0.01,-22.00,-0.06,120.50,0.12",
  "6,Exit short,2024-03-05 11:20,Close,18045.00,1,36100.00,10.00,0.03,22.00,0.06,-4.00,-0.01,140.50,0.14",
  "6,Entry short,2024-03-05 11:00,Short,18050.00,1,36100.00,10.00,0.03,22.00,0.06,-4.00,-0.01,140.50,0.14",
  "5,Exit short,2024-03-05 11:10,Half,18040.00,1,36100.00,20.00,0.06,20.00,0.06,-4.00,-0.01,130.50,0.13",
  "5,Entry short,2024-03-05 11:00,Short,18050.00,1,36100.00,20.00,0.06,20.00,0.06,-4.00,-0.01,130.50,0.13",
  "4,Exit long,2024-03-05 10:30,Close,18040.00,1,36060.00,20.00,0.06,20.00,0.06,-2.00,-0.01,110.50,0.11",
  "4,Entry long,2024-03-05 10:10,Long 3,18030.00,1,36060.00,20.00,0.06,20.00,0.06,-2.00,-0.01,110.50,0.11",
  "3,Exit long,2024-03-05 10:30,Close,18040.00,1,36050.00,30.00,0.08,30.00,0.08,-4.50,-0.01,90.50,0.09",
  "3,Entry long,2024-03-05 10:05,Long 2,18025.00,1,36050.00,30.00,0.08,30.00,0.08,-4.50,-0.01,90.50,0.09",
  "2,Exit long,2024-03-05 10:30,Close,18040.00,1,36040.00,40.00,0.11,40.00,0.11,-1.00,0.00,60.50,0.06",
  "2,Entry long,2024-03-05 10:00,Long 1,18020.00,1,36040.00,40.00,0.11,40.00,0.11,-1.00,0.00,60.50,0.06",
  "1,Exit long,2024-03-05 09:45,TP,18010.25,1,36000.00,20.50,0.06,25.00,0.07,-5.50,-0.02,20.50,0.02",
  "1,Entry long,2024-03-05 09:30,Long,18000.00,1,36000.00,20.50,0.06,25.00,0.07,-5.50,-0.02,20.50,0.02",
].join("\r\n") + "\r\n";

type Row = [number, "long" | "short", string, number, string | null, string | null, number | null, string | null, number, number | null, number | null, number | null];

function trade([tradeNo, side, entryAt, entryPrice, entrySignal, exitAt, exitPrice, exitSignal, quantity, pnl, runup, drawdown]: Row): BacktestTrade {
  return { tradeNo, side, entryAt, entryPrice, entrySignal, exitAt, exitPrice, exitSignal, quantity, pnl, runup, drawdown };
}

const z = (hhmm: string) => `2024-03-05T${hhmm}:00.000Z`;

/** NEW_LAYOUT read with times in UTC, by Trade #. */
export const NEW_LAYOUT_TRADES: BacktestTrade[] = (
  [
    [1, "long", z("09:30"), 18000, "Long", z("09:45"), 18010.25, "TP", 1, 20.5, 25, -5.5],
    [2, "long", z("10:00"), 18020, "Long 1", z("10:30"), 18040, "Close", 1, 40, 40, -1],
    [3, "long", z("10:05"), 18025, "Long 2", z("10:30"), 18040, "Close", 1, 30, 30, -4.5],
    [4, "long", z("10:10"), 18030, "Long 3", z("10:30"), 18040, "Close", 1, 20, 20, -2],
    [5, "short", z("11:00"), 18050, "Short", z("11:10"), 18040, "Half", 1, 20, 20, -4],
    [6, "short", z("11:00"), 18050, "Short", z("11:20"), 18045, "Close", 1, 10, 22, -4],
    [7, "long", z("12:00"), 18000, "Long", z("12:15"), 17990, "Short", 1, -20, 4, -22],
    [8, "short", z("12:15"), 17990, "Short", z("12:30"), 17980, "Close", 1, 20, 24, -6],
    [9, "long", z("13:00"), 18005, "Long", null, null, null, 1, null, null, null],
  ] as Row[]
).map(trade);

/** The older layout, as TradingView wrote it before 2023: Signal before Date/Time, Contracts, Profit, positive
 * drawdowns, dates as the Strategy Tester shows them. Trades #1–#4 and #9 of NEW_LAYOUT, times in New York (EST,
 * UTC−5 on 2024-03-05: 04:30 local = 09:30 UTC). */
export const OLD_LAYOUT = [
  "Trade #,Type,Signal,Date/Time,Price USD,Contracts,Profit USD,Profit %,Cum. Profit USD,Cum. Profit %,Run-up USD,Run-up %,Drawdown USD,Drawdown %",
  `9,Exit long,,Open,18010.00,1,10.00,0.03,120.50,0.12,12.00,0.03,3.00,0.01`,
  `9,Entry long,Long,"Mar 05, 2024, 08:00",18005.00,1,10.00,0.03,120.50,0.12,12.00,0.03,3.00,0.01`,
  `4,Exit long,Close,"Mar 05, 2024, 05:30",18040.00,1,20.00,0.06,110.50,0.11,20.00,0.06,2.00,0.01`,
  `4,Entry long,Long 3,"Mar 05, 2024, 05:10",18030.00,1,20.00,0.06,110.50,0.11,20.00,0.06,2.00,0.01`,
  `3,Exit long,Close,"Mar 05, 2024, 05:30",18040.00,1,30.00,0.08,90.50,0.09,30.00,0.08,4.50,0.01`,
  `3,Entry long,Long 2,"Mar 05, 2024, 05:05",18025.00,1,30.00,0.08,90.50,0.09,30.00,0.08,4.50,0.01`,
  `2,Exit long,Close,"Mar 05, 2024, 05:30",18040.00,1,40.00,0.11,60.50,0.06,40.00,0.11,1.00,0.00`,
  `2,Entry long,Long 1,"Mar 05, 2024, 05:00",18020.00,1,40.00,0.11,60.50,0.06,40.00,0.11,1.00,0.00`,
  `1,Exit long,TP,"Mar 05, 2024, 04:45",18010.25,1,20.50,0.06,20.50,0.02,25.00,0.07,5.50,0.02`,
  `1,Entry long,Long,"Mar 05, 2024, 04:30",18000.00,1,20.50,0.06,20.50,0.02,25.00,0.07,5.50,0.02`,
].join("\n");
