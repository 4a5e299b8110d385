CREATE TABLE `backtest_imports` (
	`recorder_id` text PRIMARY KEY NOT NULL,
	`imported_at` text NOT NULL,
	`trades` integer NOT NULL,
	`currency` text NOT NULL,
	`layout` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `backtest_trades` (
	`recorder_id` text NOT NULL,
	`trade_no` integer NOT NULL,
	`side` text NOT NULL,
	`entry_at` text NOT NULL,
	`entry_price` real NOT NULL,
	`entry_signal` text,
	`exit_at` text,
	`exit_price` real,
	`exit_signal` text,
	`quantity` real NOT NULL,
	`pnl` real,
	`runup` real,
	`drawdown` real,
	PRIMARY KEY(`recorder_id`, `trade_no`)
);
--> statement-breakpoint
ALTER TABLE `trades` ADD `entry_trades` text;